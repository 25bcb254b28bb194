/**
 * Reading lineage back: list the runs in a folder, load one by id or path, read its metrics, and
 * diff two runs' configs and summaries (what `deno task runs` prints).
 * @module
 */
import type { MetricsLine, RunRecord } from "./schema.ts";
import { LINEAGE_SCHEMA_VERSION, normalizeRecord } from "./schema.ts";

/**
 * Resolves a run reference to its run.json path: a path to run.json, a run folder, or an id (or
 * unique id prefix) inside `runsDir`.
 *
 * @param ref Path or id.
 * @param runsDir Folder to look ids up in.
 * @returns The run.json path.
 * @throws {Error} When nothing or more than one run matches.
 * @example
 * ```ts
 * const path = await resolveRunPath("20260101-120000-demo-abc123", "runs");
 * ```
 */
export async function resolveRunPath(ref: string, runsDir: string): Promise<string> {
  const trimmed = ref.replace(/\/+$/, "");
  for (const candidate of [trimmed, `${trimmed}/run.json`]) {
    const stat = await Deno.stat(candidate).catch(() => undefined);
    if (stat?.isFile) return candidate;
  }
  const matches: string[] = [];
  for await (const entry of await readDirOrEmpty(runsDir)) {
    if (entry.isDirectory && entry.name.startsWith(trimmed)) matches.push(entry.name);
  }
  const exact = matches.find((m) => m === trimmed);
  if (exact || matches.length === 1) return `${runsDir}/${exact ?? matches[0]}/run.json`;
  if (matches.length > 1) {
    throw new Error(
      `Cannot find run "${ref}": expected one match in ${runsDir}, got ${matches.length}: ${
        matches.slice(0, 5).join(", ")
      }`,
    );
  }
  throw new Error(
    `Cannot find run "${ref}": expected a run.json path, a run folder or an id in ${runsDir}`,
  );
}

async function readDirOrEmpty(dir: string): Promise<Iterable<Deno.DirEntry>> {
  try {
    return await Array.fromAsync(Deno.readDir(dir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/**
 * Loads one record.
 *
 * @param ref A run.json path, a run folder, or an id (prefix) in `runsDir`.
 * @param runsDir Folder for id look-ups. @default "runs"
 * @returns The record.
 * @throws {SyntaxError} When the file is not a lineage record of a known schema version.
 * @example
 * ```ts
 * const record = await loadRun("runs/20260101-120000-demo-abc123");
 * console.log(record.status, record.summary);
 * ```
 */
export async function loadRun(ref: string, runsDir = "runs"): Promise<RunRecord> {
  const path = await resolveRunPath(ref, runsDir);
  const text = await Deno.readTextFile(path);
  let record: RunRecord;
  try {
    record = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`Cannot parse ${path}: expected a JSON lineage record`, { cause: error });
  }
  const major = String(record?.schema_version ?? "").split(".")[0];
  if (major !== LINEAGE_SCHEMA_VERSION.split(".")[0]) {
    throw new SyntaxError(
      `Cannot read ${path}: expected schema_version ${
        LINEAGE_SCHEMA_VERSION.split(".")[0]
      }.x, got ${JSON.stringify(record?.schema_version)}`,
    );
  }
  return normalizeRecord(record);
}

/** Options for {@linkcode listRuns}. */
export interface ListRunsOptions {
  /** Only runs of this kind. @default all */
  kind?: string;
  /** Only children of this run. @default all */
  parentId?: string;
}

/**
 * Lists the records in `runsDir`, oldest first; unreadable folders are skipped.
 *
 * @param runsDir The runs folder (a missing one lists nothing).
 * @param options See {@linkcode ListRunsOptions}.
 * @returns The records.
 * @example
 * ```ts
 * for (const r of await listRuns("runs")) console.log(r.id, r.status);
 * ```
 */
export async function listRuns(
  runsDir: string,
  options: ListRunsOptions = {},
): Promise<RunRecord[]> {
  const { kind, parentId } = options;
  const out: RunRecord[] = [];
  const entries = [...await readDirOrEmpty(runsDir)].filter((e) => e.isDirectory);
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    try {
      const record = await loadRun(`${runsDir}/${entry.name}/run.json`, runsDir);
      if (kind !== undefined && record.kind !== kind) continue;
      if (parentId !== undefined && record.parent_id !== parentId) continue;
      out.push(record);
    } catch {
      // Not a run folder (or another schema): listing shows what it can read.
    }
  }
  return out.sort((a, b) => a.started_at.localeCompare(b.started_at) || a.id.localeCompare(b.id));
}

/**
 * Reads a run's metrics.jsonl; a torn last line (crash mid-append) is skipped.
 *
 * @param ref A run.json path, folder, id, or the record itself.
 * @param runsDir Folder for id look-ups. @default "runs"
 * @returns The metric lines in file order.
 * @example
 * ```ts
 * const rows = await readMetrics("runs/20260101-120000-demo-abc123");
 * console.log(rows.map((r) => r.reward));
 * ```
 */
export async function readMetrics(
  ref: string | RunRecord,
  runsDir = "runs",
): Promise<MetricsLine[]> {
  const path = typeof ref === "string"
    ? (await resolveRunPath(ref, runsDir)).replace(/run\.json$/, "metrics.jsonl")
    : `${runsDir}/${ref.id}/${ref.metrics.path}`;
  const text = await Deno.readTextFile(path).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  });
  const rows: MetricsLine[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line));
    } catch {
      // Only the last line can be torn (append-only): skip it.
    }
  }
  return rows;
}

/** One difference between two runs. */
export interface DiffEntry {
  /** Dotted path ("rl.estimator"). */
  key: string;
  a: unknown;
  b: unknown;
}

/** Config and summary differences of two runs. */
export interface RunDiff {
  config: DiffEntry[];
  summary: DiffEntry[];
}

/**
 * Flattens a JSON value into dotted keys (`{a: {b: 1}}` → `{"a.b": 1}`; arrays index as `a.0`).
 *
 * @param value Any JSON value.
 * @param prefix Key prefix. @default ""
 * @returns Dotted key → leaf value.
 * @example
 * ```ts
 * flattenJson({ rl: { estimator: "capo" } }); // { "rl.estimator": "capo" }
 * ```
 */
export function flattenJson(value: unknown, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (v: unknown, key: string) => {
    if (v !== null && typeof v === "object" && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
        walk(child, key ? `${key}.${k}` : k);
      }
    } else if (key !== "") out[key] = v;
  };
  walk(value, prefix);
  return out;
}

function diffFlat(a: unknown, b: unknown): DiffEntry[] {
  const fa = flattenJson(a ?? {});
  const fb = flattenJson(b ?? {});
  const keys = [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort();
  return keys
    .filter((k) => JSON.stringify(fa[k]) !== JSON.stringify(fb[k]))
    .map((k) => ({ key: k, a: fa[k], b: fb[k] }));
}

/**
 * Differences between two records' configs and summaries, key by key.
 *
 * @param a First record.
 * @param b Second record.
 * @returns Sorted differences; empty lists mean equal.
 * @example
 * ```ts
 * const d = diffRuns(await loadRun("A"), await loadRun("B"));
 * for (const e of d.config) console.log(e.key, e.a, "→", e.b);
 * ```
 */
export function diffRuns(a: RunRecord, b: RunRecord): RunDiff {
  return { config: diffFlat(a.config, b.config), summary: diffFlat(a.summary, b.summary) };
}
