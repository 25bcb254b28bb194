/**
 * Ctrl-C and `kill` end a run quietly and truthfully: SIGINT / SIGTERM mark the record
 * `interrupted` (with the last iteration and checkpoint the run reported through `progress()`),
 * run the caller's clean-up, print one line and exit 130 / 143 — no stack trace.
 * @module
 */
import type { RunHandle } from "./run.ts";

/** What {@linkcode InterruptHandlerOptions.onInterrupt} receives. */
export interface InterruptInfo {
  /** "SIGINT" or "SIGTERM". */
  signal: Deno.Signal;
  /** The exit code that follows: 130 for SIGINT, 143 for SIGTERM. */
  exitCode: number;
  /** The last completed iteration the run reported, or null. */
  iteration: number | null;
  /** The last checkpoint the run reported, relative to the runs folder, or null. */
  checkpoint: string | null;
}

/** Options for {@linkcode installInterruptHandlers}. */
export interface InterruptHandlerOptions {
  /** Clean-up after the record is marked (close a server, flush a dump). @default none */
  onInterrupt?: (info: InterruptInfo) => void | Promise<void>;
  /** Longest wait for the record write plus `onInterrupt`, in ms; then it exits anyway. @default 10000 */
  timeoutMs?: number;
  /** Exit the process after handling (turn off only in tests). @default true */
  exit?: boolean;
  /** Where the one line goes. @default console.error */
  log?: (line: string) => void;
}

const CODES: Partial<Record<Deno.Signal, number>> = { SIGINT: 130, SIGTERM: 143 };
const installed = new WeakMap<RunHandle, () => void>();

/**
 * Makes SIGINT and SIGTERM mark `run` interrupted and exit quietly. Installing again for the same
 * run replaces the previous handlers; they are removed when the run ends. A second signal during
 * the clean-up exits at once.
 *
 * @param run The live run.
 * @param options See {@linkcode InterruptHandlerOptions}.
 * @returns A function that removes the handlers.
 * @example
 * ```ts
 * const run = await startRun({ name: "t", kind: "train", task: "train", config: {},
 *   handleUnhandled: false });
 * installInterruptHandlers(run, { onInterrupt: () => console.error("closing the critic") });
 * ```
 */
export function installInterruptHandlers(
  run: RunHandle,
  options: InterruptHandlerOptions = {},
): () => void {
  const { onInterrupt, timeoutMs = 10_000, exit = true, log = console.error } = options;
  installed.get(run)?.();
  if (run.record.status !== "running") return () => {}; // an ended run has nothing to mark
  let handling = false;
  const handlers: [Deno.Signal, () => void][] = [];
  const handle = async (signal: Deno.Signal) => {
    const exitCode = CODES[signal] ?? 1;
    if (handling) {
      if (exit) Deno.exit(exitCode);
      return;
    }
    handling = true;
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<string>((resolve) => {
      timeout = setTimeout(() => resolve("timed out"), timeoutMs);
    });
    const work = (async () => {
      await run.interrupt(signal);
      const { progress } = run.record;
      await onInterrupt?.({ signal, exitCode, ...progress });
      return "done";
    })().catch((error) => `failed: ${(error as Error).message}`);
    const outcome = await Promise.race([work, limit]);
    clearTimeout(timeout);
    const { progress } = run.record;
    const where = progress.iteration === null
      ? "before its first reported iteration"
      : `after iteration ${progress.iteration}` +
        (progress.checkpoint ? ` (checkpoint ${progress.checkpoint})` : " (no checkpoint)");
    log(
      outcome === "done"
        ? `Interrupted by ${signal}: run ${run.id} marked interrupted ${where}; continue it with --resume ${run.dir}`
        : `Interrupted by ${signal}: marking run ${run.id} ${outcome}; its record may still say running`,
    );
    if (exit) Deno.exit(exitCode);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const listener = () => void handle(signal);
    try {
      Deno.addSignalListener(signal, listener);
      handlers.push([signal, listener]);
    } catch {
      // Signals unsupported here (Windows has no SIGTERM): the run is then seen as died, not marked.
    }
  }
  const detach = () => {
    for (const [signal, listener] of handlers) Deno.removeSignalListener(signal, listener);
    handlers.length = 0;
    installed.delete(run);
  };
  installed.set(run, detach);
  return detach;
}

/** Removes the handlers {@linkcode installInterruptHandlers} added for `run` (when it ends). */
export function detachInterruptHandlers(run: RunHandle): void {
  installed.get(run)?.();
}
