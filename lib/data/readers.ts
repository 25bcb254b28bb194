/**
 * Row readers for JSONL, JSON (an array of objects) and Parquet (`npm:hyparquet` with
 * `hyparquet-compressors` for zstd / gzip / brotli / lz4), and {@linkcode loadDataset}, which turns
 * rows into records through an adapter. Bad rows fail loudly with file and line, or are skipped and
 * reported when asked (`skipBadRows`); nothing is dropped silently.
 * @module
 */
import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { readSource, type ReadSourceOptions } from "./source.ts";
import type { LoadedDataset, SkippedRow } from "./types.ts";

/** A file format the readers understand. */
export type DataFormat = "jsonl" | "json" | "parquet";

/** One row read from a file: its 1-based line (JSONL) or row number (JSON, Parquet) and object. */
export interface RawRow {
  /** 1-based line (JSONL) or 1-based row (JSON array element, Parquet row). */
  line: number;
  /** The row as a plain object. */
  value: Record<string, unknown>;
}

/** Options for {@linkcode readRows}. */
export interface ReadRowsOptions extends ReadSourceOptions {
  /** The file format. @default from the extension (.jsonl/.ndjson, .json, .parquet), else sniffed */
  format?: DataFormat;
  /** Skip unparseable rows and report them instead of throwing. @default false */
  skipBadRows?: boolean;
}

/** What {@linkcode readRows} returns. */
export interface ReadRowsResult {
  /** The path or URL as given. */
  location: string;
  /** Hex sha256 of the file's bytes. */
  sha256: string;
  /** The format that was read. */
  format: DataFormat;
  /** The rows that parsed. */
  rows: RawRow[];
  /** Rows that did not parse (only with `skipBadRows`). */
  skipped: SkippedRow[];
}

/**
 * Reads the rows of a JSONL, JSON or Parquet file from a path or URL.
 *
 * @param location A local path or http(s) URL.
 * @param options See {@linkcode ReadRowsOptions}.
 * @returns The rows, the content sha256 and any skipped rows.
 * @throws {SyntaxError} When a line or the file does not parse (naming the file and 1-based line),
 *   unless `skipBadRows` is set for row-level problems.
 * @example
 * ```ts
 * const { rows, sha256 } = await readRows("data/problems.jsonl");
 * console.log(rows[0].line, rows[0].value.question, sha256);
 * ```
 */
export async function readRows(
  location: string,
  options: ReadRowsOptions = {},
): Promise<ReadRowsResult> {
  const { format: requested, skipBadRows = false } = options;
  const source = await readSource(location, options);
  const format = requested ?? detectFormat(location, source.bytes);
  const skipped: SkippedRow[] = [];
  const bad = (line: number, reason: string, kind = "line") => {
    if (!skipBadRows) {
      throw new SyntaxError(`Cannot parse ${kind} ${line} of ${location}: ${reason}`);
    }
    skipped.push({ line, reason });
  };
  let rows: RawRow[];
  if (format === "jsonl") rows = parseJsonl(source.bytes, bad);
  else if (format === "json") rows = parseJsonArray(source.bytes, location, bad);
  else rows = await parseParquet(source.bytes, location);
  return { location, sha256: source.sha256, format, rows, skipped };
}

function detectFormat(location: string, bytes: Uint8Array): DataFormat {
  const path = location.replace(/[?#].*$/, "").toLowerCase();
  if (path.endsWith(".jsonl") || path.endsWith(".ndjson")) return "jsonl";
  if (path.endsWith(".json")) return "json";
  if (path.endsWith(".parquet")) return "parquet";
  // No telling extension (e.g. a download URL): sniff the Parquet magic or a leading "[".
  if (bytes.length >= 4 && new TextDecoder().decode(bytes.subarray(0, 4)) === "PAR1") {
    return "parquet";
  }
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
  return head.startsWith("[") ? "json" : "jsonl";
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJsonl(
  bytes: Uint8Array,
  bad: (line: number, reason: string) => void,
): RawRow[] {
  const text = new TextDecoder().decode(bytes).replace(/^\uFEFF/, "");
  const rows: RawRow[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === "") continue; // Blank lines hold no row (e.g. the file's final newline).
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      bad(i + 1, `expected a JSON object, got ${describe(raw)} (${(error as Error).message})`);
      continue;
    }
    if (!isObject(value)) bad(i + 1, `expected a JSON object, got ${describe(value)}`);
    else rows.push({ line: i + 1, value });
  }
  return rows;
}

function parseJsonArray(
  bytes: Uint8Array,
  location: string,
  bad: (line: number, reason: string, kind?: string) => void,
): RawRow[] {
  const text = new TextDecoder().decode(bytes).replace(/^\uFEFF/, "");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = Number(/position (\d+)/.exec(message)?.[1]);
    const where = Number.isFinite(position)
      ? ` at line ${text.slice(0, position).split("\n").length}`
      : "";
    throw new SyntaxError(`Cannot parse ${location}${where}: expected JSON, got ${message}`, {
      cause: error,
    });
  }
  if (!Array.isArray(value)) {
    throw new SyntaxError(
      `Cannot parse ${location}: expected a JSON array of objects, got ${describe(value)}`,
    );
  }
  const rows: RawRow[] = [];
  value.forEach((item, i) => {
    if (isObject(item)) rows.push({ line: i + 1, value: item });
    else bad(i + 1, `expected a JSON object, got ${describe(item)}`, "row");
  });
  return rows;
}

