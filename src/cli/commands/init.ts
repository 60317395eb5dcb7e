import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import * as p from "@clack/prompts";
import { writeFileAtomic } from "../../config/atomic-write.ts";
import { ConfigError } from "../../config/errors.ts";
import { renderSoul, renderTooling } from "../../config/identity.ts";
import { readJsonObject } from "../../config/loader.ts";
import { listModels } from "../../config/providers/list-models.ts";
import { getPath } from "../../config/tree.ts";
import type { CliContext } from "../context.ts";
import { probeDaemon } from "../daemon-probe.ts";
import { homeIdOf } from "../endpoint.ts";
import { applyAnswers, FEATURES, type InitAnswers } from "../init/answers.ts";
import { type Discover, testConnection } from "../init/connectivity.ts";
import { answersFromFlags, type ScriptedFlags } from "../init/scripted.ts";
import { askExposure, askIdentity, askPosture, askProvider, WizardCancelled } from "../init/wizard.ts";
import { print, printError, UsageError } from "../output.ts";
import { daemonStart, daemonStop, runningPid } from "./daemon.ts";

export type InitOptions = ScriptedFlags & { nonInteractive?: boolean; start?: boolean; skipCheck?: boolean };

const discover: Discover = async ({ name, provider, signal }) => listModels({ name, provider, signal });

/**
 * `netclaw init`: the wizard on a terminal, or `--non-interactive` with flags. Nothing is
 * written until every answer is known; Ctrl+C writes nothing. Ends with a health check (start
 * or restart the daemon; under a container supervisor, ask it to restart) and `netclaw chat`.
 */
export async function initCommand(context: CliContext, options: InitOptions): Promise<number> {
  if (options.nonInteractive) return scripted(context, options);
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError(
      "netclaw init is interactive and needs a terminal: run it as `docker exec -it netclaw netclaw init` or in a shell, or script it with `netclaw init --non-interactive --provider <type> --model <id>`.",
    );
  }
  try {
    return await interactive(context, options);
  } catch (error) {
    if (error instanceof WizardCancelled) {
      p.cancel("Setup cancelled — nothing was written.");
      return 1;
    }
    throw error;
  }
}

async function scripted(context: CliContext, options: InitOptions): Promise<number> {
  const answers = answersFromFlags(options, context.env, { workspacesDir: context.paths.workspacesDir });
  if (!options.skipCheck) {
    const verdict = await testConnection({ discover, ...answers.provider });
    if (!verdict.ok) {
      printError(
        `[FAIL] provider check: ${answers.provider.name} (${answers.provider.type}): ${verdict.message}`,
      );
      printError(
        "       fix: correct --endpoint / --api-key-env, or pass --skip-check to write the configuration anyway. Nothing was written.",
      );
      return 1;
    }
    print(`[PASS] provider check: ${answers.provider.name} answers (${verdict.models.length} model(s)).`);
  }
  return finish(context, answers, options);
}

async function interactive(context: CliContext, options: InitOptions): Promise<number> {
  p.intro("netclaw init");
  if (existsSync(context.paths.configFile)) {
    const choice = await p.select({
      message: "netclaw is already set up here. What would you like to do?",
      options: [
        { value: "identity", label: "Redo identity setup" },
        { value: "provider", label: "Change provider and model" },
        { value: "reset", label: "Start over from scratch", hint: "archives the current setup first" },
        { value: "cancel", label: "Cancel" },
      ],
    });
    if (p.isCancel(choice) || choice === "cancel") throw new WizardCancelled();
    if (choice === "identity") return redoIdentity(context);
    if (choice === "provider") {
      const chosen = await askProvider(discover);
      const current = currentAnswers(context);
      if (!writeAnswers(context, { ...current, ...chosen })) return 1;
      return healthAndSummary(context, options);
    }
    const first = await p.confirm({
      message: "Archive the current configuration, secrets and identity and start over?",
      initialValue: false,
    });
    if (p.isCancel(first) || !first) throw new WizardCancelled();
    const second = await p.text({
      message: "Type RESET to confirm",
      validate: (v) => (v === "RESET" ? undefined : "Type RESET (capitals) to confirm, or press Ctrl+C."),
    });
    if (p.isCancel(second)) throw new WizardCancelled();
    const archive = archiveSetup(context);
    p.log.info(`The previous setup is in ${archive}.`);
  }
  const provider = await askProvider(discover);
  const identity = await askIdentity({ workspacesDir: context.paths.workspacesDir });
  const { posture, features } = await askPosture();
  const exposure = await askExposure();
  const answers: InitAnswers = { ...provider, ...identity, posture, features, exposure };
  p.note(
    [
      `Provider   ${answers.provider.name} (${answers.provider.type})${answers.provider.apiKey ? ", key stored encrypted" : ""}`,
      `Model      ${answers.modelId}`,
      `Owner      ${answers.userName} (${answers.timezone})`,
      `Posture    ${answers.posture}${answers.features.length ? ` — ${answers.features.join(", ")}` : ""}`,
      `Exposure   ${answers.exposure.mode}`,
    ].join("\n"),
    "Summary",
  );
  const go = await p.confirm({ message: "Write this configuration?", initialValue: true });
  if (p.isCancel(go) || !go) throw new WizardCancelled();
  return finish(context, answers, options);
}

