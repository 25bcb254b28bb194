/**
 * Command-line plumbing shared by every task: `--config`, `--runs-dir`, `--help` and dotted
 * overrides → a resolved config; errors as one line (what, where, what to do) with exit code 2 for
 * usage and config errors and 1 for runtime errors; experiments get a parent lineage record whose
 * path is the last line printed.
 * @module
 */
import { parseArgs } from "node:util";
import { loadConfig, parseConfig, type Schema, splitOverrides } from "../config/mod.ts";
import { defaultRunsDir, type RunHandle, startRun } from "../lineage/mod.ts";

/** What a command declares about itself. */
export interface CommandSpec<C> {
  /** deno.json task name ("train", "demo", "ablate:weights"). */
  task: string;
  /** Config schema. */
  schema: Schema<C>;
  /** Config file used without `--config`; none = the schema's defaults. @default none */
  defaultConfig?: string;
  /** Usage text for `--help` and usage errors. */
  usage: string;
  /** The command's own flags besides `--config`, `--runs-dir` and `--help`. @default {} */
  flags?: Record<string, { type: "boolean" | "string"; default?: boolean | string }>;
}

/** A parsed command line. */
export interface ParsedCommand<C> {
  config: C;
  runsDir: string;
  /** The command's own flags. */
  flags: Record<string, string | boolean | undefined>;
}

/** A usage or config error: exit code 2, no record. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Runs a command body that returns nothing behind the same error boundary as {@linkcode runMain}:
 * an error is one line and exits (2 for usage, 1 otherwise); success returns, so a server the body
 * started keeps serving.
 *
 * @param task The task name.
 * @param main The command body.
 * @example
 * ```ts
 * if (import.meta.main) await runVoid("critic:serve", main);
 * ```
 */
export async function runVoid(task: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    Deno.exit(reportError(task, error));
  }
}

/** Prints an error as one line and gives its exit code: 2 for usage errors, 1 otherwise. */
function reportError(task: string, error: unknown): number {
  const parseArgsCode = (error as { code?: unknown })?.code;
  if (
    error instanceof UsageError ||
    (typeof parseArgsCode === "string" && parseArgsCode.startsWith("ERR_PARSE_ARGS"))
  ) {
    console.error(`${task}: ${errorLine(error)} (see: deno task ${task} --help)`);
    return 2;
  }
  console.error(`${task}: ${errorLine(error)}`);
  return 1;
}

/**
 * The first line of an error's message, for one-line reports (no stack trace).
 *
 * @param error Anything thrown.
 * @returns One line.
 * @example
 * ```ts
 * errorLine(new Error("Cannot read x\n  at y")); // "Cannot read x"
 * ```
 */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] || (error instanceof Error ? error.name : "error");
}

/**
 * Parses a command line against a spec.
 *
 * @param spec See {@linkcode CommandSpec}.
 * @param args Command-line arguments.
 * @returns The config and flags, or `"help"` when `--help` was asked for (usage printed).
 * @throws {UsageError} For an unknown flag, an unreadable config file or a bad config value.
 * @example
 * ```ts
 * const parsed = await parseCommand({ task: "train", schema: TRAIN_CONFIG_SCHEMA, usage: "..." }, ["--rl.iterations=2"]);
 * ```
 */
export async function parseCommand<C>(
  spec: CommandSpec<C>,
  args: string[],
): Promise<ParsedCommand<C> | "help"> {
  try {
    const { overrides, rest } = splitOverrides(args, Object.keys(spec.schema.fields ?? {}));
    const values = parseArgs({
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
      return "help";
    }
    const file = typeof values.config === "string" ? values.config : spec.defaultConfig;
    const config = file
      ? await loadConfig(file, spec.schema, overrides)
      : parseConfig("{}", spec.schema, { file: "<defaults>", overrides });
    const runsDir = String(values["runs-dir"] ?? defaultRunsDir());
    return { config, runsDir, flags: values };
  } catch (error) {
    throw new UsageError(errorLine(error), { cause: error });
  }
}

/**
 * Runs a command's main function and exits: 0 on success, 2 on a {@linkcode UsageError} (with the
 * usage hint), 1 on any other error — each reported as one line on stderr, never a stack trace.
 *
 * @param task The task name (for the `--help` hint).
 * @param main The command body; returns the exit code.
 * @returns Never returns; exits the process.
 * @example
 * ```ts
 * if (import.meta.main) await runMain("train", () => trainCommand(Deno.args));
 * ```
 */
export async function runMain(task: string, main: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await main();
  } catch (error) {
    code = reportError(task, error);
  }
  Deno.exit(code);
}

/** What an experiment body receives. */
export interface ExperimentContext<C> extends ParsedCommand<C> {
  /** The experiment's parent record (arms are its children). */
  run: RunHandle;
  /** Prints a progress line to stderr (stdout's last line is the record path). */
  progress(line: string): void;
}

/**
 * Runs an experiment (demo, ablation, bench): config → parent record → body → summary. The record
 * path is the last line printed; a failure marks the record failed and exits 1.
 *
 * @param spec See {@linkcode CommandSpec}; plus the lineage kind.
 * @param args Command-line arguments.
 * @param body The experiment; returns the summary.
 * @returns The exit code.
 * @example
 * ```ts
 * await runMain("demo", () => runExperiment({ ...spec, kind: "demo" }, Deno.args, async (ctx) => ({})));
 * ```
 */
export async function runExperiment<C extends { name: string }>(
  spec: CommandSpec<C> & { kind: string },
  args: string[],
  body: (ctx: ExperimentContext<C>) => Promise<Record<string, unknown>>,
): Promise<number> {
  const parsed = await parseCommand(spec, args);
  if (parsed === "help") return 0;
  const run = await startRun({
    runsDir: parsed.runsDir,
    name: parsed.config.name,
    kind: spec.kind,
    config: parsed.config,
    task: spec.task,
  });
  const progress = (line: string) => console.error(line);
  try {
    await run.finish(await body({ ...parsed, run, progress }));
  } catch (error) {
    await run.fail(error);
    console.error(`${spec.task}: ${errorLine(error)}`);
    console.log(run.recordPath);
    return 1;
  }
  console.log(run.recordPath);
  return 0;
}
