/**
 * Starting, updating and closing a run's lineage record. Every write of run.json is atomic (temp
 * file + rename), so a crash leaves the last complete record, never a torn file. The record holds
 * the writer's pid, host and a heartbeat (refreshed by a timer and by every write), so readers can
 * tell a live run from a dead one. Metrics are appended one JSON line per step to metrics.jsonl.
 * @module
 */
import { hashJson, writeFileAtomic } from "../util/mod.ts";
import { collectCode, collectRuntime } from "./_environment.ts";
import { assertNoSecrets, scrubUrl } from "./secrets.ts";
import { type BackendRecord, LINEAGE_SCHEMA_VERSION, type RunRecord } from "./schema.ts";
import type { BackendInput, RunHandle, StartRunOptions } from "./handle.ts";
import { artifactRecords, jsonLine, quoteCommand, runId } from "./_files.ts";
import { relativeArgv, relativePath, relativeText, repositoryRoot } from "./_paths.ts";
import { currentHost } from "./liveness.ts";
import { attachCrashHandlers } from "./_crash.ts";
import { detachInterruptHandlers, installInterruptHandlers } from "./interrupt.ts";

export type { BackendInput, ProgressReport, RunHandle, StartRunOptions } from "./handle.ts";

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
 * @throws {RangeError} When the id or the heartbeat interval is invalid.
 * @example
 * ```ts
 * const run = await startRun({ runsDir: "/tmp/runs", name: "demo", kind: "demo", task: "demo",
 *   config: { seed: 1 }, handleUnhandled: false });
 * await run.logMetrics(0, { reward: 0.5 });
 * await run.progress({ iteration: 1, checkpoint: `${run.dir}/checkpoints` });
 * await run.finish({ accuracy: 0.9 });
 * console.log(run.recordPath);
 * ```
 */
export function startRun(options: StartRunOptions): Promise<RunHandle> {
  return openRun(options, false);
}

