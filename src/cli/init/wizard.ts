import * as p from "@clack/prompts";
import { EXPOSURE_MODES, isLoopbackHost, validateTrustedProxies } from "../../config/exposure.ts";
import { isValidTimeZone } from "../../config/identity.ts";
import { providerType } from "../../config/schema.ts";
import {
  FEATURES,
  type Feature,
  type InitAnswers,
  POSTURE_HELP,
  POSTURES,
  type Posture,
  type ProviderType,
} from "./answers.ts";
import { DEFAULT_ENDPOINTS, type Discover, testConnection } from "./connectivity.ts";

/** Thrown (and caught by the command) when the user presses Ctrl+C or Esc: nothing is written. */
export class WizardCancelled extends Error {}

function ask<T>(value: T | symbol): Exclude<T, symbol> {
  if (typeof value === "symbol" || p.isCancel(value)) throw new WizardCancelled();
  return value as Exclude<T, symbol>;
}

const TYPE_LABELS: Record<ProviderType, string> = {
  openrouter: "OpenRouter (many models, one key)",
  anthropic: "Anthropic",
  openai: "OpenAI",
  ollama: "Ollama (local models, no key)",
  "openai-compatible": "OpenAI-compatible server (vLLM, llama.cpp, LM Studio…)",
};

/** Provider → key → endpoint → connectivity test (retry/fix loop) → model. */
export async function askProvider(discover: Discover): Promise<Pick<InitAnswers, "provider" | "modelId">> {
  const type = ask(
    await p.select({
      message: "Which model provider?",
      options: providerType.options.map((value) => ({ value, label: TYPE_LABELS[value] })),
    }),
  ) as ProviderType;
  const name = type === "ollama" ? "local-ollama" : type;
  let apiKey: string | undefined;
  let endpoint: string | undefined = type === "openai-compatible" ? undefined : DEFAULT_ENDPOINTS[type];
  for (;;) {
    if (type !== "ollama") {
      const entered = ask(
        await p.password({
          message: `${TYPE_LABELS[type].split(" (")[0]} API key${type === "openai-compatible" ? " (leave empty if none)" : ""}`,
          mask: "•",
          validate: (v) =>
            type !== "openai-compatible" && !v?.trim()
              ? "An API key is required for this provider."
              : undefined,
        }),
      );
      apiKey = entered.trim() || undefined;
    }
    endpoint = ask(
      await p.text({
        message: "Endpoint (base URL)",
        initialValue: endpoint ?? "",
        placeholder: type === "openai-compatible" ? "http://localhost:8000/v1" : undefined,
        validate: (v) => {
          try {
            const url = new URL(v ?? "");
            return url.protocol === "http:" || url.protocol === "https:"
              ? undefined
              : "Use an http:// or https:// URL.";
          } catch {
            return "Enter a URL such as http://localhost:11434.";
          }
        },
      }),
    ).trim();
    const spin = p.spinner();
    spin.start("Testing the connection");
    const verdict = await testConnection({ discover, name, type, endpoint, apiKey });
    spin.stop(
      verdict.ok
        ? `Connected: ${verdict.models.length} model(s) available.`
        : `Connection failed: ${verdict.message}`,
    );
    const provider = {
      name,
      type,
      endpoint: endpoint === DEFAULT_ENDPOINTS[type] ? undefined : endpoint,
      apiKey,
    };
    if (verdict.ok) {
      const modelId = await askModel(verdict.models.map((m) => m.id));
      return {
        provider,
        modelId,
      };
    }
    const next = ask(
      await p.select({
        message: "What now?",
        options: [
          { value: "retry", label: "Fix the key or endpoint and test again" },
          { value: "continue", label: "Continue without a working connection (type the model id)" },
        ],
      }),
    );
    if (next === "continue") {
      const modelId = ask(
        await p.text({
          message: "Model id",
          validate: (v) => (v?.trim() ? undefined : "A model id is required."),
        }),
      );
      return {
        provider,
        modelId: modelId.trim(),
      };
    }
  }
}

