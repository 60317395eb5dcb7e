import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { hasCompletedBootstrap, markBootstrapCompleted } from "../config/bootstrap-state.ts";
import { endpointFromBind } from "../config/client-config.ts";
import { configFingerprint } from "../config/config-fingerprint.ts";
import { createDeviceRegistry } from "../config/device-registry.ts";
import { ConfigError } from "../config/errors.ts";
import { type ExposureMode, isExposureProblem } from "../config/exposure.ts";
import { runExposureStartupChecks } from "../config/exposure-checks.ts";
import { ensureHome, type HomePaths, homePaths, resolveHome } from "../config/home.ts";
import { loadHomeConfig } from "../config/home-config.ts";
import { ensureHomeId } from "../config/home-id.ts";
import { loadOrCreateLocalControlKey } from "../config/local-control.ts";
import { resolveModels } from "../config/models.ts";
import { removePidFile, writePidFile } from "../config/pid-file.ts";
import type { NetclawConfig } from "../config/schema.ts";
import { setSecret } from "../config/secrets-file.ts";
import { parseUpdateChannel } from "../config/update-feed.ts";
import { validateConfig } from "../config/validate.ts";
import { buildInfo } from "../protocol/build-info.ts";
import { NetclawError } from "../protocol/errors.ts";
import { stripUrlCredentials } from "../protocol/url-credentials.ts";
import { composeDispatcher } from "./agent/extra-tools.ts";
import { createIdentitySource, seedIdentityFiles } from "./agent/identity.ts";
import { createSessionTools } from "./agent/session-tools.ts";
import { seedBootstrapDevice } from "./exposure/bootstrap-seed.ts";
import { composeFeatures } from "./features/compose.ts";
import type { DaemonFeature } from "./features/feature.ts";
import { openMcpFeature } from "./features/mcp/feature.ts";
import { openMemoryFeature } from "./features/memory/feature.ts";
import { createRemindersFeature } from "./features/reminders/feature.ts";
import { createWebhooksFeature } from "./features/webhooks/feature.ts";
import { createApp } from "./http/app.ts";
import { createAuthenticator } from "./http/auth.ts";
import { createClientAddress } from "./http/client-address.ts";
import { createHostGuard } from "./http/host-guard.ts";
import { createIdentityGuard } from "./http/identity-guard.ts";
import { createProxyTrust } from "./http/proxy-trust.ts";
import { healthRoutes } from "./http/routes/health.ts";
import { lifecycleRoutes } from "./http/routes/lifecycle.ts";
import { localControlRoutes } from "./http/routes/local-control.ts";
import { openApiRoutes } from "./http/routes/openapi.ts";
import { pairingRoutes } from "./http/routes/pairing.ts";
import { sessionRoutes } from "./http/routes/sessions.ts";
import { createStreamGate } from "./http/sse.ts";
import { checkNewConfig } from "./lifecycle/config-reload.ts";
import { watchConfig } from "./lifecycle/config-watch.ts";
import { installCrashHandlers, writeCrashLog } from "./lifecycle/crash-log.ts";
import { acquireInstanceLock, type InstanceLock, LockHeldError } from "./lifecycle/lock.ts";
import {
  createDailyLogDestination,
  createLogger,
  createScrubbingDestination,
  type Logger,
} from "./lifecycle/logger.ts";
import { createModelClient } from "./llm/index.ts";
import type { ModelClient } from "./llm/model-client.ts";
import { createNonceCache } from "./pairing/nonce-cache.ts";
import { createPairingCodes } from "./pairing/pairing-codes.ts";
import { createFailureLockout, createFixedWindowLimiter } from "./pairing/rate-limit.ts";
import { isUnattendedTurn, type SessionAudience, type TurnInfo } from "./sessions/audience.ts";
import { createSessionRegistry, type SessionRegistry } from "./sessions/session-registry.ts";
import { createStatusProvider } from "./status.ts";
import { createSessionEventRepository } from "./store/session-event-repository.ts";
import { createSessionRepository } from "./store/session-repository.ts";
import { openStore, type Store } from "./store/sqlite.ts";
import { createToolStateRepository } from "./store/tool-state-repository.ts";
import { createDaemonSecrets } from "./tools/policy/daemon-secrets.ts";
import type { SecretRedactor } from "./tools/policy/redaction.ts";
import { createUpdateChecker } from "./updates/update-checker.ts";

