/**
 * Evaluation of a policy on any task set, greedy by default: answer accuracy (by the verifier, the
 * same judge as the reward), and — where the task has an exact step labeller — process accuracy
 * (right answer and every step correct) and lucky rate (right answer, some wrong step: what
 * outcome-only RL rewards and CAPO should not). Without a labeller those two are `null`, not 0.
 * @module
 */
import type { StepJudgement, Task } from "../data/mod.ts";
import { CharTokenizer, type Policy, sample, type Tokenizer } from "../model/mod.ts";
import { rewardVerifyOptions } from "../rl/rewards.ts";
import { extractAnswer, verifyAnswer, type VerifyOptions } from "../verify/mod.ts";
import { encodePrompt, stopIds } from "./_batch.ts";

/** Options for {@linkcode evaluatePolicy}. */
export interface EvaluatePolicyOptions {
  /** Tokenizer. @default new CharTokenizer() */
  tokenizer?: Tokenizer;
  /** The run's verifier settings (`rl.verify`), over the reward's extraction rule. @default {} */
  verify?: Partial<VerifyOptions>;
  /** Longest response, in tokens. @default 64 */
  maxNewTokens?: number;
  /** Problems decoded together. @default 128 */
  batchSize?: number;
  /** Evaluate only the first `limit` problems (0 = all). @default 0 */
  limit?: number;
  /** Sampling temperature; 0 = greedy decoding. @default 0 */
  temperature?: number;
  /** Responses per problem (useful with temperature > 0; rates are over all responses). @default 1 */
  samples?: number;
  /** Seed of the sampler (ignored when greedy). @default 0 */
  seed?: number;
  /** Exact step labeller of the task set (`TaskSet.judgeSteps`); none = no process metrics. */
  judgeSteps?: (task: Task, response: string) => StepJudgement | undefined;
  /** Render text prompts through the tokenizer's chat template. @default false */
  chat?: boolean;
}

/** Metrics of one evaluation; rates are fractions of the responses evaluated. */
export interface EvalMetrics {
  /** Right final answer (verifier: `equal`). */
  accuracy: number;
  /** Right answer and every step correct; `null` when the task has no step labeller. */
  processAccuracy: number | null;
  /** Right answer with some wrong step; `null` when the task has no step labeller. */
  luckyRate: number | null;
  /** Mean response length in tokens (eos included). */
  meanLength: number;
  /** Responses evaluated (problems × samples). */
  count: number;
}

/** One greedy response with its labels. */
export interface EvalResponse {
  /** Problem id. */
  id: string;
  /** Response text. */
  response: string;
  /** Per-step gold labels (empty without a labeller). */
  steps: boolean[];
  /** Right answer (verifier). */
  answerCorrect: boolean;
  /** Right answer and every step correct; `null` without a labeller. */
  processCorrect: boolean | null;
}

/**
 * Decodes each problem (greedily by default, or `samples` times at a temperature) and labels the
 * responses.
 *
 * @param policy The policy.
 * @param problems Tasks (usually the evaluation split).
 * @param options See {@linkcode EvaluatePolicyOptions}.
 * @returns Metrics and the labelled responses.
 * @throws {RangeError} When there is no problem to evaluate.
 * @example
 * ```ts
 * const policy = await loadCheckpoint("data/sft");
 * const set = await loadTaskSet(taskSectionSchema("test", 200).parse({}, [], failOnError));
 * const { metrics } = await evaluatePolicy(policy, set.tasks, { judgeSteps: set.judgeSteps });
 * console.log(metrics.accuracy, metrics.processAccuracy, metrics.luckyRate);
 * ```
 */
