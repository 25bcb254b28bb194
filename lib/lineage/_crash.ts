/**
 * Marks a run failed when its script dies of an uncaught error, an unhandled rejection or an early
 * `Deno.exit()`, printing one line (the stack goes into the record, not onto the terminal).
 * Private to lib/lineage; signals are handled by interrupt.ts.
 * @module
 */
import type { RunRecord } from "./schema.ts";
import type { RunHandle } from "./run.ts";

/** Wires uncaught errors, unhandled rejections and early exit to `fail()`; returns detach. */
export function attachCrashHandlers(
  handle: RunHandle,
  record: () => RunRecord,
  recordPath: string,
  text: () => string,
): () => void {
  const crash = (error: unknown) => {
    const err = error instanceof Error ? error : new Error(String(error));
    console.error(`Run ${handle.id} failed: ${err.message} (stack trace in ${recordPath})`);
    handle.fail(err).finally(() => Deno.exit(1));
  };
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    crash(event.error ?? new Error(event.message));
  };
  const onRejection = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    crash(event.reason);
  };
  // Deno.exit() while running skips the async queue: write the failed record synchronously.
  const onUnload = () => {
    const r = record();
    if (r.status !== "running") return;
    r.status = "failed";
    r.ended_at = r.updated_at = r.heartbeat_at = new Date().toISOString();
    r.duration_s = (Date.parse(r.ended_at) - Date.parse(r.started_at)) / 1000;
    r.error = { name: "Error", message: "process exited before the run finished" };
    const tmp = `${recordPath}.${crypto.randomUUID().slice(0, 8)}.tmp`;
    try {
      Deno.writeTextFileSync(tmp, text());
      Deno.renameSync(tmp, recordPath);
    } catch {
      // Best effort during exit; the previous complete record stays in place.
    }
  };
  globalThis.addEventListener("error", onError);
  globalThis.addEventListener("unhandledrejection", onRejection);
  globalThis.addEventListener("unload", onUnload);
  return () => {
    globalThis.removeEventListener("error", onError);
    globalThis.removeEventListener("unhandledrejection", onRejection);
    globalThis.removeEventListener("unload", onUnload);
  };
}
