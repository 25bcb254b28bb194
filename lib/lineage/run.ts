/**
 * Starting, updating and closing a run's lineage record. Every write of run.json is atomic (temp
 * file + rename), so a crash leaves the last complete record (status `running` or `failed`), never a
 * torn file. Metrics are appended one JSON line per step to metrics.jsonl beside it.
 * @module
 */
import { hashJson, writeFileAtomic } from "../util/mod.ts";
import { collectCode, collectRuntime } from "./_environment.ts";
import { assertNoSecrets, scrubUrl } from "./secrets.ts";
import {
  type ArtifactRecord,
  type BackendRecord,
  type CriticRecord,
  type InputRecord,
  LINEAGE_SCHEMA_VERSION,
  type RunRecord,
} from "./schema.ts";
import { artifactRecords, jsonLine, quoteCommand, runId } from "./_files.ts";

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
  /** The full resolved config; recorded with its sha256. */
  config: unknown;
  /** Parent run id. @default null */
  parentId?: string;
  /** argv that reproduces the run, e.g. `["deno", "task", "demo"]`. */
  command: string[];
  /** Datasets read. @default [] */
  inputs?: InputRecord[];
  /** Named seeds. @default {} */
  seeds?: Record<string, number>;
  /** Compute backend. @default null */
  backend?: BackendInput;
  /** Critic settings (see `criticRecord`). @default null */
  critic?: CriticRecord;
  /** Working directory recorded and used for git. @default Deno.cwd() */
  cwd?: string;
  /** Fixed id (tests, reproduce); must be a safe folder name. @default timestamp-name-random */
  id?: string;
  /** Mark the run failed on an uncaught error, unhandled rejection, SIGINT or early exit. Turn off
   * in notebooks (the kernel must survive a failing cell) and for child runs. @default true */
  handleUnhandled?: boolean;
  /** Minimum time between run.json rewrites caused by `logMetrics`, in ms. @default 2000 */
  progressIntervalMs?: number;
}

/** A live run. All methods write through one queue, so records land in call order. */
export interface RunHandle {
  readonly id: string;
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
  /** Starts a child run (same runs folder and command, `parent_id` = this id). */
  child(
    options: Omit<StartRunOptions, "runsDir" | "parentId" | "command" | "cwd"> & {
      command?: string[];
    },
  ): Promise<RunHandle>;
}

function toBackendRecord(backend: BackendInput | undefined): BackendRecord | null {
  if (!backend) return null;
  const b = backend as BackendRecord & { isGpu?: boolean };
  return {
    name: b.name,
    ...(b.requested !== undefined ? { requested: b.requested } : {}),
    ...((b.is_gpu ?? b.isGpu) !== undefined ? { is_gpu: b.is_gpu ?? b.isGpu } : {}),
    ...(b.detail !== undefined ? { detail: b.detail } : {}),
  };
}

/**
 * Starts a run: creates `<runsDir>/<id>/`, writes run.json with status `running`, and returns a
 * handle that updates it.
 *
 * @param options See {@linkcode StartRunOptions}.
 * @returns The live run.
 * @throws {TypeError} When the config, critic or inputs hold a credential-like field or value.
 * @example
 * ```ts
 * const run = await startRun({ runsDir: "/tmp/runs", name: "demo", kind: "demo", config: { seed: 1 },
 *   command: ["deno", "task", "demo"], handleUnhandled: false });
 * await run.logMetrics(0, { reward: 0.5 });
 * await run.finish({ accuracy: 0.9 });
 * console.log(run.recordPath);
 * ```
 */