async function finish(context: CliContext, answers: InitAnswers, options: InitOptions): Promise<number> {
  const written = writeAnswers(context, answers);
  if (!written) return 1;
  print(
    `Wrote ${written.length} file(s): ${written.map((f) => f.replace(`${context.paths.root}/`, "")).join(", ")}.`,
  );
  return healthAndSummary(context, options);
}

/**
 * applyAnswers, with a configuration the daemon would refuse reported in its words: the files
 * written, or undefined after printing the error (nothing was written then).
 */
function writeAnswers(context: CliContext, answers: InitAnswers): string[] | undefined {
  try {
    return applyAnswers(context, answers);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    printError(`error: ${error.message}`);
    printError(`       fix: ${error.remediation}`);
    printError(`Nothing was written; ${context.paths.configFile} is unchanged.`);
    return undefined;
  }
}

/** Starts (or restarts) the daemon so it picks the configuration up, then reports. */
async function healthAndSummary(context: CliContext, options: InitOptions): Promise<number> {
  let code = 0;
  if (options.start !== false) {
    if (context.inContainer) code = await restartUnderSupervisor(context);
    else {
      if (runningPid(context) !== undefined) await daemonStop(context);
      code = await daemonStart(context);
    }
  }
  print("");
  print('Run `netclaw chat` to talk to your agent (or `netclaw chat -p "…"` for one answer).');
  print(
    "Run `netclaw config` commands or `netclaw init` again to change settings; `netclaw doctor` checks everything.",
  );
  return code;
}

/** In the container the supervisor owns netclawd: ask it to exit and wait for the restart. */
async function restartUnderSupervisor(context: CliContext): Promise<number> {
  const client = context.client({ timeoutMs: 3000 });
  try {
    await client.post("/api/lifecycle/shutdown?reason=init");
  } catch {
    // not running: the supervisor is restarting it already
  }
  print("Asked the container supervisor to restart netclawd with the new configuration…");
  const deadline = Date.now() + 60_000;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  while (Date.now() < deadline) {
    try {
      const probe = await probeDaemon(context.endpoint().url, homeIdOf(context.paths), 1000);
      if (probe.kind === "ours" && probe.ready) {
        print("netclawd is back and ready.");
        return 0;
      }
    } catch {
      // still restarting
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  printError("netclawd did not come back within 60 s; check `docker logs <container>`.");
  return 1;
}

function currentAnswers(context: CliContext): InitAnswers {
  const file = readJsonObject(context.paths.configFile).tree ?? {};
  const posture = String(
    getPath(file, ["Security", "DeploymentPosture"]) ?? "Personal",
  ) as InitAnswers["posture"];
  return {
    provider: { name: "", type: "ollama" },
    modelId: "",
    userName: "",
    timezone: "UTC",
    workspacesDir: String(getPath(file, ["Workspaces", "Directory"]) ?? context.paths.workspacesDir),
    posture,
    features: FEATURES.filter((f) => getPath(file, [f, "Enabled"]) === true),
    exposure: { mode: String(getPath(file, ["Daemon", "ExposureMode"]) ?? "local") },
  };
}

async function redoIdentity(context: CliContext): Promise<number> {
  const current = currentAnswers(context);
  const identity = await askIdentity({ workspacesDir: current.workspacesDir });
  writeFileAtomic(join(context.paths.identityDir, "SOUL.md"), renderSoul(identity));
  writeFileAtomic(
    join(context.paths.identityDir, "TOOLING.md"),
    renderTooling({ ...identity, posture: current.posture }),
  );
  p.outro("Identity updated (SOUL.md, TOOLING.md); the daemon reads it on the next turn.");
  return 0;
}

/** Moves config, secrets, devices and identity into `backups/init-<time>/`; keeps keys, sessions and logs. */
function archiveSetup(context: CliContext): string {
  const folder = join(context.paths.backupsDir, `init-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  for (const [from, name] of [
    [context.paths.configFile, "netclaw.json"],
    [context.paths.secretsFile, "secrets.json"],
    [context.paths.devicesFile, "devices.json"],
    [context.paths.identityDir, "identity"],
  ] as const) {
    if (existsSync(from)) renameSync(from, join(folder, name));
  }
  return folder;
}
