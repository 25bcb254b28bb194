/**
 * JSONL batch verification behind `deno task verify`: each input object with `pred` and `gold`
 * comes back with `verdict`, `result` and `reason` added (other fields passed through). A line that
 * is not a JSON object with string `pred` and `gold` yields `result: "unverifiable"`,
 * `reason: "bad_input"` and an `error` naming the line, or throws with `strict`.
 * @module
 */
import { VerifierPool } from "./pool.ts";
import type { VerifyOptions } from "./types.ts";
import { verifyAnswer } from "./verify.ts";

/** Options for {@linkcode verifyJsonl}. */
export interface VerifyJsonlOptions extends VerifyOptions {
  /**
   * Verify in a Worker pool with a per-case time budget instead of in this thread.
   * @default false
   */
  pool?: boolean;
  /**
   * Workers in the pool.
   * @default 2
   */
  poolSize?: number;
  /**
   * Per-case time budget for the pool, in milliseconds.
   * @default 2000
   */
  timeoutMs?: number;
  /**
   * Throw a `SyntaxError` naming the line on bad input instead of writing a `bad_input` row.
   * @default false
   */
  strict?: boolean;
  /**
   * Name of the input in error messages.
   * @default "stdin"
   */
  source?: string;
  /**
   * Cases per pool batch.
   * @default 256
   */
  batchSize?: number;
}

/** One JSONL object: the input fields, plus `verdict`, `result`, `reason` (and `error`) on output. */
export type JsonlRow = Record<string, unknown>;
type Row = JsonlRow;

function parseLine(line: string, n: number, source: string): Row | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return `Cannot parse line ${n} of ${source}: expected JSON, got ${
      JSON.stringify(line.slice(0, 60))
    }`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `Cannot parse line ${n} of ${source}: expected a JSON object, got ${line.slice(0, 60)}`;
  }
  const row = value as Row;
  for (const field of ["pred", "gold"]) {
    if (typeof row[field] !== "string" && typeof row[field] !== "number") {
      return `Cannot read line ${n} of ${source}: expected string field "${field}", got ${
        JSON.stringify(row[field]) ?? "nothing"
      }`;
    }
  }
  return row;
}

/**
 * Verifies JSONL rows, yielding one output object per non-blank input line, in order.
 *
 * @param lines Input lines (without newlines).
 * @param options See {@linkcode VerifyJsonlOptions}.
 * @returns Output objects: input fields plus `verdict`, `result`, `reason`.
 * @throws {SyntaxError} On a bad line when `strict` is set.
 * @example
 * ```ts
 * import { verifyJsonl } from "./jsonl.ts";
 * for await (const row of verifyJsonl(['{"pred":"\\\\boxed{4}","gold":"4","id":1}'])) {
 *   console.log(row.verdict, row.id); // true 1
 * }
 * ```
 */
export async function* verifyJsonl(
  lines: Iterable<string> | AsyncIterable<string>,
  options: VerifyJsonlOptions = {},
): AsyncGenerator<JsonlRow> {
  const {
    pool: usePool = false,
    poolSize = 2,
    timeoutMs = 2000,
    strict = false,
    source = "stdin",
    batchSize = 256,
    ...verifyOptions
  } = options;
  const pool = usePool ? new VerifierPool({ size: poolSize, timeoutMs }) : null;
  let batch: (Row | string)[] = [];
  const flush = async function* (): AsyncGenerator<Row> {
    const good = batch.filter((r): r is Row => typeof r !== "string");
    const results = pool
      ? await pool.verifyMany(
        good.map((r) => ({ pred: String(r.pred), gold: String(r.gold) })),
        verifyOptions,
      )
      : good.map((r) => verifyAnswer(String(r.pred), String(r.gold), verifyOptions));
    let k = 0;
    for (const r of batch) {
      if (typeof r === "string") {
        yield { verdict: false, result: "unverifiable", reason: "bad_input", error: r };
      } else {
        const v = results[k++];
        yield { ...r, verdict: v.result === "equal", result: v.result, reason: v.reason };
      }
    }
    batch = [];
  };
  try {
    let n = 0;
    for await (const line of lines) {
      n++;
      if (line.trim() === "") continue;
      const row = parseLine(line, n, source);
      if (typeof row === "string" && strict) {
        yield* flush();
        throw new SyntaxError(row);
      }
      batch.push(row);
      if (batch.length >= (pool ? batchSize : 1)) yield* flush();
    }
    yield* flush();
  } finally {
    pool?.close();
  }
}

/**
 * Splits a byte stream into lines (`\n` or `\r\n`).
 *
 * @param stream e.g. `Deno.stdin.readable`.
 * @returns The lines, without terminators.
 * @example
 * ```ts
 * import { readLines } from "./jsonl.ts";
 * for await (const line of readLines(Deno.stdin.readable)) console.log(line.length);
 * ```
 */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    const parts = rest.split("\n");
    rest = parts.pop() ?? "";
    for (const p of parts) yield p.replace(/\r$/, "");
  }
  if (rest !== "") yield rest.replace(/\r$/, "");
}