/** Exit codes: 0 clean stop, 1 runtime failure, 78 (EX_CONFIG) a configuration the daemon refuses. */
export const EXIT_CONFIG = 78;

type Abort = { message: string; remediation: string; exitCode?: number; error?: unknown };

/** What the features are built from: the booted home and configuration, and the core. */
type FeatureDeps = {
  paths: HomePaths;
  config: NetclawConfig;
  env: NodeJS.ProcessEnv;
  appVersion: string;
  model: ModelClient;
  logger: Logger;
  secrets: () => SecretRedactor;
  sessions: SessionRegistry;
  audienceOf: (turn: TurnInfo) => SessionAudience;
};

/**
 * The daemon's features, in the order their hooks run (status sections appear in this order).
 * A new feature is one folder under features/ and one line here. Memory that cannot be opened
 * and MCP servers that cannot connect are logged, never fatal.
 */
async function openFeatures(deps: FeatureDeps): Promise<DaemonFeature[]> {
  const { config, logger } = deps;
  return [
    createRemindersFeature({
      paths: deps.paths,
      enabled: config.Scheduling.Enabled,
      sessions: deps.sessions,
      logger: logger.child({ component: "scheduler" }, { level: "info" }),
    }),
    await openMemoryFeature({
      root: deps.paths.root,
      settings: config.Memory,
      appVersion: deps.appVersion,
      model: deps.model,
      audienceOf: deps.audienceOf,
      redactText: (text) => deps.secrets().text(text),
      logger,
    }),
    await openMcpFeature({
      config,
      env: deps.env,
      appVersion: deps.appVersion,
      logger,
      secrets: deps.secrets,
    }),
    createWebhooksFeature({
      dir: deps.paths.webhooksDir,
      enabled: () => config.Webhooks.Enabled,
      executionTimeoutSeconds: config.Webhooks.ExecutionTimeoutSeconds,
      sessions: deps.sessions,
      logger,
    }),
  ];
}

/**
 * The composition root: the only place that wires implementations together. Order matters —
 * home, single-instance lock, logging, configuration, exposure checks, models, store, HTTP —
 * and any failure before serving ends with `Daemon startup aborted: … Remediation: …`.
 */
