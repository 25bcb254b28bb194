/**
 * Re-running a recorded run from its lineage record and checking that the summary matches
 * (`deno task reproduce runs/<id>`). A child record (an arm of the demo, a cell of an ablation)
 * is reproduced through its parent's command, then matched to the new child of the same name.
 * @module
 */
import { flattenJson, listRuns, loadRun, resolveRunPath } from "./store.ts";
import type { RunRecord } from "./schema.ts";

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
  /** Folder for id look-ups and for the new records. @default "runs" */
  runsDir?: string;
  /** Absolute tolerance for numeric summary values. @default 1e-9 */
  tolerance?: number;
  /** Replace `--config`/overrides with `--config=<recorded run.json>` (replays the recorded config
   * even if the YAML changed since). Scripts built on lib/config accept this. @default false */
  replayConfig?: boolean;
  /** Called with each output line of the re-run. @default ignore */
  onOutput?: (line: string) => void;
}

/** What {@linkcode reproduceRun} found. */
export interface ReproduceResult {
  /** The record that was asked for. */
  original: RunRecord;
  /** Its counterpart from the re-run (undefined when the re-run failed before writing one). */
  reproduced?: RunRecord;
  /** run.json of `reproduced`. */
  recordPath?: string;
  /** The argv that ran. */
  command: string[];
  exitCode: number;
  /** Whether the re-run's config hash equals the recorded one. */
  configMatches: boolean;
  mismatches: SummaryMismatch[];
  /** Completed, same config and no summary mismatch. */
  matches: boolean;
}

/**
 * Re-runs a recorded run and compares the summaries.
 *
 * @param ref A run.json path, run folder or id.
 * @param options See {@linkcode ReproduceRunOptions}.
 * @returns The comparison.
 * @throws {Error} When the record cannot be found or has no command.
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
  const { tolerance = 1e-9, replayConfig = false, onOutput = () => {} } = options;
  const path = await resolveRunPath(ref, options.runsDir ?? "runs");
  const original = await loadRun(path);
  // Records live in <runsDir>/<id>/run.json: new records go beside them.
  const runsDir = path.split("/").slice(0, -2).join("/") || ".";
  const top = original.parent_id
    ? await loadRun(original.parent_id, runsDir).catch(() => undefined)
    : undefined;
  const source = top && top.reproduce === original.reproduce ? top : original;
  if (source.command.length === 0) {
    throw new Error(`Cannot reproduce ${original.id}: expected a recorded command, got none`);
  }
  let command = [...source.command];
  if (replayConfig) {
    // Drop the config file and overrides (the recorded config already holds them); a deno
    // `--config deno.json` before the script path stays.
    const isConfigFile = (a: string | undefined) =>
      /\.(ya?ml|run\.json)$|\/run\.json$/.test(a ?? "");
    command = command.filter((a, i) =>
      !/^--[\w-]+(\.[\w-]+)+=/.test(a) && !a.startsWith("--config=") &&
      !(a === "--config" && isConfigFile(command[i + 1])) &&
      !(command[i - 1] === "--config" && isConfigFile(a))
    );
    command.push(`--config=${runsDir}/${source.id}/run.json`);
  }
  const startedAt = new Date().toISOString();
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    cwd: source.cwd,
    env: { CAPO_RUNS_DIR: runsDir, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>, keep: boolean) => {
    let buffer = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      for (const line of parts) {
        onOutput(line);
        if (keep) lines.push(line);
      }
    }
    if (buffer) {
      onOutput(buffer);
      if (keep) lines.push(buffer);
    }
  };
  const [status] = await Promise.all([
    child.status,
    pump(child.stdout, true),
    pump(child.stderr, false),
  ]);
  const last = lines.filter((l) => l.trim()).at(-1)?.trim();
  let newTop: RunRecord | undefined;
  if (last && last.endsWith("run.json")) {
    newTop = await loadRun(last.startsWith("/") ? last : `${source.cwd}/${last}`).catch(() =>
      undefined
    );
  } else {
    // Commands that cannot print the path last (a notebook under nbconvert): the newest record of
    // the same name and kind that the re-run started.
    newTop = (await listRuns(runsDir, { kind: source.kind }))
      .filter((r) => r.name === source.name && r.started_at >= startedAt && r.id !== source.id)
      .at(-1);
  }
  const reproduced = newTop && source !== original
    ? (await listRuns(runsDir, { parentId: newTop.id })).find((r) => r.name === original.name)
    : newTop;
  const mismatches = reproduced
    ? compareSummaries(original.summary, reproduced.summary, tolerance)
    : [{ key: "(record)", expected: "a reproduced record", actual: "none" }];
  const configMatches = reproduced?.config_sha256 === original.config_sha256;
  return {
    original,
    reproduced,
    recordPath: reproduced ? `${runsDir}/${reproduced.id}/run.json` : undefined,
    command,
    exitCode: status.code,
    configMatches,
    mismatches,
    matches: status.success && reproduced?.status === "completed" && configMatches &&
      mismatches.length === 0,
  };
}
