/**
 * The observer interface the training loops report through. Library code never imports lineage:
 * experiment scripts and CLIs wire these hooks to run records, rollout dumps and the terminal.
 * @module
 */
import type { CheckpointFile } from "../model/mod.ts";
import { ensureParentDir } from "../util/mod.ts";

export type { CheckpointFile };

/**
 * Callbacks of {@linkcode trainSft} and `trainRl`; every one is optional and may be async (the
 * loop awaits it).
 *
 * @typeParam Row The type of a dumped rollout row.
 */
export interface TrainHooks<Row = unknown> {
  /** Scalar metrics of one step (RL: one iteration; eval metrics carry an `eval/` prefix). */
  onMetrics?(step: number, metrics: Record<string, number>): void | Promise<void>;
  /** Every rollout of one iteration (RL only), ready to be written as JSONL. */
  onRollouts?(step: number, rows: Row[]): void | Promise<void>;
  /** Files of a checkpoint just written. */
  onCheckpoint?(step: number, files: CheckpointFile[]): void | Promise<void>;
  /** A one-line progress report (iteration, reward, accuracy, time left). */
  onProgress?(line: string): void | Promise<void>;
}

/**
 * Formats seconds for progress lines.
 *
 * @param seconds A duration in seconds.
 * @returns `1m05s`, `42s`, or `?` when unknown.
 * @example
 * ```ts
 * formatDuration(65); // "1m05s"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** A JSONL file that rollout rows are appended to. */
export interface JsonlDump {
  /** The file path. */
  path: string;
  /** Rows written so far. */
  readonly rows: number;
  /** Appends rows, one JSON object per line (use as `onRollouts`). */
  write(step: number, rows: readonly unknown[]): Promise<void>;
}

/**
 * Creates an append-only JSONL dump for `onRollouts` (the folder and the file are created at once,
 * so a run with nothing left to do still has its dump; an existing file is appended to, so a
 * resumed run continues its dump).
 *
 * @param path The JSONL file.
 * @returns The dump.
 * @example
 * ```ts
 * const dump = await createJsonlDump("runs/x/rollouts.jsonl");
 * await trainRl(config, deps, { onRollouts: dump.write });
 * ```
 */
export async function createJsonlDump(path: string): Promise<JsonlDump> {
  await ensureParentDir(path);
  await Deno.writeTextFile(path, "", { append: true, create: true });
  let count = 0;
  return {
    path,
    get rows() {
      return count;
    },
    write: async (_step, rows) => {
      if (rows.length === 0) return;
      const text = rows.map((row) => JSON.stringify(row)).join("\n") + "\n";
      await Deno.writeTextFile(path, text, { append: true, create: true });
      count += rows.length;
    },
  };
}
