/**
 * Splitting a response into reasoning steps with character and token spans (CAPO §3: steps are
 * blank-line separated and tagged `<step i>` for the GenPRM prompt). Every character and every token
 * of a response belongs to exactly one step: separator characters attach to the preceding step.
 * @module
 */

/** One step of a response: its text and its character span `[start, end)` in the response. */
export interface Step {
  /** 0-based step index. */
  index: number;
  /** The step's text, without the separator that follows it. */
  text: string;
  /** First character of the step in the response. */
  start: number;
  /** One past the last character of the step's text (the separator is not included). */
  end: number;
}

/** Options for {@linkcode splitSteps}. */
export interface SplitStepsOptions {
  /** The separator between steps. @default "\n\n" */
  separator?: string;
}

/**
 * Splits a response into steps on a separator (default a blank line). Runs of separators, and
 * leading or trailing whitespace-only pieces, do not create empty steps: whitespace-only pieces are
 * merged into the step before them (or, at the start, the step after them).
 *
 * @param text The response text.
 * @param options See {@linkcode SplitStepsOptions}.
 * @returns The steps in order; `[]` for an empty or whitespace-only text.
 * @throws {TypeError} When the separator is empty.
 * @example
 * ```ts
 * splitSteps("7+5=12\n\n12*3=36").map((s) => s.text); // ["7+5=12", "12*3=36"]
 * ```
 */
export function splitSteps(text: string, options: SplitStepsOptions = {}): Step[] {
  const { separator = "\n\n" } = options;
  if (separator.length === 0) {
    throw new TypeError(`Cannot split steps: expected a non-empty separator, got ""`);
  }
  const steps: Step[] = [];
  let cursor = 0;
  while (cursor <= text.length) {
    const at = text.indexOf(separator, cursor);
    const pieceEnd = at === -1 ? text.length : at;
    const piece = text.slice(cursor, pieceEnd);
    if (piece.trim().length > 0) {
      // Trim surrounding whitespace out of the step text but keep it inside the span bookkeeping.
      const lead = piece.length - piece.trimStart().length;
      const start = cursor + lead;
      const end = cursor + piece.trimEnd().length;
      steps.push({ index: steps.length, text: text.slice(start, end), start, end });
    }
    if (at === -1) break;
    cursor = at + separator.length;
  }
  return steps;
}

/**
 * Formats steps for the critic prompt: `<step 0>\n...\n\n<step 1>\n...`.
 *
 * @param steps The steps, as returned by {@linkcode splitSteps}.
 * @returns The tagged solution text.
 * @example
 * ```ts
 * tagSteps(splitSteps("a\n\nb")); // "<step 0>\na\n\n<step 1>\nb"
 * ```
 */
export function tagSteps(steps: readonly Step[]): string {
  return steps.map((s) => `<step ${s.index}>\n${s.text}`).join("\n\n");
}

/**
 * Maps each token to the step it belongs to, from the tokenizer's character offsets. A token belongs
 * to the step whose region contains its first character, where step i's region runs from its start
 * to the next step's start (so separators attach to the preceding step). Tokens before the first step
 * belong to step 0; tokens past the text belong to the last step; zero-width tokens (EOS) follow the
 * token before them.
 *
 * @param steps The steps of the response, in order.
 * @param offsets Per token, its character span `[start, end)` in the response text.
 * @returns Per token, its step index (all 0 when there are no steps: an empty response is one
 *   empty step for reward purposes).
 * @example
 * ```ts
 * const steps = splitSteps("ab\n\ncd");
 * tokenStepIndex(steps, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6]]); // [0, 0, 0, 0, 1, 1]
 * ```
 */
export function tokenStepIndex(
  steps: readonly Step[],
  offsets: readonly (readonly [number, number])[],
): number[] {
  if (steps.length === 0) return offsets.map(() => 0);
  const out: number[] = [];
  let step = 0;
  for (const [start] of offsets) {
    // Offsets are non-decreasing for a left-to-right tokenizer; a backwards jump restarts the scan.
    if (step > 0 && start < steps[step].start) step = 0;
    while (step + 1 < steps.length && start >= steps[step + 1].start) step++;
    out.push(step);
  }
  return out;
}

/**
 * Token span `[startToken, endToken)` of every step, derived from {@linkcode tokenStepIndex}.
 * Steps that own no token get an empty span at the position where they would start.
 *
 * @param steps The steps of the response.
 * @param offsets Per token, its character span in the response text.
 * @returns Per step, `[startToken, endToken)`.
 * @example
 * ```ts
 * stepTokenSpans(splitSteps("ab\n\ncd"), [[0, 2], [2, 4], [4, 6]]); // [[0, 2], [2, 3]]
 * ```
 */
export function stepTokenSpans(
  steps: readonly Step[],
  offsets: readonly (readonly [number, number])[],
): [number, number][] {
  const owner = tokenStepIndex(steps, offsets);
  const spans: [number, number][] = [];
  let t = 0;
  for (let s = 0; s < steps.length; s++) {
    const begin = t;
    while (t < owner.length && owner[t] === s) t++;
    spans.push([begin, t]);
  }
  return spans;
}
