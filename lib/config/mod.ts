/**
 * Experiment configs: YAML files (npm:yaml) validated against small typed schemas, with explicit
 * defaults, unknown keys as errors, errors that name the file line and key, and dotted command-line
 * overrides (`--rl.estimator=grpo`). The experiment schemas (demo, train, ablation) map their `rl:`
 * section one to one onto lib/train's `RlConfig`.
 *
 * @example
 * ```ts
 * import { DEMO_CONFIG_SCHEMA, loadConfig } from "./mod.ts";
 * const config = await loadConfig("experiments/configs/demo.yaml", DEMO_CONFIG_SCHEMA, [
 *   "--rl.iterations=5",
 * ]);
 * console.log(config.rl.estimator, config.arms);
 * ```
 * @module
 */
export * from "./schema.ts";
export * from "./load.ts";
export * from "./experiments.ts";
export * from "./grid.ts";
export * from "./reference.ts";
