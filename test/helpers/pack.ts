import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./processes.ts";

export type Installed = { prefix: string; netclaw: string; netclawd: string; tarball: string };

/**
 * `npm pack` this checkout (prepack compiles dist/) and `npm install -g` the tarball into a
 * temporary prefix — exactly what a user of the published package gets.
 */
export function packAndInstall(): Installed {
  const work = mkdtempSync(join(tmpdir(), "netclaw-pack-"));
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const env = {
    ...process.env,
    npm_config_loglevel: "error",
    npm_config_fund: "false",
    npm_config_audit: "false",
  };
  execFileSync(npm, ["pack", "--pack-destination", work], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!);
  const prefix = join(work, "prefix");
  execFileSync(npm, ["install", "-g", "--prefix", prefix, "--prefer-offline", tarball], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return {
    prefix,
    tarball,
    netclaw: join(prefix, "bin", "netclaw"),
    netclawd: join(prefix, "bin", "netclawd"),
  };
}
