/**
 * Grid executors: run the arms of an ablation or seed sweep as local processes (bounded by cores)
 * or as one Slurm array job, with the same {@linkcode GridResult} either way; failed arms are
 * retried once. Each arm is one command (e.g. `deno task train --config=… --key=value`) that
 * writes its own run record to a shared runs folder.
 *
 * @example
 * ```ts
 * import { runGridLocal, runGridSlurm } from "./mod.ts";
 * const arms = [0, 1].map((seed) => ({ label: `seed=${seed}`, argv: ["deno", "task", "train", `--seed=${seed}`] }));
 * const local = await runGridLocal(arms, { concurrency: 2 });
 * const dry = await runGridSlurm(arms, { workDir: "/tmp/grid", dryRun: true });
 * console.log(local.failed, dry.script);
 * ```
 * @module
 */
export * from "./types.ts";
export * from "./local.ts";
export * from "./slurm.ts";
export * from "./run.ts";
export type { Exec, ExecResult } from "./_exec.ts";
