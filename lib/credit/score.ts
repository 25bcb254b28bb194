/**
 * CAPO credit for externally generated responses (CAPO §3): verify the final answer, split the
 * response into steps, critique k times and vote, then map the voted wrongness onto the caller's
 * tokens through their character offsets. Every stage is the library's own function, so a remote
 * trainer gets exactly the rewards capo's own RL loop computes.
 * @module
 */
import type { CritiqueOutcome, CritiqueRequest } from "../critic/mod.ts";
import { rewardVerifyOptions, tokenRewards } from "../rl/rewards.ts";
import { splitSteps, stepTokenSpans, tokenStepIndex } from "../steps/mod.ts";
import { verifyAnswer, type VerifyOptions } from "../verify/mod.ts";
import {
  CREDIT_SCHEMA_VERSION,
  type CreditRequest,
  type CreditResponse,
  type CreditResult,
  type CreditSettings,
} from "./schema.ts";

/** Critiques a batch of responses: one outcome per request, in order. */
export type CreditCritic = (requests: CritiqueRequest[]) => Promise<CritiqueOutcome[]>;

/** What {@linkcode scoreCredit} needs from outside. */
export interface ScoreCreditDeps {
  /** The critic (e.g. a `CriticClient`'s `critiqueBatch` mapped to its outcomes). */
  critique: CreditCritic;
}

/** Options for {@linkcode scoreCredit}. */
export interface ScoreCreditOptions {
  /** `W_whole`, the weight of the verifier reward. @default 2 */
  wWhole?: number;
  /** `W_process`, the penalty of a voted-wrong step; 0 skips the critic. @default 1 */
  wProcess?: number;
  /** Show the gold answer to the critic. @default false */
  includeReference?: boolean;
  /** Critiques per response, echoed in the settings (the critic decides). @default 4 */
  k?: number;
  /** Vote rule name, echoed in the settings (the critic decides). @default "majority" */
  voteRule?: string;
  /** Step separator (must match the critic's). @default "\n\n" */
  separator?: string;
  /** Verifier settings (as a run's `rl.verify`), over the reward's extraction rule. @default {} */
  verify?: Partial<VerifyOptions>;
}

/**
 * Scores a batch: per item the verifier outcome, the steps with token spans, the critiques, the
 * vote and the per-token rewards `R_t = W_whole · r_v − W_process · v_t`.
 *
 * @param request A validated request (see `parseCreditRequest`).
 * @param deps The critic.
 * @param options See {@linkcode ScoreCreditOptions}.
 * @returns The response body, one result per item in order.
 * @throws {RangeError} When a weight is negative or not finite.
 * @throws {Error} When the critic returns a different number of outcomes than requests.
 * @example
 * ```ts
 * const server = await startReferenceCriticServer({ port: 0 });
 * const client = new CriticClient({ baseUrl: server.baseUrl, k: 2 });
 * const critique = async (r: CritiqueRequest[]) => (await client.critiqueBatch(r)).outcomes;
 * const out = await scoreCredit({ version: 1, items: [{ prompt: "What is two plus two?", response: "2+2=5\n\n\\boxed{5}",
 *   offsets: [[0, 5], [5, 7], [7, 16]], gold: "4" }] }, { critique });
 * out.items[0].rewards; // [-1, -1, 0]
 * await server.close();
 * ```
 */
export async function scoreCredit(
  request: CreditRequest,
  deps: ScoreCreditDeps,
  options: ScoreCreditOptions = {},
): Promise<CreditResponse> {
  const {
    wWhole = 2,
    wProcess = 1,
    includeReference = false,
    k = 4,
    voteRule = "majority",
    separator = "\n\n",
    verify = {},
  } = options;
  for (const [name, w] of [["wWhole", wWhole], ["wProcess", wProcess]] as const) {
    if (!(Number.isFinite(w) && w >= 0)) {
      throw new RangeError(`Cannot score credit: expected ${name} >= 0, got ${w}`);
    }
  }
  const t0 = performance.now();
  const { items } = request;
  const verdicts = items.map((item) =>
    verifyAnswer(item.response, item.gold, rewardVerifyOptions(verify))
  );
  const outcomes = verdicts.map((v) => (v.result === "equal" ? 1 : 0));
  const critiques = wProcess > 0 && items.length > 0
    ? await deps.critique(items.map((item) => ({
      problem: item.prompt,
      response: item.response,
      reference: includeReference ? item.gold : undefined,
    })))
    : undefined;
  if (critiques && critiques.length !== items.length) {
    throw new Error(
      `Cannot score credit: the critic returned ${critiques.length} outcomes for ${items.length} responses`,
    );
  }
  const results = items.map((item, i): CreditResult => {
    const steps = critiques?.[i].steps ?? splitSteps(item.response, { separator });
    const wrongness = critiques?.[i].wrongness ?? steps.map(() => 0);
    const spans = stepTokenSpans(steps, item.offsets);
    return {
      id: item.id ?? String(i),
      rewards: tokenRewards({
        outcome: outcomes[i],
        wrongness,
        tokenStep: tokenStepIndex(steps, item.offsets),
      }, { wWhole, wProcess }),
      outcome: outcomes[i],
      verifier: {
        result: verdicts[i].result,
        reason: verdicts[i].reason,
        extracted: verdicts[i].pred.extracted,
      },
      steps: steps.map((s, j) => ({
        index: s.index,
        chars: [s.start, s.end],
        tokens: spans[j],
        wrongness: wrongness[j] ?? 0,
      })),
      critiques: (critiques?.[i].critiques ?? []).map((c) => ({
        wrongSteps: c.wrongSteps,
        reason: c.reason,
        cached: c.cached,
      })),
      hasSignal: critiques?.[i].hasSignal ?? false,
    };
  });
  const settings: CreditSettings = { wWhole, wProcess, k, voteRule, includeReference };
  const allCritiques = results.flatMap((r) => r.critiques);
  return {
    version: CREDIT_SCHEMA_VERSION,
    settings,
    items: results,
    metrics: {
      items: items.length,
      correct: outcomes.filter((o) => o === 1).length,
      critiques: allCritiques.length,
      critiqueFailures: allCritiques.filter((c) => c.wrongSteps === null).length,
      fallbacks: critiques ? results.filter((r) => !r.hasSignal).length : 0,
      flaggedItems: results.filter((r) => r.steps.some((s) => s.wrongness > 0)).length,
      wallMs: performance.now() - t0,
    },
  };
}
