import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { commandWarning } from "./mcp-command-check.ts";

const dir = mkdtempSync(join(tmpdir(), "netclaw-mcp-command-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const bin = join(dir, "bin");
mkdirSync(bin);
writeFileSync(join(bin, "mcp-server"), "#!/bin/sh\n");
chmodSync(join(bin, "mcp-server"), 0o755);
writeFileSync(join(bin, "not-executable"), "");
mkdirSync(join(bin, "a-directory"));
const env = { PATH: `/nonexistent:${bin}` };

test("a command found on PATH, or an absolute path to an executable file, gets no warning", () => {
  assert.equal(commandWarning({ command: "mcp-server", env, cwd: dir }), undefined);
  assert.equal(commandWarning({ command: join(bin, "mcp-server"), env: {}, cwd: "/" }), undefined);
});

test("a bare name not on PATH (or only as a non-executable file or a directory) is named with the fix", () => {
  for (const command of ["mcp-server-missing", "not-executable", "a-directory"]) {
    const warning = commandWarning({ command, env, cwd: dir });
    assert.match(
      warning ?? "",
      new RegExp(`'${command}' was not found on PATH.*give the full path with --command`),
    );
  }
  assert.match(commandWarning({ command: "mcp-server", env: {}, cwd: dir }) ?? "", /not found on PATH/);
});

test("the server's own PATH (from --env) decides, as it does when the daemon starts it", () => {
  assert.match(
    commandWarning({ command: "mcp-server", env: { PATH: "/usr/bin" }, cwd: dir }) ?? "",
    /not found/,
  );
});

test("paths: a missing or non-executable absolute path warns; a relative one always points to the absolute form", () => {
  assert.match(
    commandWarning({ command: join(bin, "nope"), env, cwd: dir }) ?? "",
    /is not an executable file/,
  );
  assert.match(
    commandWarning({ command: join(bin, "not-executable"), env, cwd: dir }) ?? "",
    /not an executable/,
  );
  assert.equal(
    commandWarning({ command: "./bin/mcp-server", env, cwd: dir }),
    `'./bin/mcp-server' is a relative path: the daemon resolves it against its own working directory, not this one. Use the absolute path: --command ${join(bin, "mcp-server")}`,
  );
  assert.match(commandWarning({ command: "bin/nope", env, cwd: dir }) ?? "", /not an executable file here/);
});