export async function evaluatePolicy(
  policy: Policy,
  problems: readonly Task[],
  options: EvaluatePolicyOptions = {},
): Promise<{ metrics: EvalMetrics; responses: EvalResponse[] }> {
  const {
    tokenizer = new CharTokenizer(),
    maxNewTokens = 64,
    batchSize = 128,
    limit = 0,
    temperature = 0,
    samples = 1,
    seed = 0,
    judgeSteps,
    chat = false,
    verify = {},
  } = options;
  const verifyOptions = rewardVerifyOptions(verify);
  const firsts = limit > 0 ? problems.slice(0, limit) : [...problems];
  if (firsts.length === 0) throw new RangeError("Cannot evaluate: expected problems, got none");
  if (!(Number.isInteger(samples) && samples >= 1)) {
    throw new RangeError(`Cannot evaluate: expected samples an integer >= 1, got ${samples}`);
  }
  const chosen = firsts.flatMap((p) => new Array(samples).fill(p) as Task[]);
  const responses: EvalResponse[] = [];
  let tokens = 0;
  for (let i = 0; i < chosen.length; i += batchSize) {
    const part = chosen.slice(i, i + batchSize);
    const prompts = part.map((p) =>
      encodePrompt(tokenizer, p.prompt, policy.config.blockSize - maxNewTokens, chat)
    );
    const room = policy.config.blockSize - Math.max(...prompts.map((p) => p.length));
    const out = await sample(policy, prompts, {
      maxNewTokens: Math.min(maxNewTokens, room),
      temperature,
      seed: seed + i,
      eosId: stopIds(tokenizer),
      padId: tokenizer.padId,
    });
    out.tokens.forEach((ids, j) => {
      tokens += ids.length;
      const response = tokenizer.decode(ids);
      const answerCorrect =
        verifyAnswer(response, part[j].answer, verifyOptions).result === "equal";
      const judged = judgeSteps?.(part[j], response);
      responses.push({
        id: part[j].id,
        response,
        steps: judged?.steps ?? [],
        answerCorrect,
        processCorrect: judged ? answerCorrect && judged.allStepsCorrect : null,
      });
    });
  }
  const n = responses.length;
  const accuracy = responses.filter((r) => r.answerCorrect).length / n;
  const judged = responses.every((r) => r.processCorrect !== null);
  return {
    metrics: {
      accuracy,
      processAccuracy: judged ? responses.filter((r) => r.processCorrect).length / n : null,
      luckyRate: judged
        ? responses.filter((r) => r.answerCorrect && !r.processCorrect).length / n
        : null,
      meanLength: tokens / n,
      count: n,
    },
    responses,
  };
}

/** Options for {@linkcode majorityAtK}. */
export interface MajorityAtKOptions {
  /** Samples per problem. @default 8 */
  k?: number;
  /** Sampling temperature. @default 1 */
  temperature?: number;
  /** Longest response, tokens. @default 64 */
  maxNewTokens?: number;
  /** Sampling seed. @default 0 */
  seed?: number;
  /** Tokenizer. @default new CharTokenizer() */
  tokenizer?: Tokenizer;
  /** The run's verifier settings (`rl.verify`). @default {} */
  verify?: Partial<VerifyOptions>;
}

/**
 * The most frequent answer of a list; `null` answers are ignored and ties go to the first seen.
 *
 * @param answers Extracted answers, `null` where a response had none.
 * @returns The majority answer, or `null` when every answer is `null`.
 * @example
 * ```ts
 * majorityAnswer(["3", null, "4", "3"]); // "3"
 * ```
 */
export function majorityAnswer(answers: readonly (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const a of answers) if (a !== null) counts.set(a, (counts.get(a) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [a, c] of counts) if (c > bestCount) [best, bestCount] = [a, c];
  return best;
}

/**
 * maj@k: `k` sampled responses per problem, a majority vote over their extracted final answers,
 * judged against the gold answer by the verifier; also the mean per-sample accuracy.
 *
 * @param policy The policy.
 * @param problems Problems (usually the test split).
 * @param options See {@linkcode MajorityAtKOptions}.
 * @returns maj@k accuracy, mean per-sample accuracy, the problem count and `k`.
 * @example
 * ```ts
 * const policy = await loadCheckpoint("data/sft");
 * const set = await loadTaskSet(taskSectionSchema("test", 50).parse({}, [], failOnError));
 * const { majAccuracy } = await majorityAtK(policy, set.tasks, { k: 8 });
 * ```
 */
export async function majorityAtK(
  policy: Policy,
  problems: readonly Task[],
  options: MajorityAtKOptions = {},
): Promise<{ majAccuracy: number; sampleAccuracy: number; count: number; k: number }> {
  const { k = 8, temperature = 1, maxNewTokens = 64, seed = 0, tokenizer, verify = {} } = options;
  const verifyOptions = rewardVerifyOptions(verify);
  // evaluatePolicy keeps each problem's k samples together, in problem order.
  const { responses } = await evaluatePolicy(policy, problems, {
    samples: k,
    temperature,
    maxNewTokens,
    seed,
    tokenizer,
    verify,
  });
  let majRight = 0;
  let sampleRight = 0;
  problems.forEach((problem, i) => {
    const group = responses.slice(i * k, (i + 1) * k);
    sampleRight += group.filter((r) => r.answerCorrect).length / k;
    const winner = majorityAnswer(
      group.map((r) => extractAnswer(r.response, verifyOptions).answer),
    );
    if (
      winner !== null &&
      verifyAnswer(winner, problem.answer, verifyOptions).result === "equal"
    ) majRight++;
  });
  const n = problems.length;
  return { majAccuracy: majRight / n, sampleAccuracy: sampleRight / n, count: n, k };
}
