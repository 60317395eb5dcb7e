import { isAbsolute } from "node:path";
import { isExposureProblem, parseExposureMode } from "../../config/exposure.ts";
import { isValidTimeZone } from "../../config/identity.ts";
import { providerType } from "../../config/schema.ts";
import { unsupportedKey } from "../../config/unsupported-keys.ts";
import { UsageError } from "../output.ts";
import {
  FEATURES,
  type Feature,
  type InitAnswers,
  POSTURES,
  type Posture,
  type ProviderType,
} from "./answers.ts";

export type ScriptedFlags = {
  provider?: string;
  providerName?: string;
  endpoint?: string;
  apiKeyEnv?: string;
  model?: string;
  name?: string;
  timezone?: string;
  workspaces?: string;
  posture?: string;
  features?: string;
  exposure?: string;
  host?: string;
  trustedProxies?: string;
};

/**
 * `netclaw init --non-interactive …` for Docker entrypoints, Ansible and CI. Every problem is a
 * UsageError (exit 2) that names the flag; the key is read from the variable `--api-key-env`
 * names, so it never appears in a process list or shell history.
 */
export function answersFromFlags(
  flags: ScriptedFlags,
  env: NodeJS.ProcessEnv,
  defaults: { workspacesDir: string },
): InitAnswers {
  const missing = [!flags.provider && "--provider <type>", !flags.model && "--model <id>"].filter(Boolean);
  if (missing.length > 0)
    throw new UsageError(`netclaw init --non-interactive: missing ${missing.join(" and ")}.`);
  const type = flags.provider!.toLowerCase();
  if (!providerType.options.includes(type as ProviderType)) {
    throw new UsageError(
      `netclaw init: --provider '${flags.provider}' is not one of ${providerType.options.join(", ")}.`,
    );
  }
  let apiKey: string | undefined;
  if (flags.apiKeyEnv) {
    apiKey = env[flags.apiKeyEnv]?.trim();
    if (!apiKey)
      throw new UsageError(
        `netclaw init: --api-key-env ${flags.apiKeyEnv}, but that variable is empty or not set.`,
      );
  } else if (type === "openai" || type === "anthropic" || type === "openrouter") {
    throw new UsageError(
      `netclaw init: --provider ${type} needs --api-key-env <VAR> (the name of a variable holding the key).`,
    );
  }
  if (type === "openai-compatible" && !flags.endpoint)
    throw new UsageError("netclaw init: --provider openai-compatible needs --endpoint <url>.");
  if (flags.endpoint) {
    try {
      new URL(flags.endpoint);
    } catch {
      throw new UsageError(`netclaw init: --endpoint '${flags.endpoint}' is not a URL.`);
    }
  }
  const timezone = flags.timezone ?? "UTC";
  if (!isValidTimeZone(timezone))
    throw new UsageError(
      `netclaw init: --timezone '${timezone}' is not an IANA time zone such as Europe/Berlin or UTC.`,
    );
  const posture = (POSTURES.find((p) => p.toLowerCase() === (flags.posture ?? "personal").toLowerCase()) ??
    "") as Posture;
  if (!posture)
    throw new UsageError(`netclaw init: --posture '${flags.posture}' is not one of ${POSTURES.join(", ")}.`);
  const features = (flags.features ?? (posture === "Public" ? "" : "Memory,Scheduling"))
    .split(",")
    .map((f) => f.trim())
    .filter(Boolean)
    .map((f) => {
      const match = FEATURES.find((x) => x.toLowerCase() === f.toLowerCase());
      const unsupported = unsupportedKey([f]);
      if (!match && unsupported)
        throw new UsageError(
          `netclaw init: --features '${f}': ${unsupported} is not supported yet; leave it out (choose from ${FEATURES.join(", ")}).`,
        );
      if (!match)
        throw new UsageError(`netclaw init: --features '${f}' is not one of ${FEATURES.join(", ")}.`);
      return match;
    }) as Feature[];
  const mode = parseExposureMode(flags.exposure ?? "local");
  if (isExposureProblem(mode)) throw new UsageError(`netclaw init: ${mode.message}`);
  const workspacesDir = flags.workspaces ?? defaults.workspacesDir;
  if (!isAbsolute(workspacesDir))
    throw new UsageError(`netclaw init: --workspaces '${workspacesDir}' must be an absolute path.`);
  return {
    provider: {
      name: flags.providerName ?? (type === "ollama" ? "local-ollama" : type),
      type: type as ProviderType,
      endpoint: flags.endpoint,
      apiKey,
    },
    modelId: flags.model!.trim(),
    userName: flags.name?.trim() || "the owner",
    timezone,
    workspacesDir,
    posture,
    features,
    exposure: {
      mode,
      host: flags.host,
      trustedProxies: flags.trustedProxies
        ?.split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    },
  };
}
