/**
 * A small typed schema helper for experiment configs (no external validator): numbers, integers,
 * strings, booleans, enums, lists, optional values and nested objects, each with an explicit default
 * and a doc line. Unknown keys are errors. `describeSchema` lists every key with its type, default
 * and doc — the README's config reference is generated from it.
 * @module
 */

/** Where a value sits (key path) and how to fail there; supplied by the loader. */
export interface ParseContext {
  /** Throws a config error at `path`; `at: "key"` points at the key rather than the value. */
  fail(path: readonly string[], message: string, at?: "key" | "value"): never;
}

/** A typed field: parses an unknown value into `T`, or fails naming the path. */
export interface Schema<T> {
  /** Human type name ("number >= 0", "one of capo|grpo", "object"). */
  readonly type: string;
  /** One line saying what the key means. */
  readonly doc: string;
  /** Whether the key may be left out. */
  readonly hasDefault: boolean;
  /** The value used when the key is left out. */
  readonly default?: T;
  /** Sub-fields of an object schema. */
  readonly fields?: Readonly<Record<string, Schema<unknown>>>;
  /** Parses `value` (undefined = missing) found at `path`. */
  parse(value: unknown, path: readonly string[], ctx: ParseContext): T;
}

/** The value type a schema produces. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

/** Options shared by leaf fields. */
export interface FieldOptions<T> {
  /** Value when the key is absent; leaving it out makes the key required. @default required */
  default?: T;
  /** What the key means. @default "" */
  doc?: string;
}

