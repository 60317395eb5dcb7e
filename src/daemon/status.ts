import { describeExposure, type ExposureMode } from "../config/exposure.ts";
import type { ModelResolution } from "../config/models.ts";
import type { NetclawConfig } from "../config/schema.ts";
import type { BuildInfo } from "../protocol/build-info.ts";
import type { HealthStatus } from "../protocol/health.ts";

export type UpdateState = HealthStatus["update"];

export type StatusSources = {
  build: BuildInfo;
  home: string;
  homeId: string;
  config: NetclawConfig;
  /** The config files' digest the running configuration stands for (config-fingerprint.ts). */
  configFingerprint: () => string;
  mode: ExposureMode;
  models: ModelResolution;
  startedAt: Date;
  databasePath: string;
  schemaVersion: () => number;
  /** Session counts, once the session registry is wired. */
  sessions?: () => { count: number; activeTurns: number };
  update: () => UpdateState;
  /** Sections of optional subsystems (reminders, memory, MCP servers); a throwing source is left out. */
  sections?: () => Pick<HealthStatus, "reminders" | "memory" | "mcp">;
  now?: () => number;
};

/** Builds the `/api/health/status` document from live sources; cheap enough to call per request. */
export function createStatusProvider(sources: StatusSources): () => HealthStatus {
  const now = sources.now ?? Date.now;
  const { Host, Port } = sources.config.Daemon;
  const model = describeModel(sources.models);
  const exposes = describeExposure(sources.mode);
  return () => {
    const problems: string[] = [];
    if (model.degraded && model.message) problems.push(model.message);
    let schemaVersion = 0;
    let persistenceHealthy = true;
    try {
      schemaVersion = sources.schemaVersion();
    } catch (error) {
      persistenceHealthy = false;
      problems.push(`Database ${sources.databasePath} is not answering: ${(error as Error).message}`);
    }
    return {
      overall: problems.length === 0 ? "healthy" : "degraded",
      problems,
      build: { version: sources.build.version, commit: sources.build.commit },
      process: {
        pid: process.pid,
        startedAt: sources.startedAt.toISOString(),
        uptimeSeconds: Math.floor((now() - sources.startedAt.getTime()) / 1000),
        rssBytes: process.memoryUsage.rss(),
        nodeVersion: process.version,
      },
      exposure: { mode: sources.mode, host: Host, port: Port, exposes },
      model,
      persistence: {
        provider: "sqlite",
        path: sources.databasePath,
        schemaVersion,
        healthy: persistenceHealthy,
      },
      update: sources.update(),
      ...sessionCounts(sources.sessions),
      ...optionalSections(sources.sections),
      home: sources.home,
      homeId: sources.homeId,
      configFingerprint: sources.configFingerprint(),
    };
  };
}

function describeModel(models: ModelResolution): HealthStatus["model"] {
  if (models.state === "valid") {
    const main = models.roles.Main;
    return {
      state: "valid",
      degraded: false,
      provider: main.provider,
      providerType: main.providerType,
      modelId: main.modelId,
      ...(main.contextWindow === undefined ? {} : { contextWindow: main.contextWindow }),
    };
  }
  const message = models.state === "none" ? models.reason : models.message;
  return { state: "none", degraded: true, message: `No-Op chat client active: ${message}` };
}

function sessionCounts(source: StatusSources["sessions"]): {
  sessions?: { count: number; activeTurns: number };
} {
  if (!source) return {};
  try {
    return { sessions: source() };
  } catch {
    return {}; // the persistence section already reports a store that does not answer
  }
}

function optionalSections(
  source: StatusSources["sections"],
): Pick<HealthStatus, "reminders" | "memory" | "mcp"> {
  if (!source) return {};
  try {
    const sections = source();
    return Object.fromEntries(Object.entries(sections).filter(([, value]) => value !== undefined));
  } catch {
    return {};
  }
}
