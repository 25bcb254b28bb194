/**
 * The types of a live run: the options of `startRun`, the handle it returns, and what a run
 * reports through `progress()`.
 * @module
 */
import type {
  ArtifactRecord,
  BackendRecord,
  CriticRecord,
  InputRecord,
  RunRecord,
} from "./schema.ts";

/** A backend as lib/model's `chooseBackend` reports it, or already in record form. */
export type BackendInput = BackendRecord | {
  name: string;
  requested?: string;
  isGpu?: boolean;
  detail?: string;
};

/** Options for {@linkcode startRun}. */
export interface StartRunOptions {
  /** Folder holding one sub-folder per run. CLIs pass `Deno.env CAPO_RUNS_DIR ?? "runs"`. @default "runs" */
  runsDir?: string;
  /** Human name of the run ("demo", "capo", "weights-wp2"). */
  name: string;
  /** What produced it ("demo", "demo-arm", "train", "bench", "ablation", "notebook", ...). */
  kind: string;
  /** The full resolved config (a plain object for runs a task started); recorded with its sha256. */
  config: unknown;
  /** The known task that ran (`deno task <task>`, e.g. "train"); reproduce re-runs it with the
   * recorded config. @default null (nothing to reproduce it with, e.g. a notebook) */
  task?: string;
  /** Parent run id. @default resumedFrom, else null */
  parentId?: string;
  /** Id of the run this one resumes (`--resume runs/<id>`). @default null */
  resumedFrom?: string;
  /** argv the run was started with, for reading only (absolute paths are made relative to the
   * repository root). @default ["deno", "task", task] or [] */
  command?: string[];
  /** Datasets read. @default [] */
  inputs?: InputRecord[];
  /** Named seeds. @default {} */
  seeds?: Record<string, number>;
  /** Compute backend. @default null */
  backend?: BackendInput;
  /** Critic settings (see `criticRecord`). @default null */
  critic?: CriticRecord;
  /** Working directory, used for git. @default Deno.cwd() */
  cwd?: string;
  /** Repository root that record paths are relative to. @default nearest folder at or above `cwd`
   * holding deno.json, else `cwd` */
  root?: string;
  /** Fixed id (tests, reproduce); must be a safe folder name. @default timestamp-name-random */
  id?: string;
  /** Mark the run failed on an uncaught error, unhandled rejection or early exit, and interrupted
   * on SIGINT/SIGTERM (see `installInterruptHandlers`). Turn off in notebooks (the kernel must
   * survive a failing cell) and for child runs. @default true */
  handleUnhandled?: boolean;
  /** Minimum time between run.json rewrites caused by `logMetrics` and `progress`, in ms. @default 2000 */
  progressIntervalMs?: number;
  /** Time between heartbeat writes of run.json while running, in ms; 0 turns the timer off
   * (writes still refresh the heartbeat). Values below 1000 are refused. @default 10000 */
  heartbeatIntervalMs?: number;
}

/** What a run reports through {@linkcode RunHandle.progress}. */
export interface ProgressReport {
  /** The last completed iteration (or epoch, or step). */
  iteration?: number;
  /** The last checkpoint written (a file or folder path); recorded relative to the runs folder. */
  checkpoint?: string;
}

/** A live run. All methods write through one queue, so records land in call order. */
export interface RunHandle {
  readonly id: string;
  /** The runs folder it lives in. */
  readonly runsDir: string;
  /** The run's folder. */
  readonly dir: string;
  /** `<dir>/run.json`. */
  readonly recordPath: string;
  /** `<dir>/metrics.jsonl`. */
  readonly metricsPath: string;
  /** A copy of the record as it stands. */
  readonly record: RunRecord;
  /** Appends one metrics line for `step` (non-finite numbers become null). */
  logMetrics(step: number, metrics: Record<string, unknown>): Promise<void>;
  /** Records the last completed iteration and/or checkpoint (a new checkpoint is written at once). */
  progress(report: ProgressReport): Promise<void>;
  /** Hashes a file (or every file under a folder) and lists it in `artifacts`. */
  addArtifact(path: string, kind: string): Promise<ArtifactRecord[]>;
  /** Adds a dataset to `inputs`. */
  addInput(input: InputRecord): Promise<void>;
  /** Sets backend, critic or seeds found after the start (e.g. once the backend is chosen). */
  update(
    fields: { backend?: BackendInput; critic?: CriticRecord; seeds?: Record<string, number> },
  ): Promise<void>;
  /** Replaces the summary and rewrites the record. */
  setSummary(summary: Record<string, unknown>): Promise<void>;
  /** Marks the run completed (optionally with a final summary). */
  finish(summary?: Record<string, unknown>): Promise<void>;
  /** Marks the run failed with the error; a no-op once the run has ended. Fails running children. */
  fail(error: unknown): Promise<void>;
  /** Marks the run (and running children) interrupted by `signal`; a no-op once ended. */
  interrupt(signal: string): Promise<void>;
  /** Starts a nested child run (same runs folder and task, `parent_id` = this id). */
  child(
    options: Omit<
      StartRunOptions,
      "runsDir" | "parentId" | "resumedFrom" | "task" | "command" | "cwd" | "root"
    >,
  ): Promise<RunHandle>;
}
