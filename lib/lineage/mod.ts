/**
 * Lineage: one JSON record per run (`<runsDir>/<id>/run.json`, schema in `schema.ts`) with a
 * step-indexed `metrics.jsonl` beside it. A record holds the code version (git commit, dirty flag,
 * diff hash), the task that ran and its full resolved config with its sha256, inputs with hashes,
 * seeds, backend and runtime versions, critic settings (never a key), the writer's pid, host and
 * heartbeat, progress (last iteration and checkpoint), summary and artifacts with hashes. Paths are
 * relative to the run folder, the runs folder or the repository root. Records are written
 * atomically at start, on progress and at the end; SIGINT/SIGTERM mark them `interrupted`.
 *
 * Library code never imports lineage; experiment scripts and notebooks wire training hooks to it.
 *
 * @example
 * ```ts
 * import { listRuns, startRun } from "./mod.ts";
 * const run = await startRun({
 *   runsDir: "/tmp/runs", name: "demo", kind: "demo", task: "demo", config: { seed: 1 },
 *   seeds: { train: 1 },
 * });
 * try {
 *   await run.logMetrics(0, { reward: 0.25 });
 *   await run.finish({ accuracy: 0.8 });
 * } catch (error) {
 *   await run.fail(error);
 *   throw error;
 * }
 * console.log((await listRuns("/tmp/runs")).length, run.recordPath);
 * ```
 * @module
 */
export * from "./schema.ts";
export * from "./run.ts";
export * from "./store.ts";
export * from "./secrets.ts";
export * from "./critic.ts";
export * from "./format.ts";
export * from "./reproduce.ts";
export * from "./resume.ts";
export * from "./tasks.ts";
export * from "./liveness.ts";
export * from "./rollouts.ts";
export {
  installInterruptHandlers,
  type InterruptHandlerOptions,
  type InterruptInfo,
} from "./interrupt.ts";
export * from "./table.ts";
export * from "./tensorboard.ts";
export { pinnedPackages } from "./_environment.ts";

/**
 * The runs folder a CLI or notebook should use: `CAPO_RUNS_DIR` when set, else "runs".
 * Library functions take the folder as an argument; only entry points call this.
 *
 * @returns The folder path.
 * @example
 * ```ts
 * const runsDir = defaultRunsDir();
 * ```
 */
export function defaultRunsDir(): string {
  try {
    return Deno.env.get("CAPO_RUNS_DIR") || "runs";
  } catch {
    return "runs"; // no env permission
  }
}
