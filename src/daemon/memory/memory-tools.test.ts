import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createMemoryTools, type MemorySessionContext, type MemoryTool } from "./memory-tools.ts";
import { tempMemory } from "./test-support.ts";

const ctx = { signal: new AbortController().signal };

function toolSet(tools: MemoryTool[]) {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  /** Validates raw arguments with the tool's own schema, as the loop does, then runs it. */
  return async (name: string, raw: Record<string, unknown>) => {
    const tool = byName.get(name);
    assert.ok(tool, `${name} is offered`);
    const args = tool.parameters.parse(raw);
    return tool.execute(args, ctx);
  };
}

describe("memory tools", () => {
  test("store → find → get → update through the tools, within the session's scopes", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    const session: MemorySessionContext = { audience: "Personal", scopes: { user: "alice", channel: "tui" } };
    const call = toolSet(createMemoryTools({ memory: m.memory, session }));

    const stored = await call("store_memory", {
      Title: "Staging database",
      Content: "Staging Postgres runs on db-staging.internal port 5433.",
      Tags: ["postgres", "staging"],
    });
    assert.equal(stored.isError, false);
    const id = /Stored memory (\S+) \(user:alice, Personal\)/.exec(stored.content)?.[1];
    assert.ok(id, stored.content);

    const found = await call("find_memories", { Query: "which port does staging postgres use" });
    assert.match(found.content, new RegExp(`\\[${id}\\] Staging database \\(user:alice\\)`));

    const got = await call("get_memories", { Ids: [id, "mem_missing"] });
    assert.equal(got.isError, false);
    assert.match(got.content, /db-staging\.internal port 5433/);
    assert.match(got.content, /Not found here: mem_missing\./);

    const updated = await call("update_memory", { Id: id, Content: "Staging Postgres moved to port 5434." });
    assert.equal(updated.isError, false);
    assert.match((await call("get_memories", { Ids: [id] })).content, /port 5434/);
    assert.equal((await call("update_memory", { Id: id })).isError, true);
  });

  test("Public sessions get no memory tools; Team tools cannot reach Personal items", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    assert.deepEqual(
      createMemoryTools({ memory: m.memory, session: { audience: "Public", scopes: { user: "x" } } }),
      [],
    );

    const personal = toolSet(
      createMemoryTools({ memory: m.memory, session: { audience: "Personal", scopes: { project: "ops" } } }),
    );
    const team = toolSet(
      createMemoryTools({ memory: m.memory, session: { audience: "Team", scopes: { project: "ops" } } }),
    );
    const secret = await personal("store_memory", {
      Title: "Root password hint",
      Content: "Hint: the ops root pet name",
    });
    const secretId = /Stored memory (\S+)/.exec(secret.content)![1]!;
    await personal("store_memory", {
      Title: "Ops runbook",
      Content: "The ops runbook is in the wiki",
      Audience: "Team",
    });

    const teamFind = await team("find_memories", { Query: "ops root runbook hint" });
    assert.match(teamFind.content, /Ops runbook/);
    assert.doesNotMatch(teamFind.content, /Root password/);
    assert.equal((await team("get_memories", { Ids: [secretId] })).isError, true);
    assert.equal((await team("update_memory", { Id: secretId, Content: "overwritten" })).isError, true);
    const raise = await team("store_memory", { Title: "Escalate", Content: "x", Audience: "Personal" });
    assert.equal(raise.isError, true);
    assert.match(raise.content, /cannot store a Personal memory/);
    assert.match((await personal("get_memories", { Ids: [secretId] })).content, /ops root pet name/);
  });

  test("other scopes stay invisible; a missing scope kind is a clear error", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    const alice = toolSet(
      createMemoryTools({ memory: m.memory, session: { audience: "Team", scopes: { user: "alice" } } }),
    );
    const bob = toolSet(
      createMemoryTools({ memory: m.memory, session: { audience: "Team", scopes: { user: "bob" } } }),
    );
    const stored = await alice("store_memory", {
      Title: "Alice's plants",
      Content: "Water the ficus on Fridays",
    });
    const id = /Stored memory (\S+)/.exec(stored.content)![1]!;
    assert.equal((await bob("find_memories", { Query: "ficus plants" })).content, "No memories match.");
    assert.equal((await bob("get_memories", { Ids: [id] })).isError, true);
    const noChannel = await alice("store_memory", { Title: "x", Content: "y", Scope: "channel" });
    assert.equal(noChannel.isError, true);
    assert.match(noChannel.content, /no channel scope/);
  });

  test("a closed database becomes an error result, not an exception", async (t) => {
    const m = await tempMemory();
    t.after(() => m.close());
    const call = toolSet(
      createMemoryTools({ memory: m.memory, session: { audience: "Personal", scopes: { user: "a" } } }),
    );
    m.database.close();
    const result = await call("find_memories", { Query: "anything" });
    assert.equal(result.isError, true);
    assert.match(result.content, /Memory is unavailable right now/);
  });
});
