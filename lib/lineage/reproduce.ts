/**
 * Re-running a recorded run and checking that the summary matches (`deno task reproduce
 * runs/<id>`). The record is data, never a command: its task name must be one of the known tasks
 * (`deno task <name>`), and its recorded config is written to a temporary file passed as
 * `--config=<file>` with `--runs-dir`. A nested record (an arm of the demo, a cell of an ablation)
 * is reproduced through its parent's task, then matched to the new child of the same name.
 * @module
 */
import { dirname, resolve } from "node:path";
import { flattenJson, listRuns, loadRun, resolveRunPath } from "./store.ts";
import type { RunRecord } from "./schema.ts";
import { recordedTask, RunRecordError } from "./tasks.ts";

/** One summary key that differs beyond the tolerance. */
export interface SummaryMismatch {
  key: string;
  expected: unknown;
  actual: unknown;
}

/**
 * Compares two summaries key by key; numbers match within `tolerance` (absolute), everything else
 * must be equal. Timing keys (containing "seconds", "_s", "ms" or "per_s") are ignored.
 *
 * @param expected The recorded summary.
 * @param actual The new summary.
 * @param tolerance Absolute tolerance for numbers. @default 1e-9
 * @returns The mismatches (empty = match).
 * @example
 * ```ts
 * compareSummaries({ accuracy: 0.5 }, { accuracy: 0.5 }); // []
 * ```
 */
export function compareSummaries(
  expected: unknown,
  actual: unknown,
  tolerance = 1e-9,
): SummaryMismatch[] {
  const timing = /(seconds|_s$|_ms$|Ms$|per_s|per_second|wall|duration|time)/i;
  const a = flattenJson(expected ?? {});
  const b = flattenJson(actual ?? {});
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !timing.test(k))
    .sort();
  return keys.flatMap((key) => {
    const x = a[key];
    const y = b[key];
    const same = typeof x === "number" && typeof y === "number"
      ? Math.abs(x - y) <= tolerance
      : JSON.stringify(x) === JSON.stringify(y);
    return same ? [] : [{ key, expected: x, actual: y }];
  });
}

/** Options for {@linkcode reproduceRun}. */
export interface ReproduceRunOptions {
  /** Folder for id look-ups and for the new records. @default "runs" for ids; a record path's own
   * runs folder otherwise */
  runsDir?: string;
  /** Absolute tolerance for numeric summary values. @default 1e-9 */
  tolerance?: number;
  /** Repository whose tasks run (the working directory of `deno task`). @default the repository
   * holding this module */
  root?: string;
  /** Task name → argv prefix (the allow-list). @default `deno task <name>` for each `KNOWN_TASKS` */
  tasks?: Readonly<Record<string, readonly string[]>>;
  /** Kill the re-run after this many ms (0 = no limit). @default 0 */
  timeoutMs?: number;
  /** Called with each output line of the re-run. @default ignore */
  onOutput?: (line: string) => void;
}

/** What {@linkcode reproduceRun} found. */
export interface ReproduceResult {
  /** The record that was asked for. */
  original: RunRecord;
  /** The task that ran. */
  task: string;
  /** Its counterpart from the re-run (undefined when the re-run failed before writing one). */
  reproduced?: RunRecord;
  /** run.json of `reproduced`. */
  recordPath?: string;
  /** The argv that ran: the task's fixed prefix, `--config=<temporary file>`, `--runs-dir=<dir>`. */
  command: string[];
  exitCode: number;
  /** Whether the re-run's config hash equals the recorded one. */
  configMatches: boolean;
  mismatches: SummaryMismatch[];
  /** Completed, same config and no summary mismatch. */
  matches: boolean;
}

/**
 * Re-runs a recorded run through its known task with its recorded config, and compares summaries.
 *
 * @param ref A run.json path, run folder or id.
 * @param options See {@linkcode ReproduceRunOptions}.
 * @returns The comparison.
 * @throws {RunRecordError} When the record names no known task or holds no config object
 *   (nothing runs).
 * @throws {Error} When the record cannot be found.
 * @example
 * ```ts
 * const r = await reproduceRun("runs/20260101-120000-demo-abc123");
 * console.log(r.matches, r.mismatches);
 * ```
 */