async function openRun(options: StartRunOptions, nested: boolean): Promise<RunHandle> {
  const {
    runsDir = "runs",
    name,
    kind,
    config,
    task,
    resumedFrom,
    parentId = resumedFrom,
    command = task ? ["deno", "task", task] : [],
    inputs = [],
    seeds = {},
    backend,
    critic,
    cwd = Deno.cwd(),
    id = runId(name),
    handleUnhandled = true,
    progressIntervalMs = 2000,
    heartbeatIntervalMs = 10_000,
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
  if (task !== undefined && (typeof task !== "string" || task === "")) {
    throw new TypeError(`Cannot start run "${name}": expected task as a task name, got ${task}`);
  }
  if (heartbeatIntervalMs !== 0 && !(heartbeatIntervalMs >= 1000)) {
    throw new RangeError(
      `Cannot start run "${name}": expected heartbeatIntervalMs 0 or >= 1000, got ${heartbeatIntervalMs}`,
    );
  }
  assertNoSecrets(config, "config");
  assertNoSecrets(critic ?? null, "critic");
  const dir = `${runsDir.replace(/\/+$/, "")}/${id}`;
  const recordPath = `${dir}/run.json`;
  const metricsPath = `${dir}/metrics.jsonl`;
  const root = options.root ?? await repositoryRoot(cwd);
  const [code, runtime, configSha] = await Promise.all([
    collectCode(cwd),
    collectRuntime(cwd),
    hashJson(config ?? null),
  ]);
  const argv = relativeArgv(command, root);
  const now = new Date();
  const record: RunRecord = {
    schema_version: LINEAGE_SCHEMA_VERSION,
    id,
    parent_id: parentId ?? null,
    task: task ?? null,
    nested,
    resumed_from: resumedFrom ?? null,
    name,
    kind,
    status: "running",
    started_at: now.toISOString(),
    updated_at: now.toISOString(),
    ended_at: null,
    duration_s: null,
    pid: Deno.pid,
    host: currentHost(),
    heartbeat_at: now.toISOString(),
    heartbeat_interval_s: heartbeatIntervalMs / 1000,
    progress: { iteration: null, checkpoint: null },
    code,
    config: config ?? null,
    config_sha256: configSha,
    inputs: inputs.map((i) => ({ ...i, location: recordLocation(i.location, root) })),
    seeds: { ...seeds },
    backend: toBackendRecord(backend),
    runtime,
    critic: critic
      ? { ...critic, ...(critic.base_url ? { base_url: scrubUrl(critic.base_url) } : {}) }
      : null,
    metrics: { path: "metrics.jsonl", count: 0, last_step: null },
    summary: null,
    artifacts: [],
    command: argv,
    reproduce: quoteCommand(argv),
    cwd: relativePath(cwd, root),
    error: null,
  };
  const startedMs = now.getTime();
  const children: RunHandle[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  let lastWrite = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const enqueue = <T>(job: () => Promise<T>): Promise<T> => {
    const next = queue.then(job);
    queue = next.catch(() => {});
    return next;
  };
  const text = () => JSON.stringify(record, null, 2) + "\n";
  const persist = () =>
    enqueue(async () => {
      record.updated_at = record.heartbeat_at = new Date().toISOString();
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
  const setError = (error: unknown) => {
    const err = error instanceof Error ? error : new Error(String(error));
    record.error = {
      message: relativeText(err.message, root),
      name: err.name,
      ...(err.stack ? { stack: relativeText(err.stack, root) } : {}),
    };
    return err;
  };
  const end = async (status: "completed" | "failed" | "interrupted") => {
    record.status = status;
    const ended = new Date();
    record.ended_at = ended.toISOString();
    record.duration_s = (ended.getTime() - startedMs) / 1000;
    if (timer !== undefined) clearInterval(timer);
    detach();
    detachInterruptHandlers(handle);
    await persist();
  };

  const handle: RunHandle = {
    id,
    runsDir,
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
    async progress(report) {
      assertRunning("report progress");
      const { iteration, checkpoint } = report;
      if (iteration !== undefined && !(Number.isInteger(iteration) && iteration >= 0)) {
        throw new RangeError(
          `Cannot report progress of run ${id}: expected an iteration integer >= 0, got ${iteration}`,
        );
      }
      if (iteration !== undefined) record.progress.iteration = iteration;
      const moved = checkpoint !== undefined &&
        relativePath(checkpoint, runsDir) !== record.progress.checkpoint;
      if (checkpoint !== undefined) record.progress.checkpoint = relativePath(checkpoint, runsDir);
      if (moved || Date.now() - lastWrite >= progressIntervalMs) await persist();
    },
    async addArtifact(path, kind) {
      assertRunning("add an artifact");
      const added = await artifactRecords(path, kind, dir, root);
      record.artifacts.push(...added);
      await persist();
      return added;
    },
    async addInput(input) {
      assertRunning("add an input");
      assertNoSecrets(input, "inputs");
      record.inputs.push({ ...input, location: recordLocation(input.location, root) });
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
      const err = setError(error);
      for (const c of children) await c.fail(new Error(`parent run ${id} failed: ${err.message}`));
      await end("failed");
    },
    async interrupt(signal) {
      if (record.status !== "running") return;
      record.error = { name: "Interrupted", message: `interrupted by ${signal}` };
      for (const c of children) await c.interrupt(signal);
      await end("interrupted");
    },
    async child(childOptions) {
      const c = await openRun({
        handleUnhandled: false,
        progressIntervalMs,
        heartbeatIntervalMs,
        ...childOptions,
        runsDir,
        cwd,
        root,
        parentId: id,
        task: task,
        command,
      }, true);
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
  if (handleUnhandled) installInterruptHandlers(handle);
  if (heartbeatIntervalMs > 0) {
    timer = setInterval(() => {
      if (record.status !== "running") return;
      persist().catch((error) => {
        // A heartbeat that cannot be written is reported once and stops; the run goes on.
        clearInterval(timer);
        console.error(
          `Cannot update the heartbeat of run ${id} in ${recordPath}: ${(error as Error).message}`,
        );
      });
    }, heartbeatIntervalMs);
    // The heartbeat must never keep a finished script alive.
    Deno.unrefTimer(timer as unknown as number);
  }
  return handle;
}

/** An input location as recorded: URLs without credentials, local paths relative to the root. */
function recordLocation(location: string, root: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return scrubUrl(location);
  return location.startsWith("/") ? relativePath(location, root) : location;
}
