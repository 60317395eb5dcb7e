import { isTree, type Tree } from "./tree.ts";

/** Where a configuration value came from, for messages that name the file or variable to fix. */
export type ConfigSource =
  | { kind: "default" }
  | { kind: "file"; path: string }
  | { kind: "env"; name: string };

export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case "file":
      return source.path;
    case "env":
      return `environment variable ${source.name}`;
    default:
      return "built-in defaults";
  }
}

/** Records the source of every leaf, keyed by lower-cased dotted path; later layers overwrite. */
export class Provenance {
  readonly #sources = new Map<string, ConfigSource>();

  recordTree(tree: Tree, source: ConfigSource, prefix: string[] = []): void {
    for (const [key, value] of Object.entries(tree)) {
      const path = [...prefix, key];
      if (!isTree(value)) this.record(path, source);
      else if (Object.keys(value).length > 0) this.recordTree(value, source, path);
      // An empty object adds nothing to merge, but a message about it must name its file.
      else if (this.lookup(path).kind === "default") this.record(path, source);
    }
  }

  record(path: readonly string[], source: ConfigSource): void {
    const key = path.join(".").toLowerCase();
    // A new layer replaces everything it covers.
    for (const existing of this.#sources.keys()) {
      if (existing.startsWith(`${key}.`)) this.#sources.delete(existing);
    }
    this.#sources.set(key, source);
  }

  /** The source of `path`, of its nearest recorded ancestor, or of any leaf below it. */
  lookup(path: readonly (string | number)[]): ConfigSource {
    const segments = path.map(String);
    for (let n = segments.length; n > 0; n--) {
      const found = this.#sources.get(segments.slice(0, n).join(".").toLowerCase());
      if (found) return found;
    }
    const prefix = `${segments.join(".").toLowerCase()}.`;
    for (const [key, source] of this.#sources) {
      if (key.startsWith(prefix)) return source;
    }
    return { kind: "default" };
  }
}
