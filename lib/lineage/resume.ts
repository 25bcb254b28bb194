/**
 * What `--resume runs/<id>` needs from a record: the task that ran, its config, and its last
 * checkpoint (resolved against the runs folder). The new run is a new record whose
 * `resumed_from` (and `parent_id`) names the old one; the old folder is left as it was.
 * @module
 */
import { dirname, join } from "node:path";
import type { InputRecord } from "./schema.ts";
import { loadRun, resolveRunPath } from "./store.ts";
import { displayStatus } from "./liveness.ts";
import { recordedTask, type RecordedTaskOptions, RunRecordError } from "./tasks.ts";

/** What a resumed run starts from. */
export interface ResumeSource {
  /** The old run's id: pass it as `startRun({ resumedFrom })`. */
  id: string;
  task: string;
  /** The recorded config (apply overrides on top). */
  config: Record<string, unknown>;
  /** The last checkpoint, as a path usable from the current directory. */
  checkpoint: string;
  /** The last completed iteration the old run reported, or null. */
  iteration: number | null;
  /** The old run's recorded inputs (datasets, policy files), to check a resumed run starts alike. */
  inputs: InputRecord[];
}

/** Options for {@linkcode resumeSource}. */
export interface ResumeSourceOptions {
  /** Allow-list override, as in `recordedTask`. @default the known tasks */
  tasks?: RecordedTaskOptions["tasks"];
}

/**
 * Reads what a run needs to be resumed: its task, config and last checkpoint.
 *
 * @param runsDir The runs folder holding the old run.
 * @param id The old run's id or id prefix in `runsDir`, or its folder or run.json path anywhere.
 * @param options See {@linkcode ResumeSourceOptions}.
 * @returns The source of the resumed run.
 * @throws {RunRecordError} When the run is still alive, names no known task, holds no config
 *   object, reported no checkpoint, or its checkpoint is missing.
 * @example
 * ```ts
 * const source = await resumeSource("runs", "20260101-120000-train-abc123");
 * const run = await startRun({ name: "train", kind: "train", task: source.task,
 *   config: source.config, resumedFrom: source.id });
 * ```
 */
export async function resumeSource(
  runsDir: string,
  id: string,
  options: ResumeSourceOptions = {},
): Promise<ResumeSource> {
  const path = await resolveRunPath(id, runsDir).catch((error) => {
    throw new RunRecordError((error as Error).message.replace(/^Cannot find/, "Cannot resume"));
  });
  const record = await loadRun(path);
  const status = displayStatus(record);
  if (status === "running") {
    throw new RunRecordError(
      `Cannot resume run ${record.id}: it is still running (pid ${record.pid} on ${record.host}); stop it first`,
    );
  }
  const { task, config } = recordedTask(record, { tasks: options.tasks, action: "resume" });
  const { iteration, checkpoint } = record.progress;
  if (!checkpoint) {
    throw new RunRecordError(
      `Cannot resume run ${record.id}: it recorded no checkpoint (status ${status}, last iteration ${
        iteration ?? "none"
      }); start it again with deno task ${task}`,
    );
  }
  // The checkpoint is relative to the folder holding the record, wherever `id` pointed.
  const file = join(dirname(dirname(path)), checkpoint);
  if (!(await Deno.stat(file).catch(() => undefined))) {
    throw new RunRecordError(
      `Cannot resume run ${record.id}: its checkpoint ${file} is missing; start it again with deno task ${task}`,
    );
  }
  return { id: record.id, task, config, checkpoint: file, iteration, inputs: record.inputs };
}
