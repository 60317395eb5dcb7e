// Shared by bin/netclaw.js and bin/netclawd.js. Plain JavaScript so that an old Node can still
// print a clear message instead of a syntax error.
import { existsSync } from "node:fs";
import module from "node:module";
import { fileURLToPath } from "node:url";

const MIN_MAJOR = 24;

/**
 * Runs `entry` from src/ in a source checkout (Node strips the types) or from dist/ in an
 * installed package (Node will not strip types under node_modules).
 */
export async function launch(entry) {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < MIN_MAJOR) {
    process.stderr.write(
      `netclaw needs Node.js ${MIN_MAJOR} or newer; this is Node.js ${process.versions.node}.\n` +
        "fix: install Node.js 24 LTS (https://nodejs.org) or use the Docker image.\n",
    );
    process.exit(1);
  }
  module.enableCompileCache?.();
  const source = new URL(`../src/${entry}.ts`, import.meta.url);
  const compiled = new URL(`../dist/${entry}.js`, import.meta.url);
  const target = existsSync(fileURLToPath(source)) ? source : compiled;
  const loaded = await import(target.href);
  await loaded.main(process.argv.slice(2));
}