export async function reproduceRun(
  ref: string,
  options: ReproduceRunOptions = {},
): Promise<ReproduceResult> {
  const {
    tolerance = 1e-9,
    root = new URL("../../", import.meta.url).pathname,
    tasks,
    timeoutMs = 0,
    onOutput = () => {},
  } = options;
  const path = await resolveRunPath(ref, options.runsDir ?? "runs");
  const original = await loadRun(path);
  // Records live in <runsDir>/<id>/run.json: its parent is looked up beside it, and new records go
  // beside it unless told otherwise.
  const ownRunsDir = resolve(dirname(dirname(path)));
  const runsDir = options.runsDir ? resolve(options.runsDir) : ownRunsDir;
  let source = original;
  if (original.nested) {
    // The parent is looked up as an id inside the runs folder, never as a path the record names.
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(String(original.parent_id ?? ""))) {
      throw new RunRecordError(
        `Cannot reproduce run ${original.id}: it is nested, expected a parent run id, got ${
          JSON.stringify(original.parent_id)
        }`,
      );
    }
    source = await loadRun(`${ownRunsDir}/${original.parent_id}/run.json`).catch((error) => {
      throw new RunRecordError(
        `Cannot reproduce run ${original.id}: its parent ${original.parent_id} is needed and unreadable: ${
          (error as Error).message
        }`,
      );
    });
  }
  const { task, argv, config } = recordedTask(source, { tasks });
  const tmp = await Deno.makeTempDir({ prefix: "capo-reproduce-" });
  try {
    const configPath = `${tmp}/config.json`;
    await Deno.writeTextFile(configPath, JSON.stringify(config, null, 2) + "\n");
    const command = [...argv, `--config=${configPath}`, `--runs-dir=${runsDir}`];
    const startedAt = new Date().toISOString();
    const { code, lines } = await spawnLines(command, { cwd: root, runsDir, timeoutMs, onOutput });
    const last = lines.filter((l) => l.trim()).at(-1)?.trim();
    let newTop: RunRecord | undefined;
    if (last && last.endsWith("run.json")) {
      newTop = await loadRun(resolve(root, last)).catch(() => undefined);
    }
    // Tasks that cannot print the path last: the newest record of the same name and kind.
    newTop ??= (await listRuns(runsDir, { kind: source.kind }))
      .filter((r) => r.name === source.name && r.started_at >= startedAt && r.id !== source.id)
      .at(-1);
    const reproduced = newTop && source !== original
      ? (await listRuns(runsDir, { parentId: newTop.id })).find((r) => r.name === original.name)
      : newTop;
    const mismatches = reproduced
      ? compareSummaries(original.summary, reproduced.summary, tolerance)
      : [{ key: "(record)", expected: "a reproduced record", actual: "none" }];
    const configMatches = reproduced?.config_sha256 === original.config_sha256;
    return {
      original,
      task,
      reproduced,
      recordPath: reproduced ? `${runsDir}/${reproduced.id}/run.json` : undefined,
      command,
      exitCode: code,
      configMatches,
      mismatches,
      matches: code === 0 && reproduced?.status === "completed" && configMatches &&
        mismatches.length === 0,
    };
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/** Runs argv (no shell) and collects its stdout lines; stderr lines only go to `onOutput`. */
async function spawnLines(
  command: string[],
  options: { cwd: string; runsDir: string; timeoutMs: number; onOutput: (line: string) => void },
): Promise<{ code: number; lines: string[] }> {
  const { cwd, runsDir, timeoutMs, onOutput } = options;
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    cwd,
    env: { CAPO_RUNS_DIR: runsDir, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = timeoutMs > 0 ? setTimeout(() => child.kill("SIGTERM"), timeoutMs) : undefined;
  const lines: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>, keep: boolean) => {
    let buffer = "";
    const emit = (line: string) => {
      onOutput(line);
      if (keep) lines.push(line);
    };
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      parts.forEach(emit);
    }
    if (buffer) emit(buffer);
  };
  const [status] = await Promise.all([
    child.status,
    pump(child.stdout, true),
    pump(child.stderr, false),
  ]);
  clearTimeout(timer);
  return { code: status.code, lines };
}