export async function runDaemon(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const startedAt = new Date();
  const build = buildInfo();
  const paths = homePaths(resolveHome(env));
  let lock: InstanceLock | undefined;
  let logger: Logger | undefined;
  let flushLog = () => {};

  const abort = (problem: Abort): never => {
    const line = stripUrlCredentials(
      `Daemon startup aborted: ${problem.message} Remediation: ${problem.remediation}`,
    );
    process.stderr.write(`${line}\n`);
    logger?.fatal(problem.exitCode === undefined ? {} : { err: problem.error }, line);
    flushLog();
    // A configuration the daemon refuses is the user's to fix, not a crash: no crash log (and
    // no stack trace) for it. Runtime failures (store, listen) still leave one.
    if (problem.exitCode !== undefined && problem.exitCode !== EXIT_CONFIG)
      writeCrashLog({ logsDir: paths.logsDir, reason: line, error: problem.error });
    lock?.release();
    process.exit(problem.exitCode ?? EXIT_CONFIG);
  };

  try {
    ensureHome(paths);
  } catch (error) {
    if (error instanceof ConfigError)
      abort({ message: error.message, remediation: error.remediation, error });
    throw error;
  }
  try {
    lock = acquireInstanceLock(paths.lockFile);
  } catch (error) {
    if (error instanceof LockHeldError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const homeId = ensureHomeId(paths.homeIdFile); // made by ensureHome: a read, never an empty id
  // Before reading what it describes; moves on when an equivalent edit is accepted without a restart.
  let loadedFingerprint = configFingerprint(paths.configDir);
  let loaded: ReturnType<typeof loadHomeConfig>;
  let localControlKey: Buffer;
  try {
    loaded = loadHomeConfig({ paths, env });
    localControlKey = loadOrCreateLocalControlKey({ keyPath: paths.localControlKey, create: true });
  } catch (error) {
    if (error instanceof ConfigError)
      abort({ message: error.message, remediation: error.remediation, error });
    throw error;
  }
  const config = loaded.config;
  // The features (reminders, memory, MCP, webhooks) open once the core they use exists; until
  // then the composed hooks answer as if there were none.
  let features: readonly DaemonFeature[] = [];
  const feature = composeFeatures(() => features);
  // Known secret values: the configuration's, the bootstrap DeviceToken seeded below (after the
  // configuration was read), and the features' (webhook routes', which reload on their own).
  let seededDeviceToken: string[] = [];
  const secrets = createDaemonSecrets({
    loaded,
    secretsFile: paths.secretsFile,
    env,
    more: () => [...seededDeviceToken, ...feature.secrets()],
  });
  const scrub = (text: string) => secrets().known(text);
  const destination = createDailyLogDestination({ dir: paths.logsDir });
  flushLog = () => destination.flushSync();
  logger = createLogger({
    level: config.Logging.LogLevel.Default,
    destination: createScrubbingDestination(destination, scrub),
  });
  const lifecycleLog = logger.child({ component: "lifecycle" }, { level: "info" });
  installCrashHandlers({ paths, logger, flush: flushLog, release: () => lock?.release() });
  for (const warning of loaded.warnings) {
    logger.warn({ setting: warning.key, source: warning.source }, warning.message);
    process.stderr.write(`warning: ${warning.message}\n`); // a foreground netclawd's console
  }

  // The checks `config validate`, `config set` and `doctor` run, with the same messages.
  const problem = validateConfig(config, { configDir: paths.configDir });
  if (problem) abort(problem);
  const channel = parseUpdateChannel(config.Daemon.UpdateChannel);
  if (typeof channel === "object") abort(channel); // validated above; kept as the type's guard

  const registry = createDeviceRegistry({
    devicesPath: paths.devicesFile,
    now: Date.now,
    onLastUsedWriteError: (error) => logger?.warn({ err: error }, "could not record a device's last use"),
  });
  const bootstrapCompleted = hasCompletedBootstrap(paths.bootstrapStateFile);
  let exposure: ReturnType<typeof runExposureStartupChecks>;
  try {
    exposure = runExposureStartupChecks({
      settings: config.Daemon,
      pairedDevices: () => registry.count(),
      deviceBearerRegistered: true,
      seedBootstrap: (mode) =>
        seedBootstrapDevice({
          mode,
          registry,
          completed: bootstrapCompleted,
          hasDeviceToken: Boolean(config.DeviceToken?.trim()),
          hostname: hostname(),
          storeDeviceToken: (token) => {
            setSecret({
              secretsPath: paths.secretsFile,
              keyPath: paths.secretsKey,
              dottedKey: "DeviceToken",
              value: token,
            });
            seededDeviceToken = [token];
          },
          log: (message) => lifecycleLog.info(message),
        }),
    });
  } catch (error) {
    exposure = {
      code: "bootstrap_failed",
      message: `Cannot check or seed paired devices: ${(error as Error).message}`,
      remediation: `Check ${paths.devicesFile} and ${paths.secretsFile} (\`netclaw doctor\`), then start again.`,
    };
  }
  if (isExposureProblem(exposure)) abort(exposure);
  const mode = (exposure as { mode: ExposureMode }).mode;

  const models = resolveModels(config);
  if (models.state === "invalid") abort({ message: models.message, remediation: models.remediation });
  if (models.state === "none") logger.warn(`No-Op chat client active: ${models.reason}`);

  let store: Store;
  try {
    store = await openStore({ path: paths.database, logger, appVersion: build.version });
  } catch (error) {
    const remediation =
      error instanceof NetclawError && error.code === "store_newer_than_binary"
        ? "Run the newer netclaw version, or restore the pre-migration backup with the daemon stopped."
        : `Check that ${paths.database} is a netclaw database and that its directory is writable; restore it from a backup if it is damaged.`;
    abort({ message: (error as Error).message, remediation, exitCode: 1, error });
    return;
  }

  // Sessions: identity files, the model client, the tools and their policy, the engine registry.
  seedIdentityFiles(paths.identityDir);
  const model = createModelClient({ config, resolution: models, logger: logger.child({ component: "llm" }) });
  const sessionsLog = logger.child({ component: "sessions" });
  let tools: ReturnType<typeof createSessionTools> | undefined;
  try {
    tools = createSessionTools({
      config,
      secrets,
      paths,
      journal: createToolStateRepository(store.db),
      logger: logger.child({ component: "tools" }, { level: "info" }),
      daemon: { host: config.Daemon.Host, port: config.Daemon.Port },
      mcpTools: feature.policyTools,
      audienceOf: feature.audienceOf,
      isUnattended: isUnattendedTurn,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    store.close();
    abort({ message: error.message, remediation: error.remediation, error });
    return;
  }
  const sessionRegistry = createSessionRegistry({
    deps: {
      sessions: createSessionRepository(store.db),
      events: createSessionEventRepository(store.db),
      transaction: (fn) => store.transaction(fn),
      now: () => new Date(),
      newId: randomUUID,
      model,
      createDispatcher: (session) =>
        composeDispatcher({ base: tools!.createDispatcher(session), extras: feature.extraTools(session) }),
      recall: feature.beforeTurn,
      proposeMemories: feature.afterTurn,
      identity: createIdentitySource(paths.identityDir),
      secrets,
      settings: {
        compactionThreshold: config.Session.CompactionThreshold,
        keepRecentToolResults: config.Session.KeepRecentToolResults,
        maxToolCallsPerTurn: config.Session.MaxToolCallsPerTurn,
        sidecarTimeoutMs: config.Session.SidecarLlmTimeoutSeconds * 1000,
      },
      logger: sessionsLog,
    },
  });
  const interrupted = sessionRegistry.recover();
  if (interrupted > 0)
    sessionsLog.warn({ sessions: interrupted }, "marked turns interrupted by the last stop");
  setInterval(() => sessionRegistry.evictIdle(), 60_000).unref();
  features = await openFeatures({
    paths,
    config,
    env,
    appVersion: build.version,
    model,
    logger,
    secrets,
    sessions: sessionRegistry,
    audienceOf: feature.audienceOf,
  });

  let ready = false;
  let stopping = false;
  const status = createStatusProvider({
    build,
    home: paths.root,
    homeId,
    config,
    configFingerprint: () => loadedFingerprint,
    mode,
    models,
    startedAt,
    databasePath: paths.database,
    schemaVersion: () => store.schemaVersion(),
    sessions: () => ({ count: sessionRegistry.count(), activeTurns: sessionRegistry.activeTurns }),
    update: () => updates.state(),
    sections: feature.status,
  });
  const updates = createUpdateChecker({
    feedUrl: config.Daemon.UpdateFeedUrl,
    channel: channel as "stable" | "beta",
    currentVersion: build.version,
    selfUpdateDisabled: config.Daemon.DisableSelfUpdate,
    intervalMs: config.Daemon.UpdateCheckIntervalHours * 3_600_000,
    logger,
  });

  let restartAfterStop = false;
  let configWatch: { close(): void } | undefined;
  const shutdown = async (reason: string, options: { restart?: boolean } = {}) => {
    if (stopping) {
      // A stop request (signal, API) that arrives during a configuration restart wins over it.
      if (!options.restart) restartAfterStop = false;
      return;
    }
    restartAfterStop = options.restart === true;
    stopping = true;
    ready = false;
    lifecycleLog.info({ reason }, "shutting down");
    // Running turns get ShutdownDrainSeconds to finish; then they are aborted and recorded as
    // interrupted. The hard timer is the backstop if even that hangs.
    const drainMs = config.Daemon.ShutdownDrainSeconds * 1000;
    const drain = setTimeout(() => {
      lifecycleLog.warn({ reason }, "drain timed out; exiting");
      finish(1);
    }, drainMs + 5000);
    drain.unref();
    try {
      await feature.stop();
    } catch (error) {
      lifecycleLog.error({ err: error }, "error while stopping the scheduler");
    }
    try {
      await sessionRegistry.drain({ timeoutMs: drainMs });
    } catch (error) {
      lifecycleLog.error({ err: error }, "error while draining sessions");
    }
    try {
      await app.close();
    } catch (error) {
      lifecycleLog.error({ err: error }, "error while closing the HTTP server");
    }
    finish(0);
  };
  const finish = (code: number) => {
    configWatch?.close();
    updates.stop();
    try {
      feature.close();
      store.close();
    } catch (error) {
      logger?.error({ err: error }, "error while closing the store");
    }
    removePidFile(paths.pidFile, process.pid);
    process.stderr.write(`netclawd stopped (pid ${process.pid}).\n`);
    lifecycleLog.info("stopped");
    flushLog();
    lock?.release();
    if (restartAfterStop && code === 0) {
      // A stop signal caught while draining is only delivered to JS on a later loop turn; give
      // it that turn (it clears restartAfterStop) before the process image is replaced.
      setTimeout(() => {
        if (!restartAfterStop) process.exit(code);
        // The same process image again, re-reading every setting: the PID (and so the pid file
        // and any supervisor's view) stays the same.
        process.stderr.write("netclawd restarting to apply the new configuration.\n");
        process.execve?.(
          process.execPath,
          [process.execPath, ...process.execArgv, ...process.argv.slice(1)],
          process.env,
        );
        process.exit(code);
      }, 25);
      return;
    }
    process.exit(code);
  };

  const pairingCodes = createPairingCodes({ now: Date.now });
  const pairingLog = logger.child({ component: "pairing" }, { level: "info" });
  const app = createApp({
    logger,
    hostGuard: createHostGuard({
      bindHost: config.Daemon.Host,
      port: config.Daemon.Port,
      allowedHosts: config.Daemon.AllowedHosts,
      enforceHost: mode === "local",
    }),
    clientAddress: createClientAddress({ mode, trustedProxies: config.Daemon.TrustedProxies }),
    limits: {
      headersTimeoutMs: config.Daemon.HeadersTimeoutSeconds * 1000,
      requestTimeoutMs: config.Daemon.RequestTimeoutSeconds * 1000,
      maxConnections: config.Daemon.MaxConnections,
      onConnectionRefused: (max) =>
        lifecycleLog.warn(
          `Refused connections: ${max} are open (Daemon.MaxConnections). Raise it if this is expected load.`,
        ),
    },
    identityGuard: createIdentityGuard({
      homeId,
      home: paths.root,
      pid: process.pid,
      trustLoopback: mode === "local",
    }),
    authenticate: createAuthenticator({
      trustLoopback: mode === "local",
      verifyDeviceToken: (token) => {
        const name = registry.verify(token);
        if (name === null) return undefined;
        const device = registry.list().find((d) => d.name === name);
        return { deviceName: name, bootstrap: device?.isBootstrapDevice ?? false };
      },
    }),
    trustProxy: mode === "reverse-proxy" ? createProxyTrust(config.Daemon.TrustedProxies) : false,
    scrubResponse: scrub,
    routes: [
      healthRoutes({ isReady: () => ready, status }),
      lifecycleRoutes({ requestShutdown: (reason) => void shutdown(reason) }),
      localControlRoutes({
        key: localControlKey,
        nonces: createNonceCache({ now: Date.now }),
        limiter: createFixedWindowLimiter({ limit: 10, windowMs: 1000, now: Date.now }),
        codes: pairingCodes,
        now: Date.now,
        onIssued: (expiresAt) =>
          pairingLog.info({ expiresAt: expiresAt.toISOString() }, "pairing code issued"),
      }),
      pairingRoutes({
        codes: pairingCodes,
        registry,
        limiter: createFixedWindowLimiter({ limit: 5, windowMs: 60_000, now: Date.now }),
        lockout: createFailureLockout({ now: Date.now }),
        globalLockout: createFailureLockout({ now: Date.now, maxFailures: 100, maxKeys: 1 }),
        homeId,
        onChange: (event) => pairingLog.info(event, `device ${event.action}`),
      }),
      sessionRoutes({
        registry: sessionRegistry,
        heartbeatMs: 15_000,
        approvals: tools.approvals,
        streams: createStreamGate(config.Daemon.MaxEventStreams),
      }),
      ...feature.routes(),
      openApiRoutes({ version: build.version }),
    ],
  });

  try {
    await app.listen({ host: config.Daemon.Host, port: config.Daemon.Port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${config.Daemon.Host}:${config.Daemon.Port}`;
    store.close();
    abort({
      message:
        code === "EADDRINUSE"
          ? `Cannot listen on ${where}: the address is already in use by another process.`
          : `Cannot listen on ${where}: ${(error as Error).message}.`,
      remediation:
        code === "EADDRINUSE"
          ? "Stop the other process, or set Daemon.Port (NETCLAW_Daemon__Port) to a free port."
          : "Check Daemon.Host and Daemon.Port.",
      exitCode: 1,
      error,
    });
  }

  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.Daemon.Port;
  const listening = `http://${config.Daemon.Host.includes(":") ? `[${config.Daemon.Host}]` : config.Daemon.Host}:${port}`;
  writePidFile(paths.pidFile, {
    pid: process.pid,
    startedAt: startedAt.toISOString(),
    endpoint: endpointFromBind(config.Daemon.Host, port),
  });
  if (mode !== "local" && !bootstrapCompleted) {
    try {
      markBootstrapCompleted({ path: paths.bootstrapStateFile, now: new Date() });
    } catch (error) {
      lifecycleLog.error({ err: error }, `could not write ${paths.bootstrapStateFile}`);
    }
  }
  ready = true;
  const line = `netclawd ${build.version} listening on ${listening} (exposure ${mode}, home ${paths.root}, pid ${process.pid})`;
  lifecycleLog.info({ port, mode, readyMs: Date.now() - startedAt.getTime() }, line);
  process.stderr.write(`${line}\n`);
  if (models.state === "none") process.stderr.write(`warning: No-Op chat client active: ${models.reason}\n`);
  updates.start(); // after ready: the check never delays serving
  feature.start(); // after listen: reminder runs may need the API, and misses are judged from now

  const supervised = Boolean(env.NETCLAW_CONTAINER_SUPERVISOR?.trim() || env.INVOCATION_ID);
  configWatch = watchConfig({
    dir: paths.configDir,
    loaded: loadedFingerprint,
    onChange: (fingerprint) => {
      const verdict = checkNewConfig({ paths, env, running: config, pairedDevices: () => registry.count() });
      if (!verdict.ok) {
        const line = scrub(
          `Configuration change ignored (the running configuration stays): ${verdict.message} Remediation: ${verdict.remediation}`,
        );
        lifecycleLog.error(line);
        process.stderr.write(`${line}\n`);
        return;
      }
      if (!verdict.changed) {
        loadedFingerprint = fingerprint; // e.g. only the host CLI's DeviceToken changed: nothing to apply
        return;
      }
      if (verdict.daemonChanged && supervised) {
        lifecycleLog.info("Daemon.* changed: exiting so the supervisor restarts netclawd with it");
        void shutdown("config-change");
        return;
      }
      lifecycleLog.info("configuration changed: draining and restarting in place to apply it");
      void shutdown("config-change", { restart: true });
    },
  });

  let signals = 0;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      signals += 1;
      if (signals > 1) finish(1); // a second signal means "now"
      void shutdown(signal);
    });
  }
}
