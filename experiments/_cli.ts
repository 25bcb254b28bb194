/**
 * Shared entry-point plumbing of the experiment scripts (demo, ablations, bench): parse
 * `--config`, `--runs-dir` and dotted overrides, load the YAML config, start the parent lineage
 * record, run the body, finish (or fail) the record, and print the record path as the last line.
 * @module
 */
import { parseArgs } from "node:util";
import { loadConfig, type Schema, splitOverrides } from "../lib/config/mod.ts";
import { defaultRunsDir, type RunHandle, startRun } from "../lib/lineage/mod.ts";

/** What a script declares about itself. */
export interface ScriptSpec<C> {
  /** deno.json task name, recorded in the reproduce command ("demo", "ablate:weights"). */
  task: string;
  /** Lineage kind ("demo", "ablation", "bench"). */
  kind: string;
  /** Config schema. */
  schema: Schema<C>;
  /** Config file used without `--config`. */
  defaultConfig: string;
  /** Usage text for `--help`. */
  usage: string;
  /** Extra boolean/string flags of the script. @default {} */
  flags?: Record<string, { type: "boolean" | "string"; default?: boolean | string }>;
}

/** What the body receives. */
export interface ScriptContext<C> {
  config: C;
  run: RunHandle;
  runsDir: string;
  /** The script's extra flags. */
  flags: Record<string, string | boolean | undefined>;
  /** Prints a progress line (stderr keeps stdout's last line for the record path). */
  progress(line: string): void;
}

/**
 * Runs an experiment script: config → parent record → body → summary; the record path is the
 * last line printed. Exit code 0 on success, 1 on failure (the record says `failed`), 2 on usage
 * or config errors (no record).
 */
export async function runScript<C extends { name: string }>(
  spec: ScriptSpec<C>,
  args: string[],
  body: (ctx: ScriptContext<C>) => Promise<Record<string, unknown>>,
): Promise<number> {
  let config: C;
  let values: Record<string, string | boolean | undefined>;
  try {
    const { overrides, rest } = splitOverrides(args, Object.keys(spec.schema.fields ?? {}));
    values = parseArgs({
      args: rest,
      options: {
        config: { type: "string" },
        "runs-dir": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
        ...(spec.flags ?? {}),
      },
    }).values as Record<string, string | boolean | undefined>;
    if (values.help) {
      console.log(spec.usage);
      return 0;
    }
    config = await loadConfig(String(values.config ?? spec.defaultConfig), spec.schema, overrides);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const runsDir = String(values["runs-dir"] ?? defaultRunsDir());
  const run = await startRun({
    runsDir,
    name: config.name,
    kind: spec.kind,
    config,
    command: ["deno", "task", spec.task, ...args],
  });
  const progress = (line: string) => console.error(line);
  try {
    const summary = await body({ config, run, runsDir, flags: values, progress });
    await run.finish(summary);
  } catch (error) {
    console.error(error);
    await run.fail(error);
    console.log(run.recordPath);
    return 1;
  }
  console.log(run.recordPath);
  return 0;
}
