// Compiles src/ to dist/ for the published package (Node will not strip types under
// node_modules), copies the SQL migrations, records the build's version and commit, and writes
// the configuration JSON Schema that ships with the package.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateConfigJsonSchema } from "../src/config/loader.ts";
import { gitHead } from "../src/protocol/build-info.ts";

const root = join(import.meta.dirname, "..");
const dist = join(root, "dist");
const started = performance.now();

rmSync(dist, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "tsconfig.build.json")],
  {
    stdio: "inherit",
  },
);

const migrations = join(root, "src", "daemon", "store", "migrations");
if (existsSync(migrations)) {
  cpSync(migrations, join(dist, "daemon", "store", "migrations"), {
    recursive: true,
    filter: (p) => !p.endsWith(".ts"),
  });
}

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
const info = {
  version: pkg.version,
  commit: gitHead(root) ?? process.env.NETCLAW_BUILD_COMMIT ?? "unknown",
  builtAt: new Date().toISOString(),
};
writeFileSync(join(dist, "build-info.json"), `${JSON.stringify(info, null, 2)}\n`);

writeFileSync(join(root, "netclaw-config.v1.schema.json"), `${JSON.stringify(schemaDocument(), null, 2)}\n`);
process.stdout.write(
  `built dist/ (${info.version}, commit ${info.commit}) in ${Math.round(performance.now() - started)} ms\n`,
);

function schemaDocument() {
  return {
    ...generateConfigJsonSchema(),
    $id: "https://netclaw.dev/schemas/netclaw-config.v1.schema.json",
    title: "netclaw configuration (config/netclaw.json, configVersion 1)",
  };
}
