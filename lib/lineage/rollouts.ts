/**
 * Rollout dumps that stay small and survive a kill: `rollouts.jsonl.gz`, one gzip member per
 * `write()` (so everything written before a crash reads back, and `zcat` or Python's gzip read
 * it too), with a cap on the compressed size past which rows are counted, not written.
 * @module
 */
import { constants, gunzipSync } from "node:zlib";
import { ensureParentDir } from "../util/mod.ts";

/** Options for {@linkcode createRolloutWriter}. */
export interface RolloutWriterOptions {
  /** Stop writing once the file reaches this many bytes (rows past it are counted in
   * `droppedRows`). @default 33554432 (32 MiB) */
  maxBytes?: number;
  /** Gzip each write; false writes plain JSONL. @default true */
  compress?: boolean;
}

/** A rollout dump being written. */
export interface RolloutWriter {
  /** The file path. */
  readonly path: string;
  /** Rows written. */
  readonly rows: number;
  /** Rows not written because the file reached `maxBytes`. */
  readonly droppedRows: number;
  /** Bytes on disk. */
  readonly bytes: number;
  /** Appends rows, one JSON object per line (use as a training loop's `onRollouts`). */
  write(step: number, rows: readonly unknown[]): Promise<void>;
}

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Creates (or continues) a rollout dump. The folder and the file are created at once; an
 * existing file is appended to.
 *
 * @param path The file, conventionally `<run dir>/rollouts.jsonl.gz`.
 * @param options See {@linkcode RolloutWriterOptions}.
 * @returns The writer.
 * @throws {RangeError} When `maxBytes` is not a positive number.
 * @example
 * ```ts
 * const dump = await createRolloutWriter("/tmp/run/rollouts.jsonl.gz");
 * await dump.write(1, [{ response: "2 + 2 = 4" }]);
 * console.log(dump.rows, dump.bytes);
 * ```
 */
export async function createRolloutWriter(
  path: string,
  options: RolloutWriterOptions = {},
): Promise<RolloutWriter> {
  const { maxBytes = 32 * 1024 * 1024, compress = true } = options;
  if (!(maxBytes > 0)) {
    throw new RangeError(
      `Cannot create rollout dump ${path}: expected maxBytes > 0, got ${maxBytes}`,
    );
  }
  await ensureParentDir(path);
  await Deno.writeFile(path, new Uint8Array(), { append: true, create: true });
  let bytes = (await Deno.stat(path)).size;
  let rows = 0;
  let droppedRows = 0;
  let queue: Promise<void> = Promise.resolve();
  const writeNow = async (batch: readonly unknown[]) => {
    if (bytes >= maxBytes) {
      droppedRows += batch.length;
      return;
    }
    const text = batch.map((row) => JSON.stringify(row)).join("\n") + "\n";
    const data = compress ? await gzip(text) : new TextEncoder().encode(text);
    await Deno.writeFile(path, data, { append: true });
    bytes += data.length;
    rows += batch.length;
  };
  return {
    path,
    get rows() {
      return rows;
    },
    get droppedRows() {
      return droppedRows;
    },
    get bytes() {
      return bytes;
    },
    write(_step, batch) {
      if (batch.length === 0) return queue;
      // Serialised so that concurrent calls append whole members in call order.
      queue = queue.then(() => writeNow(batch));
      return queue;
    },
  };
}

/** What {@linkcode readRollouts} returns. */
export interface RolloutDump {
  rows: Record<string, unknown>[];
  /** True when the last line was cut short (a process killed mid-write); that line is dropped. */
  tornTail: boolean;
}

/**
 * Reads a rollout dump: `.gz` (any number of gzip members, a torn last member tolerated) or plain
 * JSONL. Loads the whole file; the writer's `maxBytes` keeps that bounded.
 *
 * @param path The dump.
 * @returns The rows and whether the tail was torn.
 * @throws {SyntaxError} When a complete line is not a JSON object, naming the file and line.
 * @example
 * ```ts
 * const { rows } = await readRollouts("runs/ID/rollouts.jsonl.gz");
 * console.log(rows.length);
 * ```
 */
export async function readRollouts(path: string): Promise<RolloutDump> {
  const bytes = await Deno.readFile(path);
  const gz = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  // Z_SYNC_FLUSH returns what a cut-off last member holds instead of throwing.
  const text = new TextDecoder().decode(
    gz ? gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }) : bytes,
  );
  const lines = text.split("\n");
  const tail = lines.pop() ?? "";
  const rows: Record<string, unknown>[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      row = undefined;
    }
    if (row === null || typeof row !== "object" || Array.isArray(row)) {
      throw new SyntaxError(
        `Cannot parse line ${i + 1} of ${path}: expected a JSON object, got ${
          JSON.stringify(line.slice(0, 40))
        }`,
      );
    }
    rows.push(row as Record<string, unknown>);
  });
  return { rows, tornTail: tail.trim() !== "" };
}
