import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { cleanEnv, NETCLAWD, runCommand, runDaemonToExit, tempHome } from "./helpers/processes.ts";

const homes: (() => void)[] = [];
after(() => {
  for (const cleanup of homes) cleanup();
});

/** A home with netclaw.json holding `raw`; returns paths and a snapshot function. */
function homeWithConfig(raw?: string) {
  const h = tempHome();
  homes.push(h.cleanup);
  mkdirSync(join(h.home, "config"), { recursive: true });
  const file = join(h.home, "config", "netclaw.json");
  if (raw !== undefined) writeFileSync(file, raw);
  return { home: h.home, file };
}

const EXIT_CONFIG = 78;

function crashLogs(home: string): string[] {
  const dir = join(home, "logs");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith("crash-"))
    .map((f) => readFileSync(join(dir, f), "utf8"));
}

async function expectAbort(env: NodeJS.ProcessEnv, home: string, expected: RegExp | string) {
  const result = await runDaemonToExit(env);
  assert.equal(result.code, EXIT_CONFIG, result.stderr);
  const line = result.stderr.split("\n").find((l) => l.startsWith("Daemon startup aborted: "));
  assert.ok(line, `no abort line in: ${result.stderr}`);
  if (typeof expected === "string") assert.ok(line.includes(expected), line);
  else assert.match(line, expected);
  assert.match(line, / Remediation: .+/);
  // A configuration error is not a crash: no crash log, no stack trace anywhere.
  assert.deepEqual(crashLogs(home), [], "no crash log for a configuration error");
  assert.doesNotMatch(result.stderr, /^\s+at /m);
  const daily = existsSync(join(home, "logs"))
    ? readdirSync(join(home, "logs")).find((f) => f.startsWith("daemon-"))
    : undefined;
  if (daily) assert.ok(readFileSync(join(home, "logs", daily), "utf8").includes("Daemon startup aborted"));
  return line;
}

describe("netclawd refuses bad configuration with an exact message and a non-zero exit", () => {
  test("Daemon.Host=0.0.0.0 in local mode (the Docker page's error)", async () => {
    const { home } = homeWithConfig();
    const line = await expectAbort(
      cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__Host: "0.0.0.0" }),
      home,
      "",
    );
    assert.equal(
      line,
      "Daemon startup aborted: Invalid local topology: Daemon.Host '0.0.0.0' is not a loopback address. ExposureMode 'local' requires binding to 127.0.0.1, ::1, or localhost. Remediation: Either bind to a loopback address, or set Daemon.ExposureMode to the appropriate tunnel or reverse-proxy mode for non-loopback traffic.",
    );
  });

  test("an unknown exposure mode", async () => {
    const { home } = homeWithConfig('{"configVersion":1,"Daemon":{"ExposureMode":"public"}}');
    await expectAbort(
      cleanEnv({ NETCLAW_HOME: home }),
      home,
      "Daemon startup aborted: Unknown ExposureMode value: 'public'. Valid values: local, reverse-proxy, tailscale-serve, tailscale-funnel, cloudflare-tunnel.",
    );
  });

  test("invalid JSON names the file, and the file is left as it was", async () => {
    const raw = '{"configVersion":1, "Daemon": {"Port": 5199,,}}';
    const { home, file } = homeWithConfig(raw);
    const before = statSync(file).mtimeMs;
    await expectAbort(cleanEnv({ NETCLAW_HOME: home }), home, `Invalid JSON in ${file}`);
    assert.equal(readFileSync(file, "utf8"), raw);
    assert.equal(statSync(file).mtimeMs, before);
  });

  test("a wrong type names the key, the value and the file", async () => {
    const { home, file } = homeWithConfig('{"configVersion":1,"Daemon":{"Port":"high"}}');
    await expectAbort(
      cleanEnv({ NETCLAW_HOME: home }),
      home,
      `Invalid configuration value for Daemon.Port in ${file}: "high"`,
    );
  });

  test("a bad value from the environment names the variable", async () => {
    const { home } = homeWithConfig();
    await expectAbort(
      cleanEnv({ NETCLAW_HOME: home, NETCLAW_Session__CompactionThreshold: "2" }),
      home,
      "Session.CompactionThreshold in environment variable NETCLAW_Session__CompactionThreshold",
    );
  });

  test("a bad enum value", async () => {
    const { home } = homeWithConfig('{"Security":{"DeploymentPosture":"Everyone"}}');
    await expectAbort(cleanEnv({ NETCLAW_HOME: home }), home, "expected one of: Personal, Team, Public");
  });

  test("a model role pointing at an unknown provider", async () => {
    const { home } = homeWithConfig();
    await expectAbort(
      cleanEnv({
        NETCLAW_HOME: home,
        NETCLAW_Models__Main__Provider: "nope",
        NETCLAW_Models__Main__ModelId: "m",
      }),
      home,
      "Models.Main.Provider refers to provider 'nope', which is not configured.",
    );
  });

  test("a home the daemon's user cannot write names the chown fix and changes nothing", async () => {
    const { home } = homeWithConfig('{"configVersion":1}');
    chmodSync(home, 0o755);
    // As root the daemon runs as `nobody` (the Docker bind-mount case: a dir owned by someone else).
    const asOther = process.getuid?.() === 0;
    if (!asOther) chmodSync(home, 0o555);
    try {
      const env = cleanEnv({ NETCLAW_HOME: home });
      const result = asOther
        ? await runCommand(
            "setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, NETCLAWD],
            env,
          )
        : await runDaemonToExit(env);
      assert.notEqual(result.code, 0);
      assert.match(
        result.stderr,
        /^Daemon startup aborted: The netclaw home .+ is not writable by this user \(uid \d+\)/m,
      );
      assert.match(result.stderr, /Remediation: Give it to the user running netclaw: `chown -R \d+:\d+ /);
      assert.match(result.stderr, /chown -R 1654:1654 <host-dir>/);
      assert.deepEqual(readdirSync(home), ["config"]);
    } finally {
      chmodSync(home, 0o700);
    }
  });

  test("unknown keys are warnings, not a refusal to start", async () => {
    const { home } = homeWithConfig('{"configVersion":1,"FutureSection":{"X":1}}');
    const result = await runDaemonToExit(cleanEnv({ NETCLAW_HOME: home, NETCLAW_Daemon__Host: "0.0.0.0" }));
    // It gets past config loading (the warning) and stops at the exposure check.
    assert.match(result.stderr, /Invalid local topology/);
    // A foreground netclawd shows the warning on its console too, naming the file.
    assert.match(
      result.stderr,
      new RegExp(
        `^warning: Unknown configuration key 'FutureSection' in ${join(home, "config", "netclaw.json")} is ignored\\.`,
        "m",
      ),
    );
    const daily = readdirSync(join(home, "logs")).find((f) => f.startsWith("daemon-"))!;
    assert.match(
      readFileSync(join(home, "logs", daily), "utf8"),
      /Unknown configuration key 'FutureSection'/,
    );
  });
});
