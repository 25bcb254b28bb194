/**
 * The observer interface the training loops report through. Library code never imports lineage:
 * experiment scripts and CLIs wire these hooks to run records, rollout dumps and the terminal.
 * @module
 */
import type { CheckpointFile } from "../model/mod.ts";

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

/** Formats seconds as `1m05s` / `42s` for progress lines. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
