/**
 * HTML builders for notebooks: a generic table and lineage run tables. Pure string functions with
 * inline styles only, so the markup renders wherever the notebook is viewed.
 * @module
 */
import type { RunRecord } from "../lineage/mod.ts";
import { flattenJson } from "../lineage/mod.ts";

/**
 * Escapes `& < > " '` for HTML text and attributes.
 *
 * @param text Raw text.
 * @returns Escaped text.
 * @example
 * ```ts
 * escapeHtml("<b>"); // "&lt;b&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** Options for {@linkcode htmlTable}. */
export interface HtmlTableOptions {
  /** Column order; unset = keys of the rows in first-seen order. @default undefined */
  columns?: string[];
  /** Caption above the table. @default "" */
  caption?: string;
  /** Significant digits of numbers. @default 4 */
  digits?: number;
}

function cellText(value: unknown, digits: number): string {
  if (value === undefined || value === null) return "—";
  if (typeof value === "number") {
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(digits)));
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * An HTML table of row objects.
 *
 * @param rows One object per row.
 * @param options See {@linkcode HtmlTableOptions}.
 * @returns `<table>` markup with escaped cells.
 * @example
 * ```ts
 * htmlTable([{ arm: "capo", accuracy: 0.5 }], { caption: "after RL" });
 * ```
 */
export function htmlTable(rows: Record<string, unknown>[], options: HtmlTableOptions = {}): string {
  const { caption = "", digits = 4 } = options;
  const columns = options.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const th = 'style="text-align:left;padding:2px 8px;border-bottom:1px solid #999"';
  const td = 'style="text-align:left;padding:2px 8px;font-family:monospace"';
  return [
    '<table style="border-collapse:collapse">',
    caption
      ? `<caption style="text-align:left;font-weight:bold">${escapeHtml(caption)}</caption>`
      : "",
    `<thead><tr>${columns.map((c) => `<th ${th}>${escapeHtml(c)}</th>`).join("")}</tr></thead>`,
    "<tbody>",
    ...rows.map((r) =>
      `<tr>${
        columns.map((c) => `<td ${td}>${escapeHtml(cellText(r[c], digits))}</td>`).join("")
      }</tr>`
    ),
    "</tbody></table>",
  ].filter((s) => s !== "").join("\n");
}

/**
 * A table of lineage records: id, status, kind, name, start, duration and summary metrics.
 *
 * @param records From `listRuns` / `loadRun`.
 * @returns `<table>` markup.
 * @example
 * ```ts
 * runsHtml(await listRuns("runs"));
 * ```
 */
export function runsHtml(records: RunRecord[]): string {
  const rows = records.map((r) => ({
    id: r.id,
    status: r.status,
    kind: r.kind,
    name: r.name,
    started: r.started_at.replace("T", " ").slice(0, 19),
    seconds: r.duration_s,
    ...flattenJson(r.summary ?? {}),
  }));
  return htmlTable(rows, { caption: `${records.length} run(s)` });
}

/**
 * One record as a two-column key/value table (config and summary flattened to dotted keys).
 *
 * @param record A lineage record.
 * @returns `<table>` markup.
 * @example
 * ```ts
 * runHtml(await loadRun("runs/ID"));
 * ```
 */
export function runHtml(record: RunRecord): string {
  const rows: Record<string, unknown>[] = [
    { key: "id", value: record.id },
    { key: "status", value: record.status },
    {
      key: "code",
      value: `${record.code.commit ?? record.code.error}${record.code.dirty ? " (dirty)" : ""}`,
    },
    { key: "config_sha256", value: record.config_sha256 },
    ...Object.entries(flattenJson(record.config ?? {})).map(([k, v]) => ({
      key: `config.${k}`,
      value: v,
    })),
    ...Object.entries(flattenJson(record.summary ?? {})).map(([k, v]) => ({
      key: `summary.${k}`,
      value: v,
    })),
    ...record.artifacts.map((a) => ({
      key: `artifact ${a.kind}`,
      value: `${a.path} (${a.bytes} B)`,
    })),
    { key: "reproduce", value: record.reproduce },
  ];
  return htmlTable(rows, { caption: `${record.name} (${record.kind})` });
}