/** Options of number fields. */
export interface NumberOptions extends FieldOptions<number> {
  /** Smallest allowed value (inclusive). @default -Infinity */
  min?: number;
  /** Largest allowed value (inclusive). @default Infinity */
  max?: number;
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function leaf<T>(
  type: string,
  options: FieldOptions<T>,
  check: (value: unknown, path: readonly string[], ctx: ParseContext) => T | undefined,
): Schema<T> {
  const hasDefault = Object.hasOwn(options, "default");
  return {
    type,
    doc: options.doc ?? "",
    hasDefault,
    default: options.default,
    parse(value, path, ctx) {
      if (value === undefined) {
        if (hasDefault) return structuredClone(options.default) as T;
        return ctx.fail(
          path,
          `expected ${path.join(".")} (${type}), got nothing: the key is required`,
          "key",
        );
      }
      const parsed = check(value, path, ctx);
      if (parsed === undefined) {
        return ctx.fail(path, `expected ${path.join(".")} to be ${type}, got ${show(value)}`);
      }
      return parsed;
    },
  };
}

function range(kind: string, min: number, max: number): string {
  if (min > -Infinity && max < Infinity) return `${kind} in [${min}, ${max}]`;
  if (min > -Infinity) return `${kind} >= ${min}`;
  if (max < Infinity) return `${kind} <= ${max}`;
  return kind;
}

/** The object schema `t.object(fields)` builds: its value type mirrors the fields. */
export type ObjectSchema<F extends Record<string, Schema<unknown>>> = Schema<
  { [K in keyof F]: Infer<F[K]> }
>;

/** The builders of {@linkcode t}. */
export interface SchemaBuilders {
  /** A number within optional bounds. */
  number(options?: NumberOptions): Schema<number>;
  /** An integer within optional bounds. */
  integer(options?: NumberOptions): Schema<number>;
  /** A string, optionally matching a pattern. */
  string(options?: FieldOptions<string> & { pattern?: RegExp }): Schema<string>;
  /** A boolean. */
  boolean(options?: FieldOptions<boolean>): Schema<boolean>;
  /** One of fixed strings. */
  enum<const V extends string>(values: readonly V[], options?: FieldOptions<NoInfer<V>>): Schema<V>;
  /** A list of items of one schema. */
  array<T>(
    item: Schema<T>,
    options?: FieldOptions<NoInfer<T>[]> & { minItems?: number },
  ): Schema<T[]>;
  /** A value that may be left out or null. */
  optional<T>(inner: Schema<T>, options?: { doc?: string }): Schema<T | undefined>;
  /** A number, string or boolean. */
  scalar(options?: FieldOptions<number | string | boolean>): Schema<number | string | boolean>;
  /** A mapping of free-form keys to values of one schema. */
  record<T>(
    item: Schema<T>,
    options?: FieldOptions<Record<string, T>> & { keyPattern?: RegExp },
  ): Schema<Record<string, T>>;
  /** A nested object with fixed keys. */
  object<F extends Record<string, Schema<unknown>>>(
    fields: F,
    options?: { doc?: string },
  ): ObjectSchema<F>;
}

/** Schema builders. Every field takes `{ default?, doc? }`; a field without a default is required. */
export const t: SchemaBuilders = {
  /**
   * A number (YAML `.inf` allowed when within the bounds).
   * @example
   * ```ts
   * const lr = t.number({ default: 3e-4, min: 0, doc: "learning rate" });
   * ```
   */
  number(options: NumberOptions = {}): Schema<number> {
    const { min = -Infinity, max = Infinity } = options;
    return leaf(
      range("a number", min, max),
      options,
      (v) => typeof v === "number" && !Number.isNaN(v) && v >= min && v <= max ? v : undefined,
    );
  },
  /**
   * An integer.
   * @example
   * ```ts
   * const k = t.integer({ default: 4, min: 1 });
   * ```
   */
  integer(options: NumberOptions = {}): Schema<number> {
    const { min = -Infinity, max = Infinity } = options;
    return leaf(
      range("an integer", min, max),
      options,
      (v) => typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? v : undefined,
    );
  },
  /**
   * A string, optionally matching a pattern.
   * @example
   * ```ts
   * const name = t.string({ default: "demo" });
   * ```
   */
  string(options: FieldOptions<string> & { pattern?: RegExp } = {}): Schema<string> {
    const { pattern } = options;
    return leaf(
      pattern ? `a string matching ${pattern}` : "a string",
      options,
      (v) => typeof v === "string" && (!pattern || pattern.test(v)) ? v : undefined,
    );
  },
  /**
   * A boolean.
   * @example
   * ```ts
   * const useN = t.boolean({ default: true });
   * ```
   */
  boolean(options: FieldOptions<boolean> = {}): Schema<boolean> {
    return leaf("a boolean", options, (v) => (typeof v === "boolean" ? v : undefined));
  },
  /**
   * One of fixed strings.
   * @example
   * ```ts
   * const estimator = t.enum(["capo", "grpo"] as const, { default: "capo" });
   * ```
   */
  enum<const V extends string>(
    values: readonly V[],
    options: FieldOptions<NoInfer<V>> = {},
  ): Schema<V> {
    return leaf(
      `one of ${values.join("|")}`,
      options,
      (v) => values.includes(v as V) ? (v as V) : undefined,
    );
  },
  /**
   * A list whose items follow `item`.
   * @example
   * ```ts
   * const ks = t.array(t.integer({ min: 1 }), { default: [1, 2, 4] });
   * ```
   */
  array<T>(
    item: Schema<T>,
    options: FieldOptions<NoInfer<T>[]> & { minItems?: number } = {},
  ): Schema<T[]> {
    const { minItems = 0 } = options;
    return leaf(
      `a list of ${item.type}${minItems ? ` (at least ${minItems})` : ""}`,
      options,
      (value, path, ctx) =>
        Array.isArray(value) && value.length >= minItems
          ? value.map((v, i) => item.parse(v, [...path, String(i)], ctx))
          : undefined,
    );
  },
  /**
   * A value that may be left out or set to null; both give `undefined`.
   * @example
   * ```ts
   * const cacheDir = t.optional(t.string(), { doc: "critique cache folder" });
   * ```
   */
  optional<T>(inner: Schema<T>, options: { doc?: string } = {}): Schema<T | undefined> {
    return {
      type: `${inner.type} (optional)`,
      doc: options.doc ?? inner.doc,
      hasDefault: true,
      default: undefined,
      parse(value, path, ctx) {
        return value === undefined || value === null ? undefined : inner.parse(value, path, ctx);
      },
    };
  },
  /**
   * A JSON scalar: number, string or boolean (grid values of an ablation).
   * @example
   * ```ts
   * const v = t.scalar({ default: 1 });
   * ```
   */
  scalar(options: FieldOptions<number | string | boolean> = {}): Schema<number | string | boolean> {
    return leaf(
      "a number, string or boolean",
      options,
      (v) =>
        ["number", "string", "boolean"].includes(typeof v)
          ? (v as number | string | boolean)
          : undefined,
    );
  },
  /**
   * A mapping from free-form keys (matching `keyPattern`) to values of one schema.
   * @example
   * ```ts
   * const grid = t.record(t.array(t.scalar()), { default: {} });
   * ```
   */
  record<T>(
    item: Schema<T>,
    options: FieldOptions<Record<string, T>> & { keyPattern?: RegExp } = {},
  ): Schema<Record<string, T>> {
    const { keyPattern = /^[A-Za-z_][\w.-]*$/ } = options;
    const hasDefault = Object.hasOwn(options, "default");
    const type = `a mapping of keys to ${item.type}`;
    return {
      type,
      doc: options.doc ?? "",
      hasDefault,
      default: options.default,
      parse(value, path, ctx) {
        if (value === undefined || value === null) {
          if (hasDefault) return structuredClone(options.default) as Record<string, T>;
          return ctx.fail(
            path,
            `expected ${path.join(".")} (${type}), got nothing: the key is required`,
            "key",
          );
        }
        if (typeof value !== "object" || Array.isArray(value)) {
          return ctx.fail(path, `expected ${path.join(".")} to be ${type}, got ${show(value)}`);
        }
        const out: Record<string, T> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          if (!keyPattern.test(k)) {
            ctx.fail([...path, k], `expected a key matching ${keyPattern}, got "${k}"`, "key");
          }
          out[k] = item.parse(v, [...path, k], ctx);
        }
        return out;
      },
    };
  },
  /**
   * A nested object with fixed keys; unknown keys are errors. It may be left out when every field
   * has a default.
   * @example
   * ```ts
   * const critic = t.object({ k: t.integer({ default: 4 }) }, { doc: "critic settings" });
   * ```
   */
  object<F extends Record<string, Schema<unknown>>>(
    fields: F,
    options: { doc?: string } = {},
  ): Schema<{ [K in keyof F]: Infer<F[K]> }> {
    const hasDefault = Object.values(fields).every((f) => f.hasDefault);
    type Out = { [K in keyof F]: Infer<F[K]> };
    const self: Schema<Out> = {
      type: "object",
      doc: options.doc ?? "",
      hasDefault,
      fields,
      get default() {
        return hasDefault ? self.parse({}, [], { fail: () => undefined as never }) : undefined;
      },
      parse(value, path, ctx) {
        if (value === undefined || value === null) value = {};
        if (typeof value !== "object" || Array.isArray(value)) {
          ctx.fail(
            path,
            `expected ${path.join(".") || "the config"} to be a mapping of keys, got ${
              show(value)
            }`,
          );
        }
        const input = value as Record<string, unknown>;
        for (const key of Object.keys(input)) {
          if (!Object.hasOwn(fields, key)) {
            ctx.fail(
              [...path, key],
              `expected a key of ${path.join(".") || "the config"} (${
                Object.keys(fields).join(", ")
              }), got unknown key "${[...path, key].join(".")}"`,
              "key",
            );
          }
        }
        const out: Record<string, unknown> = {};
        for (const [key, field] of Object.entries(fields)) {
          const parsed = field.parse(input[key], [...path, key], ctx);
          if (parsed !== undefined) out[key] = parsed;
        }
        return out as Out;
      },
    };
    return self;
  },
};

