/**
 * The embedded synthetic task: left-to-right integer arithmetic chains ("7+5*3-4" means
 * ((7+5)*3)-4) with gold step-by-step solutions, SFT traces with planted flaws ("wrong" and
 * "lucky"), and an exact step labeller: the offline default task. Everything replays from a seed.
 * @module
 */
import { createRng, type Rng } from "../util/mod.ts";
import type { MathProblem } from "./types.ts";

/** An arithmetic operator of the synthetic task. */
export type SyntheticOp = "+" | "-" | "*";

/** The separator between steps of a solution (the critic's step format). */
export const SYNTHETIC_STEP_SEPARATOR = "\n\n";

/** Smallest value any intermediate result may take. */
export const SYNTHETIC_MIN_VALUE = 0;
/** Largest value any intermediate result may take. */
export const SYNTHETIC_MAX_VALUE = 99;

const OPS: readonly SyntheticOp[] = ["+", "-", "*"];
const MIN_VALUE = SYNTHETIC_MIN_VALUE;
const MAX_VALUE = SYNTHETIC_MAX_VALUE;

/**
 * A synthetic problem: a {@linkcode MathProblem} plus the chain that defines it.
 *
 * @example
 * ```ts
 * const { test } = generateSyntheticTask({ seed: 1, trainSize: 0, validSize: 0, testSize: 1 });
 * const p: SyntheticProblem = test[0];
 * console.log(p.question, p.start, p.ops, p.values); // e.g. "7+5*3-4" 7 [...] [12, 36, 32]
 * ```
 */
export interface SyntheticProblem extends MathProblem {
  /** The operations applied left to right after `start`. */
  ops: { op: SyntheticOp; operand: number }[];
  /** The first number (1–9). */
  start: number;
  /** Running value after each operation: `values[i]` = result of op `i`; length = `ops.length`. */
  values: number[];
}

/** Options for {@linkcode generateSyntheticTask}. */
export interface GenerateSyntheticTaskOptions {
  /** Seed of every random choice. */
  seed: number;
  /** Number of training problems. */
  trainSize: number;
  /** Number of validation problems. */
  validSize: number;
  /** Number of test problems. */
  testSize: number;
  /** Fewest operations per problem. @default 3 */
  minOps?: number;
  /** Most operations per problem. @default 5 */
  maxOps?: number;
}

/** The three splits of the synthetic task; no question appears in two splits. */
export interface SyntheticTask {
  /** Training problems. */
  train: SyntheticProblem[];
  /** Validation problems. */
  valid: SyntheticProblem[];
  /** Test problems. */
  test: SyntheticProblem[];
}

/**
 * Generates the seeded synthetic task. The test split depends only on the seed, `testSize` and the
 * op range, then validation, then training (each drawn from its own stream, skipping questions an
 * earlier split holds), so growing the training set never changes the test set.
 *
 * @param options See {@linkcode GenerateSyntheticTaskOptions}.
 * @returns The train / valid / test splits.
 * @throws {RangeError} When a size is negative or not an integer, the op range is invalid, or the
 *   splits ask for more distinct questions than the op range can make.
 * @example
 * ```ts
 * const task = generateSyntheticTask({ seed: 0, trainSize: 1000, validSize: 100, testSize: 200 });
 * console.log(task.train[0].question, task.train[0].solution);
 * ```
 */
