/**
 * Data for capo: the normalised {@linkcode MathProblem} record; readers for JSONL / JSON / Parquet
 * from a local path or an http(s) URL (downloaded once into a cache, verified by sha256 on reuse);
 * adapters for GSM8K, its example model solutions, MATH / MATH-500 and BIG-Bench-Mistake; and the
 * seeded synthetic arithmetic task (the embedded default) with planted-flaw SFT traces and an exact
 * step labeller.
 *
 * @example
 * ```ts
 * import {
 *   formatSyntheticPrompt, generateSyntheticTask, labelSyntheticSteps, loadGsm8k,
 * } from "./mod.ts";
 * const { train } = generateSyntheticTask({ seed: 0, trainSize: 10, validSize: 2, testSize: 2 });
 * console.log(formatSyntheticPrompt(train[0]) + train[0].solution);
 * console.log(labelSyntheticSteps(train[0], train[0].solution!).processCorrect); // true
 * const gsm8k = await loadGsm8k("https://example.org/gsm8k/test.jsonl", { cacheDir: ".cache/capo" });
 * console.log(gsm8k.rows, gsm8k.sha256);
 * ```
 * @module
 */
export * from "./types.ts";
export * from "./synthetic.ts";
export * from "./source.ts";
export * from "./readers.ts";
export * from "./datasets.ts";
export * from "./task.ts";
