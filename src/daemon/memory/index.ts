// Public surface of the memory module, for daemon/main.ts and the agent loop.
export {
  createMemoryStore,
  type FindOptions,
  type MemoryPatch,
  type MemoryStore,
  memoryMigrationsDir,
  openMemoryDatabase,
} from "./memory-store.ts";
export { createMemoryTools, type MemorySessionContext, type MemoryTool } from "./memory-tools.ts";
export type { Audience, MemoryHit, MemoryItem, MemoryScope } from "./memory-types.ts";
export { MemoryError } from "./memory-types.ts";
export {
  type ApplyReport,
  createProposalQueue,
  type MemoryProposal,
  type ProposalQueue,
} from "./proposal-queue.ts";
export {
  createRecall,
  formatRecallBlock,
  type MemorySearch,
  type RecallOptions,
  type RecallResult,
} from "./recall.ts";
