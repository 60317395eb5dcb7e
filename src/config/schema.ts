import { z } from "zod";

/**
 * The whole netclaw.json schema (configVersion 1). Keys keep the .NET-style PascalCase the
 * original documented; the loader matches them case-insensitively before this schema sees them.
 * `Daemon.ExposureMode` and `Daemon.UpdateChannel` stay plain strings here: their validation
 * messages are part of the contract and come from `exposure.ts` / `daemon-settings.ts`.
 * Every key here is read by some code (schema-readers.test.ts); documented settings that nothing
 * implements yet are listed in `unsupported-keys.ts` instead, and warned about when set.
 */

const int = (min: number, max: number) => z.int().min(min).max(max);
const seconds = (value: number) => int(1, 86_400).default(value);

export const approvalMode = z.enum(["Auto", "Approval", "Deny"]);
export const shellMode = z.enum(["Off", "SandboxOnly", "HostAllowed"]);
export const posture = z.enum(["Personal", "Team", "Public"]);
export const providerType = z.enum(["ollama", "openai", "anthropic", "openrouter", "openai-compatible"]);

const daemonSchema = z
  .object({
    Host: z.string().min(1).default("127.0.0.1"),
    Port: int(1, 65_535).default(5199),
    ExposureMode: z.string().default("local"),
    TrustedProxies: z.array(z.string()).default([]),
    AllowedHosts: z.array(z.string().min(1)).default([]),
    SkipTunnelProcessCheck: z.boolean().default(false),
    DisableSelfUpdate: z.boolean().default(false),
    UpdateChannel: z.string().default("stable"),
    UpdateFeedUrl: z.url().default("https://registry.npmjs.org"),
    UpdateCheckIntervalHours: int(1, 24 * 30).default(24),
    ShutdownDrainSeconds: int(0, 600).default(6), // inside Docker's 10 s stop timeout, with room to spare
    // A connection must finish its request headers (from its first byte, or from connecting if it
    // sends nothing) within HeadersTimeoutSeconds and its whole request within
    // RequestTimeoutSeconds; event streams are responses, so neither cuts them.
    HeadersTimeoutSeconds: int(1, 600).default(10),
    RequestTimeoutSeconds: int(1, 3600).default(60),
    // Connections beyond MaxConnections are closed on accept; event streams take at most
    // MaxEventStreams of them, so streams can never hold every slot.
    MaxConnections: int(2, 100_000).default(256),
    MaxEventStreams: int(1, 100_000).default(64),
  })
  .superRefine((daemon, context) => {
    if (daemon.HeadersTimeoutSeconds > daemon.RequestTimeoutSeconds) {
      context.addIssue({
        code: "custom",
        path: ["HeadersTimeoutSeconds"],
        message: `must not exceed Daemon.RequestTimeoutSeconds (${daemon.RequestTimeoutSeconds})`,
      });
    }
    if (daemon.MaxEventStreams >= daemon.MaxConnections) {
      context.addIssue({
        code: "custom",
        path: ["MaxEventStreams"],
        message: `must be less than Daemon.MaxConnections (${daemon.MaxConnections}) so other requests keep a connection`,
      });
    }
  })
  .prefault({});

const providerSchema = z.object({
  Type: providerType.optional(),
  Endpoint: z.url().optional(),
  ApiKey: z.string().optional(),
  VendorOptions: z.record(z.string(), z.string()).optional(),
});

const roleModelSchema = z.object({
  Provider: z.string().trim().min(1).optional(),
  ModelId: z.string().trim().min(1).optional(),
  ContextWindow: int(4096, 10_000_000).optional(),
});

const modelsSchema = z
  .object({
    Main: roleModelSchema.optional(),
    Fallback: roleModelSchema.optional(),
    Compaction: roleModelSchema.optional(),
    Definitions: z.record(z.string(), roleModelSchema).optional(),
    Roles: z
      .object({
        Main: z.string().optional(),
        Fallback: z.string().optional(),
        Compaction: z.string().optional(),
      })
      .optional(),
  })
  .prefault({});

