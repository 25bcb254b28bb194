/**
 * Training loops for capo: supervised fine-tuning from scratch on synthetic traces (`trainSft`),
 * the CAPO / GRPO-family RL trainer (`trainRl`, one typed `RlConfig` with presets), greedy
 * evaluation (answer accuracy, process accuracy, lucky rate), resumable checkpoints, and the
 * per-stage RL benchmark. Loops report through hooks; they never import lineage.
 *
 * @example
 * ```ts
 * import { loadCheckpoint } from "../model/mod.ts";
 * import { generateSyntheticTask } from "../data/mod.ts";
 * import { RL_PRESETS, trainRl } from "./mod.ts";
 * const policy = await loadCheckpoint("data/sft");
 * const { train, test } = generateSyntheticTask({ seed: 0, trainSize: 500, validSize: 0, testSize: 200 });
 * const result = await trainRl(RL_PRESETS.demo, { policy, train, test }, {
 *   onProgress: (line) => console.error(line),
 * });
 * console.log(result.before, result.after);
 * ```
 * @module
 */
export * from "./config.ts";
export * from "./hooks.ts";
export * from "./sft.ts";
export * from "./evaluate.ts";
export * from "./checkpoint.ts";
export * from "./rl.ts";
export * from "./bench.ts";