export function generateSyntheticTask(options: GenerateSyntheticTaskOptions): SyntheticTask {
  const { seed, trainSize, validSize, testSize, minOps = 3, maxOps = 5 } = options;
  for (const [name, value] of Object.entries({ trainSize, validSize, testSize })) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(
        `Cannot generate the synthetic task: expected ${name} to be an integer >= 0, got ${value}`,
      );
    }
  }
  if (!Number.isInteger(minOps) || !Number.isInteger(maxOps) || minOps < 1 || maxOps < minOps) {
    throw new RangeError(
      `Cannot generate the synthetic task: expected integers 1 <= minOps <= maxOps, got minOps=${minOps}, maxOps=${maxOps}`,
    );
  }
  const seen = new Set<string>();
  const root = createRng(seed);
  const draw = (split: string, size: number): SyntheticProblem[] => {
    const rng = root.fork(split);
    const out: SyntheticProblem[] = [];
    // Rejection of duplicates; the cap turns an impossible request into an error, not a hang.
    const maxAttempts = 1000 + size * 100;
    for (let attempt = 0; out.length < size; attempt++) {
      if (attempt >= maxAttempts) {
        throw new RangeError(
          `Cannot generate the synthetic task: expected ${size} distinct ${split} questions with ${minOps}-${maxOps} ops, got only ${out.length}; lower the sizes or widen the op range`,
        );
      }
      const chain = drawChain(rng, minOps + rng.int(maxOps - minOps + 1));
      const question = chainQuestion(chain.start, chain.ops);
      if (seen.has(question)) continue;
      seen.add(question);
      const index = out.length;
      out.push(makeProblem(chain, `synthetic-${split}-${index}`, {
        dataset: "synthetic",
        location: `synthetic:seed=${seed}/${split}`,
        index,
      }));
    }
    return out;
  };
  const test = draw("test", testSize);
  const valid = draw("valid", validSize);
  const train = draw("train", trainSize);
  return { train, valid, test };
}

interface Chain {
  start: number;
  ops: { op: SyntheticOp; operand: number }[];
  values: number[];
}

/** Draws one chain; each op is uniform over the (op, operand) pairs that keep the value in range. */
function drawChain(rng: Rng, numOps: number): Chain {
  const start = 1 + rng.int(9);
  const ops: Chain["ops"] = [];
  const values: number[] = [];
  let value = start;
  for (let i = 0; i < numOps; i++) {
    // Uniform over the valid pairs equals resampling uniform pairs until one is valid.
    const valid: Chain["ops"] = [];
    for (const op of OPS) {
      for (let operand = 1; operand <= 9; operand++) {
        const next = applyOp(value, op, operand);
        if (next >= MIN_VALUE && next <= MAX_VALUE) valid.push({ op, operand });
      }
    }
    const pick = valid[rng.int(valid.length)];
    value = applyOp(value, pick.op, pick.operand);
    ops.push(pick);
    values.push(value);
  }
  return { start, ops, values };
}

function makeProblem(
  chain: Chain,
  id: string,
  source: MathProblem["source"],
): SyntheticProblem {
  const steps = chain.ops.map((o, i) =>
    formatStep(i === 0 ? chain.start : chain.values[i - 1], o.op, o.operand, chain.values[i])
  );
  const answer = String(chain.values[chain.values.length - 1]);
  steps.push(`\\boxed{${answer}}`);
  return {
    id,
    question: chainQuestion(chain.start, chain.ops),
    answer,
    solution: steps.join(SYNTHETIC_STEP_SEPARATOR),
    steps,
    stepLabels: steps.map(() => true),
    source: { ...source },
    ops: chain.ops.map((o) => ({ ...o })),
    start: chain.start,
    values: [...chain.values],
  };
}

/** Options for {@linkcode parseSyntheticQuestion}. */
export interface ParseSyntheticQuestionOptions {
  /** The record's id. @default "synthetic-" + question */
  id?: string;
  /** The record's source. @default { dataset: "synthetic", location: "inline", index: 0 } */
  source?: MathProblem["source"];
}

/**
 * Rebuilds a synthetic problem (ops, running values, gold solution) from its question text, e.g.
 * to read saved splits or rollouts back.
 *
 * @param question A chain such as `"7+5*3-4"`: a digit 1–9, then one or more op + digit 1–9.
 * @param options See {@linkcode ParseSyntheticQuestionOptions}.
 * @returns The problem, equal to the generator's record for the same question, id and source.
 * @throws {SyntaxError} When the text is not such a chain.
 * @throws {RangeError} When a running value leaves 0..99.
 * @example
 * ```ts
 * parseSyntheticQuestion("7+5*3-4").values; // [12, 36, 32]
 * ```
 */
