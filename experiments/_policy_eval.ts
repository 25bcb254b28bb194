/**
 * maj@k for `deno task bench`: k sampled responses per problem, majority vote over their extracted
 * final answers (ties go to the answer seen first), scored against the gold answer. Greedy pass@1,
 * process accuracy and lucky rate come from lib/train's `evaluatePolicy`.
 * @module
 */
import { formatSyntheticPrompt, type SyntheticProblem } from "../lib/data/mod.ts";
import { CharTokenizer, type Policy, sample } from "../lib/model/mod.ts";
import { extractAnswer } from "../lib/verify/mod.ts";

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
  /** Problems sampled together (each repeated k times). @default 16 */
  batchProblems?: number;
}

/** The majority answer of a list (null answers ignored; ties: first seen). */
export function majorityAnswer(answers: readonly (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const a of answers) if (a !== null) counts.set(a, (counts.get(a) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const [a, c] of counts) {
    if (c > bestCount) [best, bestCount] = [a, c];
  }
  return best;
}

/**
 * maj@k accuracy of a policy on synthetic problems.
 *
 * @param policy The policy.
 * @param problems Problems (usually the test split).
 * @param options See {@linkcode MajorityAtKOptions}.
 * @returns maj@k accuracy, mean per-sample accuracy, and the count.
 */
export async function majorityAtK(
  policy: Policy,
  problems: readonly SyntheticProblem[],
  options: MajorityAtKOptions = {},
): Promise<{ majAccuracy: number; sampleAccuracy: number; count: number; k: number }> {
  const { k = 8, temperature = 1, maxNewTokens = 64, seed = 0, batchProblems = 16 } = options;
  const tokenizer = new CharTokenizer();
  let majRight = 0;
  let sampleRight = 0;
  for (let i = 0; i < problems.length; i += batchProblems) {
    const part = problems.slice(i, i + batchProblems);
    const prompts = part.flatMap((p) => {
      const ids = [tokenizer.bosId, ...tokenizer.encode(formatSyntheticPrompt(p))];
      return Array.from({ length: k }, () => ids);
    });
    const room = policy.config.blockSize - Math.max(...prompts.map((p) => p.length));
    const out = await sample(policy, prompts, {
      maxNewTokens: Math.min(maxNewTokens, room),
      temperature,
      seed: seed + i,
      eosId: tokenizer.eosId,
      padId: tokenizer.padId,
    });
    part.forEach((problem, j) => {
      const answers = out.tokens.slice(j * k, (j + 1) * k).map((ids) =>
        extractAnswer(tokenizer.decode(ids)).answer?.trim() ?? null
      );
      sampleRight += answers.filter((a) => a === problem.answer).length / k;
      majRight += majorityAnswer(answers) === problem.answer ? 1 : 0;
    });
  }
  const n = problems.length;
  return { majAccuracy: majRight / n, sampleAccuracy: sampleRight / n, count: n, k };
}
