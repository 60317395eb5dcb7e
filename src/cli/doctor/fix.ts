import { encryptPlaintextSecrets, readSecrets } from "../../config/secrets-file.ts";
import type { CliContext } from "../context.ts";
import { createPrompter } from "../prompt.ts";

export type FixOptions = { dryRun: boolean; yes: boolean; json: boolean };
export type FixReport = {
  requested: true;
  dryRun: boolean;
  changedFiles: string[];
  files: { path: string; description: string }[];
};

/**
 * `netclaw doctor --fix`: the one repair so far — encrypting plaintext values in secrets.json,
 * after a backup. Shows what would change, then asks `Apply these fixes? [y/N]: ` unless `--yes`
 * (`--dry-run` only shows). Never prints a value. Runs before the checks so they report the result.
 */
export async function runDoctorFixes(context: CliContext, options: FixOptions): Promise<FixReport> {
  const location = { secretsPath: context.paths.secretsFile, keyPath: context.paths.secretsKey };
  const report: FixReport = { requested: true, dryRun: options.dryRun, changedFiles: [], files: [] };
  const say = (line: string) => {
    if (!options.json) process.stdout.write(`${line}\n`);
  };
  let plaintext: string[];
  try {
    plaintext = readSecrets(location).plaintextPaths;
  } catch {
    say("doctor --fix: secrets.json cannot be read or decrypted; fix that first (see below).");
    return report;
  }
  if (plaintext.length === 0) {
    say("doctor --fix: nothing to fix.");
    return report;
  }
  const description = `encrypt ${plaintext.length} plaintext value(s): ${plaintext.join(", ")}`;
  report.files.push({ path: location.secretsPath, description });
  say(`--- ${location.secretsPath}`);
  for (const key of plaintext) say(`  ${key}: plaintext → ENC:v1:…`);
  if (options.dryRun) return report;
  if (!options.yes) {
    const output = options.json ? process.stderr : process.stdout; // keep --json output parseable
    const prompter = createPrompter({ input: process.stdin, output });
    let answer = "";
    try {
      answer = await prompter.ask("Apply these fixes? [y/N]: ");
    } catch {
      answer = "";
    } finally {
      prompter.close();
    }
    if (!/^y(es)?$/i.test(answer.trim())) {
      say("No changes made.");
      return report;
    }
  }
  const backupPath = `${location.secretsPath}.bak-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  encryptPlaintextSecrets({ ...location, backupPath });
  report.changedFiles.push(location.secretsPath);
  say(
    `Encrypted ${plaintext.length} value(s); the previous file is in ${backupPath} (plaintext, 0600: delete it once you have checked).`,
  );
  return report;
}
