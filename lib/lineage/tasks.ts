/**
 * The fixed set of tasks a record can be re-run or resumed with. A record is data: only its task
 * name (looked up here, own keys only) and its config (an object, written to a file) are used;
 * nothing else it holds ever reaches an argv or a shell.
 * @module
 */
import type { RunRecord } from "./schema.ts";

/** Task names `reproduce` and `--resume` accept; each runs as `deno task <name>`. */
export const KNOWN_TASKS: readonly string[] = Object.freeze([
  "train",
  "sft",
  "demo",
  "bench",
  "ablate:voting",
  "ablate:voting:train",
  "ablate:weights",
  "ablate:estimators",
  "ablate:seeds",
]);

/** A record that cannot be re-run or resumed (unknown task, no config, ...). Exit code 2 in CLIs. */
export class RunRecordError extends Error {
  override name = "RunRecordError";
}

/** Options for {@linkcode recordedTask}. */
export interface RecordedTaskOptions {
  /** Task name → argv prefix, replacing the default `[deno, "task", name]` for each of
   * {@linkcode KNOWN_TASKS} (tests point names at small scripts). @default the known tasks */
  tasks?: Readonly<Record<string, readonly string[]>>;
  /** What the caller is doing, for messages. @default "reproduce" */
  action?: string;
}

/** The task, its argv prefix and the config object a record can be re-run with. */
export interface RecordedTask {
  task: string;
  /** Fixed argv prefix from the allow-list, e.g. `["/usr/bin/deno", "task", "train"]`. */
  argv: string[];
  config: Record<string, unknown>;
}

/**
 * Checks that a record names a known task and holds a config object, and returns the fixed argv
 * prefix for that task.
 *
 * @param record A loaded record.
 * @param options See {@linkcode RecordedTaskOptions}.
 * @returns The task, argv prefix and config.
 * @throws {RunRecordError} For an unknown or missing task, or a config that is not an object.
 * @example
 * ```ts
 * const { argv, config } = recordedTask(await loadRun("runs/ID"));
 * ```
 */
export function recordedTask(record: RunRecord, options: RecordedTaskOptions = {}): RecordedTask {
  const { action = "reproduce" } = options;
  const table: Record<string, readonly string[]> = Object.create(null);
  if (options.tasks) {
    for (const [name, argv] of Object.entries(options.tasks)) table[name] = argv;
  } else {
    for (const name of KNOWN_TASKS) table[name] = [Deno.execPath(), "task", name];
  }
  const task: unknown = record.task;
  const known = Object.keys(table).join(", ");
  if (typeof task !== "string" || task === "") {
    throw new RunRecordError(
      `Cannot ${action} run ${record.id}: it records no task (records made before tasks were recorded, or by a notebook, cannot be re-run); expected one of ${known}`,
    );
  }
  if (!Object.hasOwn(table, task)) {
    throw new RunRecordError(
      `Cannot ${action} run ${record.id}: expected a task of ${known}, got ${
        JSON.stringify(task).slice(0, 80)
      }`,
    );
  }
  const config: unknown = record.config;
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new RunRecordError(
      `Cannot ${action} run ${record.id}: expected its config to be an object, got ${
        config === null ? "null" : Array.isArray(config) ? "an array" : typeof config
      }`,
    );
  }
  return { task, argv: [...table[task]], config: config as Record<string, unknown> };
}