async function parseParquet(bytes: Uint8Array, location: string): Promise<RawRow[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  let objects: Record<string, unknown>[];
  try {
    objects = await parquetReadObjects({ file: file as ArrayBuffer, compressors });
  } catch (error) {
    throw new SyntaxError(
      `Cannot parse ${location}: expected a Parquet file, got ${(error as Error).message}`,
      { cause: error },
    );
  }
  return objects.map((value, i) => ({
    line: i + 1,
    value: plain(value) as Record<string, unknown>,
  }));
}

/** Parquet INT64 values arrive as bigint; make them numbers when exact, else strings. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (Array.isArray(value)) return value.map(plain);
  if (isObject(value) && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** Where a row sits, passed to a {@linkcode RowAdapter}. */
export interface RowContext {
  /** 0-based row index among the file's rows (skipped rows included). */
  index: number;
  /** 1-based line (JSONL) or row (JSON, Parquet). */
  line: number;
  /** The path or URL. */
  location: string;
  /** The dataset name. */
  name: string;
}

/**
 * Turns one row into zero or more records; throws (a `TypeError` naming the field, ideally via
 * {@linkcode requireString}) when the row lacks what it needs.
 *
 * @typeParam T The record type.
 */
export type RowAdapter<T> = (row: Record<string, unknown>, context: RowContext) => T | T[];

/** Options for {@linkcode loadDataset}. */
export interface LoadDatasetOptions extends ReadRowsOptions {
  /** Dataset name in the result and in each record's `source.dataset`. @default the loader's */
  name?: string;
}

/**
 * Loads a dataset through an adapter: reads the rows, adapts each one, and reports the sha256 and
 * row count. An adapter error becomes a `TypeError` naming the file, line and problem, or, with
 * `skipBadRows`, a skipped-row entry.
 *
 * @typeParam T The record type.
 * @param location A local path or http(s) URL.
 * @param adapter Row → record(s).
 * @param options See {@linkcode LoadDatasetOptions}.
 * @returns The loaded dataset.
 * @throws {SyntaxError} For rows that do not parse (unless skipped).
 * @throws {TypeError} For rows the adapter rejects (unless skipped).
 * @example
 * ```ts
 * const ds = await loadDataset("my.jsonl", (row, ctx) => ({
 *   id: `my-${ctx.index}`, question: requireString(row, "q"), answer: requireString(row, "a"),
 *   source: { dataset: ctx.name, location: ctx.location, index: ctx.index },
 * }), { name: "my" });
 * ```
 */
export async function loadDataset<T>(
  location: string,
  adapter: RowAdapter<T>,
  options: LoadDatasetOptions = {},
): Promise<LoadedDataset<T>> {
  const { name = "dataset", skipBadRows = false } = options;
  const read = await readRows(location, options);
  const skipped = [...read.skipped];
  const records: T[] = [];
  const total = read.rows.length + read.skipped.length;
  // Row index counts skipped rows too, so ids stay stable whether or not bad rows are skipped.
  const order = [...read.rows.map((r) => r.line), ...read.skipped.map((s) => s.line)]
    .sort((a, b) => a - b);
  const indexOf = new Map(order.map((line, i) => [line, i]));
  const kind = read.format === "jsonl" ? "line" : "row";
  for (const row of read.rows) {
    const context = { index: indexOf.get(row.line)!, line: row.line, location, name };
    try {
      const out = adapter(row.value, context);
      if (Array.isArray(out)) records.push(...out);
      else records.push(out);
    } catch (error) {
      const reason = (error as Error).message;
      if (!skipBadRows) {
        throw new TypeError(`Cannot read ${kind} ${row.line} of ${location}: ${reason}`, {
          cause: error,
        });
      }
      skipped.push({ line: row.line, reason });
    }
  }
  skipped.sort((a, b) => a.line - b.line);
  return { name, location, sha256: read.sha256, rows: total, records, skipped };
}

/**
 * Reads a required string field of a row (numbers are accepted and turned into text).
 *
 * @param row The row.
 * @param field The field name.
 * @returns The field's text.
 * @throws {TypeError} `expected field "F" to be a string, got ...` when missing or of another type.
 * @example
 * ```ts
 * requireString({ question: "1+1?" }, "question"); // "1+1?"
 * ```
 */
export function requireString(row: Record<string, unknown>, field: string): string {
  const value = row[field];
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  throw new TypeError(
    `expected field "${field}" to be a string, got ${
      value === undefined ? "no such field" : describe(value)
    }`,
  );
}
