/**
 * The one runner every entry point calls: `runArm` turns a resolved training config into tasks, a
 * policy and a critic, trains and evaluates one arm, and writes its lineage record; `runCommand`
 * is the command-line plumbing of every task (config, overrides, one-line errors, exit codes).
 *
 * @example
 * ```ts
 * import { parseConfig, TRAIN_CONFIG_SCHEMA } from "../config/mod.ts";
 * import { runArm } from "./mod.ts";
 * const config = parseConfig("rl: {iterations: 2}", TRAIN_CONFIG_SCHEMA, { file: "inline" });
 * const arm = await runArm(config, { progress: console.error });
 * console.log(arm.after, arm.recordPath);
 * ```
 * @module
 */
export * from "./arm.ts";
export * from "./command.ts";
export * from "./stats.ts";
export * from "./sft.ts";
export * from "./policy.ts";
