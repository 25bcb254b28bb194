/**
 * Steps: splitting a response into blank-line separated steps with character spans, mapping tokens
 * to steps through a tokenizer's offsets, and tagging steps `<step i>` for the critic prompt.
 *
 * @example
 * ```ts
 * import { splitSteps, tagSteps, tokenStepIndex } from "./mod.ts";
 * const steps = splitSteps("7+5=12\n\n12*3=36");
 * const prompt = tagSteps(steps); // "<step 0>\n7+5=12\n\n<step 1>\n12*3=36"
 * const owner = tokenStepIndex(steps, [[0, 6], [6, 8], [8, 15]]); // [0, 0, 1]
 * ```
 * @module
 */
export * from "./split.ts";