export function parseSyntheticQuestion(
  question: string,
  options: ParseSyntheticQuestionOptions = {},
): SyntheticProblem {
  const {
    id = `synthetic-${question}`,
    source = { dataset: "synthetic", location: "inline", index: 0 },
  } = options;
  if (!/^[1-9]([+\-*][1-9])+$/.test(question)) {
    throw new SyntaxError(
      `Cannot parse synthetic question: expected a digit 1-9 then op+digit pairs like "7+5*3", got ${
        JSON.stringify(question)
      }`,
    );
  }
  const start = Number(question[0]);
  const ops: Chain["ops"] = [];
  const values: number[] = [];
  for (let i = 1; i < question.length; i += 2) {
    const op = question[i] as SyntheticOp;
    const operand = Number(question[i + 1]);
    const value = applyOp(values.at(-1) ?? start, op, operand);
    if (!inRange(value)) {
      throw new RangeError(
        `Cannot use synthetic question ${question}: expected running values in ${MIN_VALUE}..${MAX_VALUE}, got ${value}`,
      );
    }
    ops.push({ op, operand });
    values.push(value);
  }
  return makeProblem({ start, ops, values }, id, source);
}

function chainQuestion(start: number, ops: Chain["ops"]): string {
  return `${start}${ops.map((o) => `${o.op}${o.operand}`).join("")}`;
}

function applyOp(a: number, op: SyntheticOp, b: number): number {
  return op === "+" ? a + b : op === "-" ? a - b : a * b;
}

function formatStep(a: number, op: SyntheticOp, b: number, c: number): string {
  return `${a}${op}${b}=${c}`;
}

/** The running value before op `i` of a problem. */
function valueBefore(problem: SyntheticProblem, i: number): number {
  return i === 0 ? problem.start : problem.values[i - 1];
}

/**
 * The prompt text for a synthetic problem; the policy's response follows it directly.
 *
 * @param problem The problem.
 * @returns `"Q: " + question + "\n"`.
 * @example
 * ```ts
 * formatSyntheticPrompt({ question: "7+5*3-4" } as SyntheticProblem); // "Q: 7+5*3-4\n"
 * ```
 */
export function formatSyntheticPrompt(problem: Pick<SyntheticProblem, "question">): string {
  return `Q: ${problem.question}\n`;
}

/** Which flaw an SFT trace carries. */
export type SftTraceKind = "clean" | "wrong" | "lucky";

/** One SFT training trace: the response text with its gold per-step labels. */
export interface SftTrace {
  /** The problem it answers. */
  problem: SyntheticProblem;
  /** The response text (steps joined by `"\n\n"`, final `\boxed{}`); follows the prompt directly. */
  response: string;
  /** The planted flaw. */
  kind: SftTraceKind;
  /** Per response step (final `\boxed{}` step included), as {@linkcode labelSyntheticSteps} says. */
  stepLabels: boolean[];
}

/**
 * Writes one SFT trace for a problem.
 *
 * - `"clean"`: the gold solution.
 * - `"wrong"`: one step's result is off by 1–10; later steps compute correctly from the wrong value,
 *   so the error propagates to a wrong final answer (every value still within 0..99).
 * - `"lucky"`: one non-final step's result is off, but the next step starts from the correct value,
 *   so the final answer is right while a step is wrong.
 *
 * @param problem The problem.
 * @param kind The flaw to plant.
 * @param rng The random stream choosing the step and the offset.
 * @returns The trace with gold step labels.
 * @throws {RangeError} For `"lucky"` on a one-op problem (no non-final step), or an unknown kind.
 * @example
 * ```ts
 * const { train } = generateSyntheticTask({ seed: 0, trainSize: 1, validSize: 0, testSize: 0 });
 * const trace = makeSftTrace(train[0], "lucky", createRng(1));
 * console.log(trace.response, trace.stepLabels); // one false label, right \boxed{} answer
 * ```
 */
