/**
 * The lineage record schema: one JSON file (`<runsDir>/<id>/run.json`) per run, with a step-indexed
 * `metrics.jsonl` beside it. Field names are snake_case so that records read the same from Python,
 * jq or a notebook. Bump {@linkcode LINEAGE_SCHEMA_VERSION} on any incompatible change.
 * @module
 */

/** Version of the record layout below; readers refuse records with a different major number.
 * 1.1 added `task`, `nested`, `resumed_from`, `pid`, `host`, `heartbeat_at`, `progress` and the
 * `interrupted` status; {@linkcode normalizeRecord} fills them in for 1.0 records. */
export const LINEAGE_SCHEMA_VERSION = "1.1";

/** A run's lifecycle as its process writes it: `running` until `finish()` (completed), `fail()`
 * (failed) or a SIGINT/SIGTERM (interrupted). */
export type RunStatus = "running" | "completed" | "failed" | "interrupted";

/** What `deno task runs` shows: the written status, or `died` for a `running` record whose
 * process is gone (see `displayStatus`). Never written into a record. */
export type DisplayStatus = RunStatus | "died";

/** The code a run executed. Fields are `null` when the folder is not a git checkout. */
export interface CodeRecord {
  /** `git rev-parse HEAD`, or null. */
  commit: string | null;
  /** True when `git status --porcelain` lists anything (tracked changes or untracked files). */
  dirty: boolean | null;
  /** sha256 of `git diff HEAD` (tracked changes only), or null when clean or not a repository. */
  diff_sha256: string | null;
  /** Number of untracked files (their content is not hashed). */
  untracked_files: number | null;
  /** Why the fields are null ("not a git repository", "git not installed", ...). */
  error?: string;
}

/** One dataset a run read. */
export interface InputRecord {
  /** Dataset name (e.g. "gsm8k", "synthetic"). */
  name: string;
  /** Path or URL it was read from (URLs lose their query string and credentials). */
  location: string;
  /** sha256 of the bytes read, or of the canonical JSON of generated records. */
  sha256: string;
  /** Rows used. */
  rows: number;
  /** Split name ("train", "test", ...). */
  split?: string;
}

/** The compute backend a run used (from lib/model `chooseBackend`). */
export interface BackendRecord {
  /** Backend actually running ("wasm", "tensorflow", ...). */
  name: string;
  /** Backend the config asked for. */
  requested?: string;
  /** Whether it runs on a GPU. */
  is_gpu?: boolean;
  /** Free-form detail (adapter name, library version). */
  detail?: string;
}

/** Versions of the runtime and of every npm package pinned in deno.json. */
export interface RuntimeRecord {
  deno: string;
  v8: string;
  typescript: string;
  os: string;
  arch: string;
  /** Package name → pinned version, from deno.json "imports". */
  packages: Record<string, string>;
}

/** The critic a run used. Never holds a key: fields named like secrets are refused. */
export interface CriticRecord {
  /** "reference" (the built-in symbolic critic server) or "openai-compatible" (anything else). */
  endpoint_kind: string;
  /** Endpoint URL without credentials or query string. */
  base_url?: string;
  model: string;
  /** sha256 of the prompt template text. */
  template_sha256?: string;
  /** Critiques per response. */
  k: number;
  vote_rule: string;
  temperature: number;
  /** Any further settings (max tokens, noise of the reference critic, ...). */
  [extra: string]: unknown;
}

/** A file a run produced. */
export interface ArtifactRecord {
  /** Path relative to the run folder when inside it, else relative to the repository root (then
   * `relative_to` is "repository"). Never absolute. */
  path: string;
  /** Set to "repository" when `path` is relative to the repository root, not the run folder. */
  relative_to?: "repository";
  /** What it is: "checkpoint", "rollouts", "plot", "table", ... */
  kind: string;
  sha256: string;
  bytes: number;
}

