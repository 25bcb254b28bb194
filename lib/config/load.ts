/**
 * Loads experiment configs: YAML (npm:yaml) → dotted command-line overrides → schema validation.
 * Errors are `ConfigError`s naming the file, the line (from yaml's node positions) and the key; an
 * override's errors name the override. A lineage run.json works as a config file too: its `config`
 * field is used, which is how `deno task reproduce` replays a recorded config.
 * @module
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parse, parseDocument } from "yaml";
import type { Node } from "yaml";
import type { ParseContext, Schema } from "./schema.ts";

/**
 * A config that does not parse or does not fit its schema; `file`, `line` and `key` say where.
 *
 * @example
 * ```ts
 * try {
 *   parseConfig("a: 1\n", t.object({}), { file: "x.yaml" });
 * } catch (error) {
 *   if (error instanceof ConfigError) console.log(error.line, error.key); // 1 "a"
 * }
 * ```
 */
export class ConfigError extends SyntaxError {
  /** The config file (or "command line"). */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** Dotted key, when known. */
  readonly key?: string;
  constructor(
    message: string,
    details: { file: string; line?: number; key?: string; cause?: unknown },
  ) {
    super(message, { cause: details.cause });
    this.name = "ConfigError";
    this.file = details.file;
    this.line = details.line;
    this.key = details.key;
  }
}

/** Options for {@linkcode parseConfig}. */
export interface ParseConfigOptions {
  /** File name used in messages. @default "<config>" */
  file?: string;
  /** Dotted overrides, `--rl.estimator=grpo` or `rl.estimator=grpo`; values parse as YAML. @default [] */
  overrides?: string[];
}

/** A parsed override: key path and value. */
export interface Override {
  path: string[];
  value: unknown;
  /** The original text. */
  text: string;
}

/**
 * Parses `--a.b=value` (or `a.b=value`); the value is read as YAML, so `3` is a number, `true` a
 * boolean, `[1, 2]` a list and `grpo` a string.
 *
 * @param text The override.
 * @returns Path, value and text.
 * @throws {ConfigError} When there is no `=` or the key is empty.
 * @example
 * ```ts
 * parseOverride("--rl.estimator=grpo"); // { path: ["rl", "estimator"], value: "grpo", ... }
 * ```
 */
export function parseOverride(text: string): Override {
  const body = text.replace(/^--/, "");
  const eq = body.indexOf("=");
  const key = eq > 0 ? body.slice(0, eq) : "";
  if (!/^[A-Za-z_][\w-]*(\.[\w-]+)*$/.test(key)) {
    throw new ConfigError(
      `Cannot apply override "${text}": expected --key.path=value, got no key`,
      {
        file: "command line",
      },
    );
  }
  const raw = body.slice(eq + 1);
  let value: unknown;
  try {
    value = raw === "" ? "" : parse(raw);
  } catch {
    value = raw;
  }
  return { path: key.split("."), value, text };
}

function setPath(target: Record<string, unknown>, override: Override): void {
  let node = target;
  override.path.slice(0, -1).forEach((key, i) => {
    const next = node[key];
    if (next === undefined || next === null) node[key] = {};
    else if (typeof next !== "object" || Array.isArray(next)) {
      throw new ConfigError(
        `Cannot apply override "${override.text}": expected ${
          override.path.slice(0, i + 1).join(".")
        } to be a mapping, got ${JSON.stringify(next)}`,
        { file: "command line", key: override.path.join(".") },
      );
    }
    node = node[key] as Record<string, unknown>;
  });
  node[override.path.at(-1)!] = override.value;
}

/** The node (key or value) at a path of a YAML document, for line numbers. */
function nodeAt(root: unknown, path: readonly string[], at: "key" | "value"): Node | undefined {
  let node = root as Node | undefined;
  let keyNode: Node | undefined;
  for (const part of path) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) =>
        isPair(p) && isScalar(p.key) && String(p.key.value) === part
      );
      if (!pair) return node;
      keyNode = pair.key as Node;
      node = (pair.value ?? pair.key) as Node;
    } else if (isSeq(node) && /^\d+$/.test(part) && node.items[Number(part)]) {
      node = node.items[Number(part)] as Node;
    } else return node;
  }
  return at === "key" && keyNode ? keyNode : node;
}