export function makeSftTrace(problem: SyntheticProblem, kind: SftTraceKind, rng: Rng): SftTrace {
  const n = problem.ops.length;
  const trueSteps = problem.ops.map((o, i) =>
    formatStep(valueBefore(problem, i), o.op, o.operand, problem.values[i])
  );
  let steps: string[];
  if (kind === "clean") {
    steps = [...trueSteps, `\\boxed{${problem.answer}}`];
  } else if (kind === "lucky") {
    if (n < 2) {
      throw new RangeError(
        `Cannot make a lucky trace for ${problem.id}: expected at least 2 ops, got ${n}`,
      );
    }
    const j = rng.int(n - 1);
    const deltas = offsets().filter((d) => inRange(problem.values[j] + d));
    const wrong = problem.values[j] + deltas[rng.int(deltas.length)];
    const o = problem.ops[j];
    steps = [...trueSteps, `\\boxed{${problem.answer}}`];
    steps[j] = formatStep(valueBefore(problem, j), o.op, o.operand, wrong);
  } else if (kind === "wrong") {
    steps = wrongSteps(problem, trueSteps, rng);
  } else {
    throw new RangeError(
      `Cannot make an SFT trace: expected kind "clean", "wrong" or "lucky", got "${kind}"`,
    );
  }
  const response = steps.join(SYNTHETIC_STEP_SEPARATOR);
  return { problem, response, kind, stepLabels: labelSyntheticSteps(problem, response).steps };
}

/** Offsets a planted error may take: ±1..±10. */
function offsets(): number[] {
  const out: number[] = [];
  for (let d = 1; d <= 10; d++) out.push(-d, d);
  return out;
}

function inRange(v: number): boolean {
  return v >= MIN_VALUE && v <= MAX_VALUE;
}

/** A trace whose step j is off and whose later steps propagate the error, values kept in range. */
function wrongSteps(problem: SyntheticProblem, trueSteps: string[], rng: Rng): string[] {
  const n = problem.ops.length;
  // Every (step, offset) choice whose propagated chain stays in range; the last op always has one.
  const choices: { j: number; values: number[] }[] = [];
  for (let j = 0; j < n; j++) {
    for (const d of offsets()) {
      const values = [...problem.values];
      values[j] += d;
      let ok = inRange(values[j]);
      for (let i = j + 1; ok && i < n; i++) {
        values[i] = applyOp(values[i - 1], problem.ops[i].op, problem.ops[i].operand);
        ok = inRange(values[i]);
      }
      if (ok) choices.push({ j, values });
    }
  }
  // Pick the step first (uniform over steps that have a choice), then the offset.
  const stepsWithChoice = [...new Set(choices.map((c) => c.j))];
  const j = stepsWithChoice[rng.int(stepsWithChoice.length)];
  const forJ = choices.filter((c) => c.j === j);
  const { values } = forJ[rng.int(forJ.length)];
  const steps = trueSteps.slice(0, j);
  for (let i = j; i < n; i++) {
    const a = i === j ? valueBefore(problem, i) : values[i - 1];
    steps.push(formatStep(a, problem.ops[i].op, problem.ops[i].operand, values[i]));
  }
  steps.push(`\\boxed{${values[n - 1]}}`);
  return steps;
}

/** Options for {@linkcode generateSftTraces}. */
export interface GenerateSftTracesOptions {
  /** Seed of every random choice (problem `i` draws from `createRng(seed).fork(i)`). */
  seed: number;
  /** Probability that a trace is "wrong". @default 0.25 */
  wrongRate?: number;
  /** Probability that a trace is "lucky" (one-op problems get "wrong" instead). @default 0.2 */
  luckyRate?: number;
}