/** One row of {@linkcode describeSchema}. */
export interface SchemaRow {
  /** Dotted key ("rl.estimator"). */
  key: string;
  type: string;
  /** JSON of the default, or "required". */
  default: string;
  doc: string;
}

/**
 * Lists every leaf key of a schema with its type, default and doc, depth first.
 *
 * @param schema An object schema.
 * @param prefix Key prefix. @default ""
 * @returns The rows.
 * @example
 * ```ts
 * for (const row of describeSchema(t.object({ k: t.integer({ default: 4 }) }))) console.log(row.key);
 * ```
 */
export function describeSchema(schema: Schema<unknown>, prefix = ""): SchemaRow[] {
  if (schema.fields) {
    return Object.entries(schema.fields).flatMap(([k, f]) =>
      describeSchema(f, prefix ? `${prefix}.${k}` : k)
    );
  }
  const def = schema.hasDefault
    ? schema.default === undefined ? "unset" : show(schema.default)
    : "required";
  return [{ key: prefix, type: schema.type, default: def, doc: schema.doc }];
}

/**
 * A markdown table of {@linkcode describeSchema} rows (the README config reference).
 *
 * @param schema An object schema.
 * @returns Markdown text.
 * @example
 * ```ts
 * console.log(schemaMarkdown(t.object({ k: t.integer({ default: 4, doc: "critiques" }) })));
 * ```
 */
export function schemaMarkdown(schema: Schema<unknown>): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  const rows = describeSchema(schema).map((r) =>
    `| \`${r.key}\` | ${esc(r.type)} | \`${esc(r.default)}\` | ${esc(r.doc)} |`
  );
  return ["| key | type | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

/**
 * Resolves a value written in code (not YAML) against a schema: defaults filled in, unknown keys
 * and bad values rejected.
 *
 * @typeParam T The schema's value type.
 * @param schema The schema.
 * @param value The partial value (e.g. `{ rl: { iterations: 2 } }`).
 * @param root The name errors start their key path with. @default "config"
 * @returns The complete value.
 * @throws {RangeError} Naming the key path, for an unknown key or a bad value.
 * @example
 * ```ts
 * const k = resolveSchema(t.object({ k: t.integer({ default: 4 }) }), {}); // { k: 4 }
 * ```
 */
export function resolveSchema<T>(schema: Schema<T>, value: unknown, root = "config"): T {
  return schema.parse(value ?? {}, [], {
    fail(path, message): never {
      throw new RangeError(`Cannot resolve ${[root, ...path].join(".")}: ${message}`);
    },
  });
}
