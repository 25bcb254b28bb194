/**
 * Plain-text views of lineage records for `deno task runs`: a list table, one record's essentials,
 * and a config/summary diff. (Notebooks use lib/notebook's HTML tables instead.)
 * @module
 */
import type { RunDiff } from "./store.ts";
import { flattenJson } from "./store.ts";
import type { DisplayStatus, RunRecord } from "./schema.ts";

/** Options for {@linkcode formatRunsTable} and {@linkcode formatRun}. */
export interface FormatRunOptions {
  /** The status to show for a record (the CLI passes `displayStatus`, which detects `died`).
   * @default the written status */
  statusOf?: (record: RunRecord) => DisplayStatus;
}

function cell(value: unknown): string {
  if (value === undefined) return "—";
  if (typeof value === "number") {
    return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, "");
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Aligns rows into a text table with a header rule.
 *
 * @param header Column names.
 * @param rows Cell texts.
 * @returns The table, one line per row.
 * @example
 * ```ts
 * textTable(["id", "status"], [["a", "completed"]]);
 * ```
 */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (c ?? "").padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/**
 * The `runs list` table: id, status, kind, name, start, duration, parent, and up to three summary
 * numbers.
 *
 * @param records Records, e.g. from `listRuns`.
 * @param options See {@linkcode FormatRunOptions}.
 * @returns The table text ("no runs" when empty).
 * @example
 * ```ts
 * console.log(formatRunsTable(await listRuns("runs")));
 * ```
 */
export function formatRunsTable(records: RunRecord[], options: FormatRunOptions = {}): string {
  const { statusOf = (r: RunRecord) => r.status } = options;
  if (records.length === 0) return "no runs";
  const rows = records.map((r) => {
    const flat = flattenJson(r.summary ?? {});
    const nums = Object.entries(flat).filter(([, v]) => typeof v === "number").slice(0, 3);
    return [
      r.id,
      statusOf(r),
      r.kind,
      r.name,
      r.started_at.replace("T", " ").slice(0, 19),
      r.duration_s === null ? "—" : `${r.duration_s.toFixed(1)}s`,
      r.parent_id ?? "—",
      nums.map(([k, v]) => `${k}=${cell(v)}`).join(" "),
    ];
  });
  return textTable(["id", "status", "kind", "name", "started", "took", "parent", "summary"], rows);
}

/**
 * One record's essentials as text: identity, code, config hash, inputs, seeds, runtime, critic,
 * process and progress, summary, artifacts, the command it started with and how to reproduce it.
 *
 * @param record The record.
 * @param options See {@linkcode FormatRunOptions}.
 * @returns Multi-line text.
 * @example
 * ```ts
 * console.log(formatRun(await loadRun("runs/ID")));
 * ```
 */
export function formatRun(record: RunRecord, options: FormatRunOptions = {}): string {
  const { statusOf = (r: RunRecord) => r.status } = options;
  const { iteration, checkpoint } = record.progress;
  const lines = [
    `id        ${record.id}${record.parent_id ? `  (parent ${record.parent_id})` : ""}${
      record.resumed_from ? `  (resumed from ${record.resumed_from})` : ""
    }`,
    `name      ${record.name}  kind ${record.kind}  task ${record.task ?? "—"}  status ${
      statusOf(record)
    }`,
    `process   pid ${record.pid ?? "—"} on ${record.host ?? "—"}  heartbeat ${record.heartbeat_at}`,
    `progress  iteration ${iteration ?? "—"}  checkpoint ${checkpoint ?? "—"}`,
    `time      ${record.started_at} → ${record.ended_at ?? "…"}${
      record.duration_s !== null ? `  (${record.duration_s.toFixed(1)} s)` : ""
    }`,
    `code      ${record.code.commit ?? record.code.error ?? "unknown"}${
      record.code.dirty
        ? ` dirty (diff ${record.code.diff_sha256?.slice(0, 12) ?? "untracked only"})`
        : ""
    }`,
    `config    sha256 ${record.config_sha256.slice(0, 16)}`,
    ...record.inputs.map((i) =>
      `input     ${i.name}${i.split ? `/${i.split}` : ""} ${i.rows} rows ${i.location} sha256 ${
        i.sha256.slice(0, 12)
      }`
    ),
    `seeds     ${JSON.stringify(record.seeds)}`,
    `runtime   deno ${record.runtime.deno} v8 ${record.runtime.v8} ts ${record.runtime.typescript}` +
    (record.backend ? `  backend ${record.backend.name}` : ""),
    ...(record.critic
      ? [
        `critic    ${record.critic.endpoint_kind} ${record.critic.model} k=${record.critic.k} ${record.critic.vote_rule} T=${record.critic.temperature}`,
      ]
      : []),
    `metrics   ${record.metrics.count} lines (last step ${record.metrics.last_step ?? "—"})`,
    ...Object.entries(flattenJson(record.summary ?? {})).map(([k, v]) =>
      `summary   ${k} = ${cell(v)}`
    ),
    ...record.artifacts.map((a) =>
      `artifact  ${a.kind} ${a.path} ${a.bytes} B sha256 ${a.sha256.slice(0, 12)}`
    ),
    ...(record.error ? [`error     ${record.error.name}: ${record.error.message}`] : []),
    `command   ${record.reproduce}`,
    ...(record.task ? [`reproduce deno task reproduce ${record.id}`] : []),
  ];
  return lines.join("\n");
}

/**
 * A diff as text: one line per differing config or summary key.
 *
 * @param diff From `diffRuns`.
 * @param labels Names of the two sides. @default ["a", "b"]
 * @returns Text; says "configs equal" / "summaries equal" when nothing differs.
 * @example
 * ```ts
 * console.log(formatDiff(diffRuns(a, b), [a.id, b.id]));
 * ```
 */
export function formatDiff(diff: RunDiff, labels: [string, string] = ["a", "b"]): string {
  const part = (title: string, entries: RunDiff["config"]) =>
    entries.length === 0
      ? `${title === "config" ? "configs" : "summaries"} equal`
      : `${title} differences (${labels[0]} → ${labels[1]}):\n` +
        textTable(["key", labels[0], labels[1]], entries.map((e) => [e.key, cell(e.a), cell(e.b)]));
  return [part("config", diff.config), part("summary", diff.summary)].join("\n\n");
}