/**
 * Writes one SFT trace per problem, planting flaws at the given rates.
 *
 * @param problems The problems (usually the train split).
 * @param options See {@linkcode GenerateSftTracesOptions}.
 * @returns One trace per problem, in order.
 * @throws {RangeError} When a rate is outside [0, 1] or the rates sum above 1.
 * @example
 * ```ts
 * const { train } = generateSyntheticTask({ seed: 0, trainSize: 100, validSize: 0, testSize: 0 });
 * const traces = generateSftTraces(train, { seed: 1, wrongRate: 0.3, luckyRate: 0.2 });
 * ```
 */
export function generateSftTraces(
  problems: SyntheticProblem[],
  options: GenerateSftTracesOptions,
): SftTrace[] {
  const { seed, wrongRate = 0.25, luckyRate = 0.2 } = options;
  const rateOk = (r: number) => Number.isFinite(r) && r >= 0 && r <= 1;
  if (!rateOk(wrongRate) || !rateOk(luckyRate) || wrongRate + luckyRate > 1) {
    throw new RangeError(
      `Cannot generate SFT traces: expected rates in [0, 1] summing to at most 1, got wrongRate=${wrongRate}, luckyRate=${luckyRate}`,
    );
  }
  const root = createRng(seed);
  return problems.map((problem, i) => {
    const rng = root.fork(i);
    const u = rng.next();
    let kind: SftTraceKind = u < wrongRate
      ? "wrong"
      : u < wrongRate + luckyRate
      ? "lucky"
      : "clean";
    if (kind === "lucky" && problem.ops.length < 2) kind = "wrong";
    return makeSftTrace(problem, kind, rng);
  });
}

/** The verdict of {@linkcode labelSyntheticSteps}. */
export interface SyntheticLabels {
  /** Per response step: whether it is exactly the expected step at its position. */
  steps: boolean[];
  /** Whether the last step is `\boxed{v}` with `v` the true answer. */
  answerCorrect: boolean;
  /** Every step correct and the step count is `ops + 1`. */
  processCorrect: boolean;
  /** Right answer, wrong process. */
  lucky: boolean;
}

/**
 * Labels each step of a response to a synthetic problem. The response is split on `"\n\n"`; each
 * step is compared after trimming surrounding whitespace, and whitespace-only pieces are not steps
 * (the rule of `splitSteps`, so labels line up with the critic's steps). Step `i < ops` is correct
 * iff it is exactly `a{op_i}{operand_i}=c` with `a` the true running value before op `i` and
 * `c = a op_i operand_i`; step `ops` is correct iff it is `\boxed{v}` with `v` the answer; extra
 * steps are wrong, and missing steps make the process wrong.
 *
 * @param problem The problem.
 * @param response The response text (without the prompt).
 * @returns Per-step labels and the answer / process / lucky verdicts.
 * @example
 * ```ts
 * const p = generateSyntheticTask({ seed: 0, trainSize: 1, validSize: 0, testSize: 0 }).train[0];
 * labelSyntheticSteps(p, p.solution!).processCorrect; // true
 * ```
 */
export function labelSyntheticSteps(problem: SyntheticProblem, response: string): SyntheticLabels {
  // Same rule as lib/steps' splitSteps: trimmed pieces, whitespace-only pieces are not steps.
  const pieces = response.split(SYNTHETIC_STEP_SEPARATOR).map((s) => s.trim()).filter((s) => s);
  const n = problem.ops.length;
  const expected = problem.ops.map((o, i) =>
    formatStep(valueBefore(problem, i), o.op, o.operand, problem.values[i])
  );
  const boxed = `\\boxed{${problem.answer}}`;
  expected.push(boxed);
  const steps = pieces.map((s, i) => i <= n && s === expected[i]);
  const answerCorrect = pieces[pieces.length - 1] === boxed;
  const processCorrect = pieces.length === n + 1 && steps.every((ok) => ok);
  return { steps, answerCorrect, processCorrect, lucky: answerCorrect && !processCorrect };
}