async function askModel(ids: string[]): Promise<string> {
  if (ids.length === 0) {
    return ask(
      await p.text({
        message: "Model id",
        validate: (v) => (v?.trim() ? undefined : "A model id is required."),
      }),
    ).trim();
  }
  return ask(
    await p.autocomplete({
      message: `Model (${ids.length} available — type to filter)`,
      options: ids.map((id) => ({ value: id, label: id })),
      maxItems: 8,
    }),
  ) as string;
}

export async function askIdentity(defaults: {
  workspacesDir: string;
}): Promise<Pick<InitAnswers, "userName" | "timezone" | "workspacesDir">> {
  const userName = ask(
    await p.text({
      message: "Your name",
      validate: (v) => (v?.trim() ? undefined : "Your name is required."),
    }),
  ).trim();
  const guess = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const timezone = ask(
    await p.text({
      message: "Your time zone (IANA, e.g. Europe/Berlin)",
      initialValue: guess,
      validate: (v) =>
        isValidTimeZone(v?.trim() ?? "")
          ? undefined
          : `'${v}' is not an IANA time zone such as Europe/Berlin or UTC.`,
    }),
  ).trim();
  const workspacesDir = ask(
    await p.text({ message: "Workspaces directory", initialValue: defaults.workspacesDir }),
  ).trim();
  return { userName, timezone, workspacesDir };
}

export async function askPosture(): Promise<{ posture: Posture; features: Feature[] }> {
  const posture = ask(
    await p.select({
      message: "Who will talk to this agent?",
      options: POSTURES.map((value) => ({ value, label: value, hint: POSTURE_HELP[value] })),
    }),
  ) as Posture;
  if (posture === "Personal") return { posture, features: [...FEATURES].filter((f) => f !== "Webhooks") };
  const features = ask(
    await p.multiselect({
      message: "Which features should be on?",
      options: FEATURES.map((value) => ({ value, label: value })),
      initialValues: posture === "Team" ? ["Memory", "Scheduling"] : [],
      required: false,
    }),
  ) as Feature[];
  return { posture, features };
}

export async function askExposure(): Promise<InitAnswers["exposure"]> {
  const mode = ask(
    await p.select({
      message: "How will you reach the daemon?",
      options: EXPOSURE_MODES.map((value) => ({ value, label: value, hint: EXPOSURE_HINTS[value] })),
      initialValue: "local",
    }),
  ) as string;
  if (mode === "tailscale-funnel" || mode === "cloudflare-tunnel") {
    const sure = ask(
      await p.confirm({
        message: `${mode} puts the daemon on the public internet. Continue?`,
        initialValue: false,
      }),
    );
    if (!sure) return askExposure();
  }
  if (mode !== "reverse-proxy") return { mode };
  const host = ask(
    await p.text({
      message: "Bind address for the proxy to reach (not loopback)",
      initialValue: "0.0.0.0",
      validate: (v) =>
        isLoopbackHost(v ?? "")
          ? `Daemon.Host '${v}' is loopback and cannot be used for reverse-proxy exposure.`
          : undefined,
    }),
  ).trim();
  const proxies = ask(
    await p.text({
      message: "Trusted proxy addresses (comma-separated IPs or CIDRs)",
      validate: (v) => {
        const list = (v ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        if (list.length === 0)
          return "Daemon.TrustedProxies must contain at least one IP address or CIDR for reverse-proxy exposure.";
        return validateTrustedProxies(list)?.message;
      },
    }),
  );
  return {
    mode,
    host,
    trustedProxies: proxies
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

const EXPOSURE_HINTS: Record<string, string> = {
  local: "this machine only (recommended; use docker exec / SSH)",
  "reverse-proxy": "behind nginx/Caddy/Traefik on your network",
  "tailscale-serve": "your tailnet only (recommended for remote use)",
  "tailscale-funnel": "public internet through Tailscale (high risk)",
  "cloudflare-tunnel": "public internet through Cloudflare (high risk; add Cloudflare Access)",
};