/**
 * Parses YAML text into a typed config: YAML → overrides → schema.
 *
 * @typeParam T The config type.
 * @param text YAML (or JSON; a lineage run.json contributes its `config`).
 * @param schema An object schema from `t.object`.
 * @param options See {@linkcode ParseConfigOptions}.
 * @returns The resolved config, defaults filled in.
 * @throws {ConfigError} Naming file, line and key, for bad YAML, unknown keys and bad values.
 * @example
 * ```ts
 * const schema = t.object({ seed: t.integer({ default: 0 }) });
 * parseConfig("seed: 3\n", schema, { overrides: ["--seed=4"] }); // { seed: 4 }
 * ```
 */
export function parseConfig<T>(
  text: string,
  schema: Schema<T>,
  options: ParseConfigOptions = {},
): T {
  const { file = "<config>", overrides = [] } = options;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = lineCounter.linePos(e.pos[0]).line;
    throw new ConfigError(
      `Cannot parse ${file}:${line}: expected YAML, got ${e.code}: ${e.message.split("\n")[0]}`,
      {
        file,
        line,
        cause: e,
      },
    );
  }
  let root: unknown = doc.contents;
  let value = doc.toJS() ?? {};
  if (value && typeof value === "object" && "schema_version" in value && "config" in value) {
    root = nodeAt(root, ["config"], "value"); // a lineage record: replay its config
    value = (value as { config: unknown }).config ?? {};
  }
  const parsed = overrides.map(parseOverride);
  if (parsed.length > 0) {
    if (typeof value !== "object" || Array.isArray(value)) value = {};
    for (const o of parsed) setPath(value as Record<string, unknown>, o);
  }
  const ctx: ParseContext = {
    fail(path, message, at = "value") {
      const key = path.join(".");
      const override = [...parsed].reverse().find((o) =>
        o.path.join(".") === key || key.startsWith(`${o.path.join(".")}.`) ||
        o.path.join(".").startsWith(`${key}.`)
      );
      if (override) {
        throw new ConfigError(`Cannot apply override "${override.text}" to ${file}: ${message}`, {
          file: "command line",
          key,
        });
      }
      const node = nodeAt(root, path, at);
      const line = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
      throw new ConfigError(`Cannot load ${file}${line ? `:${line}` : ""}: ${message}`, {
        file,
        line,
        key,
      });
    },
  };
  return schema.parse(value, [], ctx);
}

/**
 * Reads a YAML config file and resolves it against a schema with dotted overrides.
 *
 * @typeParam T The config type.
 * @param path YAML file (or a lineage run.json).
 * @param schema An object schema.
 * @param overrides Dotted overrides (`--rl.estimator=grpo`). @default []
 * @returns The resolved config.
 * @throws {ConfigError} For a missing file, bad YAML, unknown keys and bad values.
 * @example
 * ```ts
 * const config = await loadConfig("experiments/configs/demo.yaml", DEMO_CONFIG_SCHEMA, ["--seed=2"]);
 * ```
 */
export async function loadConfig<T>(
  path: string,
  schema: Schema<T>,
  overrides: string[] = [],
): Promise<T> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new ConfigError(
      `Cannot read config ${path}: expected a readable YAML file, got ${(error as Error).name}`,
      {
        file: path,
        cause: error,
      },
    );
  }
  return parseConfig(text, schema, { file: path, overrides });
}

/**
 * Splits CLI arguments into dotted config overrides (`--a.b=v`, or `--key=v` for a top-level config
 * key in `configKeys`) and the rest (the script's own flags).
 *
 * @param args Command-line arguments.
 * @param configKeys Top-level config keys that may be overridden without a dot. @default []
 * @returns `{ overrides, rest }`.
 * @example
 * ```ts
 * splitOverrides(["--rl.estimator=grpo", "--quick"]); // { overrides: ["--rl.estimator=grpo"], rest: ["--quick"] }
 * ```
 */
export function splitOverrides(
  args: string[],
  configKeys: readonly string[] = [],
): { overrides: string[]; rest: string[] } {
  const overrides: string[] = [];
  const rest: string[] = [];
  for (const arg of args) {
    const m = /^--([A-Za-z_][\w-]*)((?:\.[\w-]+)*)=/.exec(arg);
    if (m && (m[2] !== "" || configKeys.includes(m[1]))) overrides.push(arg);
    else rest.push(arg);
  }
  return { overrides, rest };
}
