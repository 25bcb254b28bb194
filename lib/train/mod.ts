/**
 * Training loops for capo: supervised fine-tuning from scratch on synthetic traces (`trainSft`),
 * the CAPO / GRPO-family RL trainer (`trainRl`, settings from `RL_SCHEMA` with presets) over any
 * task set with a ready critic, evaluation (answer accuracy by the verifier; process accuracy and
 * lucky rate where the task has a step labeller) and resumable checkpoints. Loops report through
 * hooks; they never import lineage (lib/run records them; the per-stage RL benchmark is bench.ts).
 *
 * @example
 * ```ts
 * import { loadCheckpoint } from "../model/mod.ts";
 * import { generateSyntheticTask, syntheticTasks } from "../data/mod.ts";
 * import { openCritic, DEFAULT_CRITIC_SECTION } from "../critic/mod.ts";
 * import { RL_PRESETS, trainRl } from "./mod.ts";
 * const policy = await loadCheckpoint("data/sft");
 * const task = generateSyntheticTask({ seed: 0, trainSize: 500, validSize: 0, testSize: 200 });
 * const train = syntheticTasks(task.train);
 * const critic = await openCritic(DEFAULT_CRITIC_SECTION, { seed: 0 });
 * const result = await trainRl(RL_PRESETS.demo, {
 *   policy,
 *   train: train.tasks,
 *   test: syntheticTasks(task.test).tasks,
 *   judgeSteps: train.judgeSteps,
 *   critic: critic.critique,
 * });
 * await critic.close();
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