const sessionSchema = z
  .object({
    CompactionThreshold: z.number().gt(0).lt(1).default(0.75),
    KeepRecentToolResults: int(0, 1000).default(3),
    MaxToolCallsPerTurn: int(1, 10_000).default(30),
    SidecarLlmTimeoutSeconds: seconds(90),
    ToolExecutionTimeoutSeconds: seconds(90),
    FirstTokenTimeoutSeconds: seconds(600),
    IdleTimeoutSeconds: seconds(120),
  })
  .prefault({});

const fileAccess = z.object({
  Mode: z.enum(["All", "Roots"]).optional(),
  Roots: z.array(z.string()).optional(),
});
const audienceProfile = z.object({
  ToolsMode: z.enum(["All", "Allowlist"]).optional(),
  AllowedTools: z.array(z.string()).optional(),
  McpServersMode: z.enum(["All", "Allowlist"]).optional(),
  AllowedMcpServers: z.array(z.string()).optional(),
  McpServerToolGrants: z.record(z.string(), z.array(z.string())).optional(),
  ReadFiles: fileAccess.optional(),
  WriteFiles: fileAccess.optional(),
  AttachFiles: fileAccess.optional(),
  ApprovalPolicy: z
    .object({
      DefaultMode: approvalMode.optional(),
      ToolOverrides: z.record(z.string(), approvalMode).optional(),
      McpServerDefaults: z.record(z.string(), approvalMode).optional(),
    })
    .optional(),
});

const toolsSchema = z
  .object({
    ShellMode: shellMode.optional(),
    MaxOutputChars: int(1000, 10_000_000).default(32_000),
    MaxToolTimeoutSeconds: seconds(600),
    HardDenyPatterns: z.array(z.string()).default([]),
    AudienceProfiles: z
      .object({
        Personal: audienceProfile.optional(),
        Team: audienceProfile.optional(),
        Public: audienceProfile.optional(),
      })
      .prefault({}),
  })
  .prefault({});

const securitySchema = z
  .object({
    DeploymentPosture: posture.optional(),
    ShellExecutionMode: shellMode.optional(),
    StrictDefaults: z.boolean().default(true),
  })
  .prefault({});

const mcpServerSchema = z.object({
  Transport: z.enum(["stdio", "http", "sse"]).default("stdio"),
  Command: z.string().optional(),
  Arguments: z.array(z.string()).default([]),
  Url: z.url().optional(),
  EnvironmentVariables: z.record(z.string(), z.string()).prefault({}),
  Headers: z.record(z.string(), z.string()).prefault({}),
  Enabled: z.boolean().default(true),
});

const enabled = (value: boolean) => z.object({ Enabled: z.boolean().default(value) }).prefault({});

export const logLevel = z.enum(["Trace", "Debug", "Information", "Warning", "Error", "Critical", "None"]);

export const configSchema = z.object({
  configVersion: z.literal(1).optional(),
  Daemon: daemonSchema,
  Providers: z.record(z.string(), providerSchema).prefault({}),
  Models: modelsSchema,
  Session: sessionSchema,
  Tools: toolsSchema,
  Security: securitySchema,
  McpServers: z.record(z.string(), mcpServerSchema).prefault({}),
  Webhooks: z
    .object({ Enabled: z.boolean().default(false), ExecutionTimeoutSeconds: seconds(300) })
    .prefault({}),
  Memory: z
    .object({
      Enabled: z.boolean().default(true),
      RecallTimeoutMs: int(10, 60_000).default(300),
      AutoRecallMaxItems: int(0, 50).default(3),
      // After each completed turn the Compaction model proposes durable facts (one extra side
      // call per turn); false keeps memory to what the agent stores with its tools.
      ProposeAfterTurns: z.boolean().default(true),
    })
    .prefault({}),
  Scheduling: enabled(true),
  Workspaces: z.object({ Directory: z.string().optional() }).prefault({}),
  Logging: z
    .object({ LogLevel: z.object({ Default: logLevel.default("Warning") }).prefault({}) })
    .prefault({}),
  DeviceToken: z.string().optional(),
});

export type NetclawConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type RoleModelConfig = z.infer<typeof roleModelSchema>;
export type McpServerConfig = z.infer<typeof mcpServerSchema>;

/** Keys that hold credentials: refused by `config set`, expected in secrets.json or the environment. */
export const SECRET_KEY_NAMES = [
  "ApiKey",
  "DeviceToken",
  "OAuthAccessToken",
  "OAuthRefreshToken",
  "BotToken",
  "AppToken",
];