/** Where the step-indexed metrics live and how far they got. */
export interface MetricsRecord {
  /** File name beside run.json: always "metrics.jsonl". */
  path: string;
  /** Lines written so far. */
  count: number;
  /** Highest step logged, or null. */
  last_step: number | null;
  /** The most recent metrics object. */
  last?: Record<string, unknown>;
}

/** The full record written to `run.json`. */
export interface RunRecord {
  schema_version: string;
  id: string;
  /** Parent run (an experiment's parent record, a resumed or re-scored run), or null. */
  parent_id: string | null;
  /** The known task that ran (`deno task <task>`), e.g. "train"; reproduce accepts only names of
   * its allow-list. Null for runs no task started (a notebook). */
  task: string | null;
  /** True for a run started by `child()` inside its parent's process (an arm of the demo, a cell of
   * an ablation): it is reproduced by re-running the parent's task. */
  nested: boolean;
  /** The run this one resumed from (`--resume runs/<id>`), or null. */
  resumed_from: string | null;
  /** Process id of the process writing this record, or null (1.0 records). */
  pid: number | null;
  /** Host name of that process, or null when unknown. */
  host: string | null;
  /** ISO 8601 UTC time of the last sign of life: every record write, and a timer while running. */
  heartbeat_at: string;
  /** Seconds between heartbeat writes of a running record (0 = no timer). */
  heartbeat_interval_s: number;
  /** What the run reported through `progress()`: the last completed iteration and the last
   * checkpoint, a path relative to the runs folder. */
  progress: { iteration: number | null; checkpoint: string | null };
  name: string;
  /** What produced it: "demo", "demo-arm", "train", "sft", "bench", "ablation", "notebook", ... */
  kind: string;
  status: RunStatus;
  /** ISO 8601 UTC. */
  started_at: string;
  updated_at: string;
  ended_at: string | null;
  duration_s: number | null;
  code: CodeRecord;
  /** The full resolved config (after defaults and overrides). */
  config: unknown;
  /** sha256 of the canonical JSON of `config`. */
  config_sha256: string;
  inputs: InputRecord[];
  seeds: Record<string, number>;
  backend: BackendRecord | null;
  runtime: RuntimeRecord;
  critic: CriticRecord | null;
  metrics: MetricsRecord;
  summary: Record<string, unknown> | null;
  artifacts: ArtifactRecord[];
  /** argv the run was started with, e.g. ["deno", "task", "demo", "--seed=3"], absolute paths made
   * relative to the repository root. For reading only: reproduce never executes it. */
  command: string[];
  /** The same as one shell-quoted line. */
  reproduce: string;
  /** Working directory the command ran from, relative to the repository root ("." for the root). */
  cwd: string;
  /** Set by fail() and interrupt(): the message and the stack (file paths relative to the
   * repository root). */
  error: { message: string; name: string; stack?: string } | null;
}

/** One line of metrics.jsonl: the step, a wall-clock time, and the metrics. */
export interface MetricsLine {
  step: number;
  time: string;
  [metric: string]: unknown;
}

/**
 * Fills the fields a 1.0 record lacks (task, nested, resumed_from, pid, host, heartbeat,
 * progress) so that readers see one shape.
 *
 * @param record A parsed record of schema major version 1.
 * @returns The same object, completed.
 * @example
 * ```ts
 * const r = normalizeRecord(JSON.parse(await Deno.readTextFile("runs/ID/run.json")));
 * console.log(r.progress.iteration);
 * ```
 */
export function normalizeRecord(record: RunRecord): RunRecord {
  const r = record as Partial<RunRecord> & RunRecord;
  r.task ??= null;
  r.nested ??= false;
  r.resumed_from ??= null;
  r.pid ??= null;
  r.host ??= null;
  r.heartbeat_at ??= r.updated_at;
  r.heartbeat_interval_s ??= 0;
  r.progress ??= { iteration: null, checkpoint: null };
  return r;
}