export async function startRun(options: StartRunOptions): Promise<RunHandle> {
  const {
    runsDir = "runs",
    name,
    kind,
    config,
    parentId,
    command,
    inputs = [],
    seeds = {},
    backend,
    critic,
    cwd = Deno.cwd(),
    id = runId(name),
    handleUnhandled = true,
    progressIntervalMs = 2000,
  } = options;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) {
    throw new RangeError(
      `Cannot start run: expected an id of letters, digits, ".", "_", "-", got "${id}"`,
    );
  }
  if (!Array.isArray(command) || command.some((c) => typeof c !== "string")) {
    throw new TypeError(
      `Cannot start run "${name}": expected command as a string array, got ${
        JSON.stringify(command)
      }`,
    );
  }
  assertNoSecrets(config, "config");
  assertNoSecrets(critic ?? null, "critic");
  const dir = `${runsDir.replace(/\/+$/, "")}/${id}`;
  const recordPath = `${dir}/run.json`;
  const metricsPath = `${dir}/metrics.jsonl`;
  const [code, runtime, configSha] = await Promise.all([
    collectCode(cwd),
    collectRuntime(cwd),
    hashJson(config ?? null),
  ]);
  const now = new Date();
  const record: RunRecord = {
    schema_version: LINEAGE_SCHEMA_VERSION,
    id,
    parent_id: parentId ?? null,
    name,
    kind,
    status: "running",
    started_at: now.toISOString(),
    updated_at: now.toISOString(),
    ended_at: null,
    duration_s: null,
    code,
    config: config ?? null,
    config_sha256: configSha,
    inputs: inputs.map((i) => ({ ...i, location: scrubUrl(i.location) })),
    seeds: { ...seeds },
    backend: toBackendRecord(backend),
    runtime,
    critic: critic
      ? { ...critic, ...(critic.base_url ? { base_url: scrubUrl(critic.base_url) } : {}) }
      : null,
    metrics: { path: "metrics.jsonl", count: 0, last_step: null },
    summary: null,
    artifacts: [],
    command: [...command],
    reproduce: quoteCommand(command),
    cwd,
    error: null,
  };
  const startedMs = now.getTime();
  const children: RunHandle[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  let lastWrite = 0;
  const enqueue = <T>(job: () => Promise<T>): Promise<T> => {
    const next = queue.then(job);
    queue = next.catch(() => {});
    return next;
  };
  const text = () => JSON.stringify(record, null, 2) + "\n";
  const persist = () =>
    enqueue(async () => {
      record.updated_at = new Date().toISOString();
      assertNoSecrets(record.summary, "summary");
      lastWrite = Date.now();
      await writeFileAtomic(recordPath, text());
    });
  const assertRunning = (what: string) => {
    if (record.status !== "running") {
      throw new Error(
        `Cannot ${what}: expected a running run, got ${record.id} with status ${record.status}`,
      );
    }
  };
  const end = async (status: "completed" | "failed") => {
    record.status = status;
    const ended = new Date();
    record.ended_at = ended.toISOString();
    record.duration_s = (ended.getTime() - startedMs) / 1000;
    detach();
    await persist();
  };

  const handle: RunHandle = {
    id,
    dir,
    recordPath,
    metricsPath,
    get record() {
      return structuredClone(record);
    },
    async logMetrics(step, metrics) {
      assertRunning("log metrics");
      if (!Number.isInteger(step) || step < 0) {
        throw new RangeError(
          `Cannot log metrics of run ${id}: expected a step integer >= 0, got ${step}`,
        );
      }
      assertNoSecrets(metrics, "metrics");
      const line = jsonLine({ step, time: new Date().toISOString(), ...metrics });
      await enqueue(() => Deno.writeTextFile(metricsPath, line, { append: true }));
      record.metrics.count += 1;
      record.metrics.last_step = Math.max(record.metrics.last_step ?? step, step);
      record.metrics.last = JSON.parse(line);
      if (Date.now() - lastWrite >= progressIntervalMs) await persist();
    },
    async addArtifact(path, kind) {
      assertRunning("add an artifact");
      const added = await artifactRecords(path, kind, dir);
      record.artifacts.push(...added);
      await persist();
      return added;
    },
    async addInput(input) {
      assertRunning("add an input");
      assertNoSecrets(input, "inputs");
      record.inputs.push({ ...input, location: scrubUrl(input.location) });
      await persist();
    },
    async update(fields) {
      assertRunning("update the record");
      if (fields.backend) record.backend = toBackendRecord(fields.backend);
      if (fields.critic) {
        assertNoSecrets(fields.critic, "critic");
        record.critic = { ...fields.critic };
        if (record.critic.base_url) record.critic.base_url = scrubUrl(record.critic.base_url);
      }
      if (fields.seeds) record.seeds = { ...record.seeds, ...fields.seeds };
      await persist();
    },
    async setSummary(summary) {
      assertRunning("set the summary");
      assertNoSecrets(summary, "summary");
      record.summary = JSON.parse(jsonLine(summary));
      await persist();
    },
    async finish(summary) {
      assertRunning("finish");
      if (summary !== undefined) {
        assertNoSecrets(summary, "summary");
        record.summary = JSON.parse(jsonLine(summary));
      }
      await end("completed");
    },
    async fail(error) {
      if (record.status !== "running") return;
      const err = error instanceof Error ? error : new Error(String(error));
      record.error = {
        message: err.message,
        name: err.name,
        ...(err.stack ? { stack: err.stack } : {}),
      };
      for (const c of children) await c.fail(new Error(`parent run ${id} failed: ${err.message}`));
      await end("failed");
    },
    async child(childOptions) {
      const c = await startRun({
        handleUnhandled: false,
        progressIntervalMs,
        ...childOptions,
        runsDir,
        cwd,
        parentId: id,
        command: childOptions.command ?? command,
      });
      children.push(c);
      return c;
    },
  };

  const detach = handleUnhandled
    ? attachCrashHandlers(handle, () => record, recordPath, text)
    : () => {};
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(metricsPath, "", { append: true });
  await persist();
  return handle;
}

/** Wires uncaught errors, unhandled rejections, SIGINT and early exit to `fail()`; returns detach. */
function attachCrashHandlers(
  handle: RunHandle,
  record: () => RunRecord,
  recordPath: string,
  text: () => string,
): () => void {
  const crash = (error: unknown, code: number) => {
    console.error(error);
    handle.fail(error).finally(() => Deno.exit(code));
  };
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    crash(event.error ?? new Error(event.message), 1);
  };
  const onRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    crash(event.reason, 1);
  };
  const onSigint = () => crash(new Error("interrupted (SIGINT)"), 130);
  // Deno.exit() while running skips the async queue: write the failed record synchronously.
  const onUnload = () => {
    const r = record();
    if (r.status !== "running") return;
    r.status = "failed";
    r.ended_at = r.updated_at = new Date().toISOString();
    r.duration_s = (Date.parse(r.ended_at) - Date.parse(r.started_at)) / 1000;
    r.error = { name: "Error", message: "process exited before the run finished" };
    const tmp = `${recordPath}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    try {
      Deno.writeTextFileSync(tmp, text());
      Deno.renameSync(tmp, recordPath);
    } catch {
      // Best effort during exit; the previous complete record stays in place.
    }
  };
  globalThis.addEventListener("error", onError);
  globalThis.addEventListener("unhandledrejection", onRejection);
  globalThis.addEventListener("unload", onUnload);
  let sigint = false;
  try {
    Deno.addSignalListener("SIGINT", onSigint);
    sigint = true;
  } catch {
    // Signals unsupported (Windows without console) or not permitted: the other handlers remain.
  }
  return () => {
    globalThis.removeEventListener("error", onError);
    globalThis.removeEventListener("unhandledrejection", onRejection);
    globalThis.removeEventListener("unload", onUnload);
    if (sigint) Deno.removeSignalListener("SIGINT", onSigint);
  };
}
