/**
 * The RL trainer (CAPO, arXiv 2508.02298, and the GRPO-family baselines): one linear loop whose
 * iterations go sample → verify → critique and vote → token rewards → advantages → PPO update →
 * metrics and rollout dump → evaluation → checkpoint. It works on any task set and receives a ready
 * critic (it starts no server). Every random choice flows from `config.seed`; a run stopped at any
 * checkpoint resumes to the same numbers.
 * @module
 */
import type { CritiqueOutcome, CritiqueRequest } from "../critic/mod.ts";
import { promptText, type StepJudgement, type Task } from "../data/mod.ts";
import { CharTokenizer, type Policy, sample, tf, type Tokenizer } from "../model/mod.ts";
import { computeAdvantages, isTokenLevelEstimator } from "../rl/advantages.ts";
import { Adam } from "../rl/optim.ts";
import { rewardVerifyOptions, tokenRewards } from "../rl/rewards.ts";
import { splitSteps, tokenStepIndex } from "../steps/mod.ts";
import { createRng, hashJson } from "../util/mod.ts";
import { verifyAnswer, type VerifyOutcome } from "../verify/mod.ts";
import { encodePrompt, stopIds } from "./_batch.ts";
import {
  criticMetrics,
  ensureBackend,
  ppoUpdate,
  prefixed,
  refPolicyFrom,
  selectPrompts,
  snapshot,
  type UpdateRollout,
} from "./_rl_phases.ts";
import { loadTrainState, saveTrainState } from "./checkpoint.ts";
import type { RlConfig } from "./config.ts";
import { type EvalMetrics, type EvalResponse, evaluatePolicy } from "./evaluate.ts";
import { formatDuration, type TrainHooks } from "./hooks.ts";

/**
 * A ready critic: critiques a batch of responses (one outcome per request, in order) and reports
 * its counters (lib/critic's `CriticBatchMetrics`, or any object of numbers; they are logged as
 * `critic/<name>`).
 */
export type RlCritic = (
  requests: CritiqueRequest[],
) => Promise<{ outcomes: CritiqueOutcome[]; metrics?: object }>;

/** What `trainRl` works on, besides its config. */
export interface RlDeps {
  /** The starting policy; trained in place (on resume its weights are replaced by the checkpoint's). */
  policy: Policy;
  /** Training tasks (prompts). */
  train: readonly Task[];
  /** Evaluation tasks. */
  test: readonly Task[];
  /** Exact step labeller of the tasks (`TaskSet.judgeSteps`); none = no process metrics. */
  judgeSteps?: (task: Task, response: string) => StepJudgement | undefined;
  /** Tokenizer. @default new CharTokenizer() */
  tokenizer?: Tokenizer;
  /** Render text prompts through the tokenizer's chat template. @default false */
  chat?: boolean;
  /**
   * The critic (e.g. lib/critic `openCritic(...).critique`); required when the estimator uses
   * process rewards (`capo` with `wProcess > 0`). @default none
   */
  critic?: RlCritic;
  /** Checkpoint folder; when it holds a checkpoint, the run resumes from it. @default none */
  checkpointDir?: string;
  /** Stop after this iteration (as if killed right after it). @default config.iterations */
  stopAfter?: number;
  /** Evaluate before and after training (and every `evalEvery`). @default true */
  evaluate?: boolean;
  /** Fail when `tf.memory().numTensors` grows past its level after the first iteration. @default true */
  failOnLeak?: boolean;
}

/** One dumped rollout (a JSONL row). */
export interface RolloutRow {
  iteration: number;
  /** Index of the rollout within the iteration (group-major). */
  index: number;
  problemId: string;
  prompt: string;
  response: string;
  /** Step texts (`\n\n`-separated). */
  steps: string[];
  /** Verifier verdict and reason. */
  verdict: VerifyOutcome;
  verdictReason: string;
  /** `r_v`: 1 when the verdict is `equal`. */
  outcome: number;
  /** Critiques (text and parsed wrong steps), or null when the critic was not consulted. */
  critiques: { text: string; wrongSteps: number[] | null }[] | null;
  /** Steps voted wrong (wrongness > 0). */
  votedWrongSteps: number[];
  /** Voted wrongness per step. */
  wrongness: number[];
  /** Gold per-step labels where the task has an exact labeller (true = correct), else null. */
  goldSteps: boolean[] | null;
  tokenRewards: number[];
  advantages: number[];
}

/** What `trainRl` returns. */
export interface RlResult {
  /** Iterations completed (counting those done before a resume). */
  iterations: number;
  /** Iteration the run resumed from (0 = fresh start). */
  resumedFrom: number;
  /** Evaluation before training (recorded in the checkpoint on resume). */
  before?: EvalMetrics;
  /** Evaluation at the end. */
  after?: EvalMetrics;
  /** Every evaluation of this call: iteration and metrics. */
  evals: { iteration: number; metrics: EvalMetrics }[];
  /** The responses of the final evaluation (per evaluation problem, in order), for paired statistics. */
  afterResponses?: EvalResponse[];
  /** Metrics of the last iteration run. */
  last?: Record<string, number>;
  /** The backend used. */
  backend: string;
  /** Wall time of this call, ms. */
  wallMs: number;
  /** Critic totals over this call: responses critiqued, fallbacks (no valid critique), failures by kind. */
  critic: Record<string, number>;
}

/**
 * Trains a policy with RL on any task set: CAPO token rewards (or outcome-only baselines), the
 * configured advantage estimator and PPO-clip updates.
 *
 * @param config A resolved config (`resolveRlConfig`, a preset, or the config loader's `rl:`).
 * @param deps Policy, tasks, critic, checkpoint folder. See {@linkcode RlDeps}.
 * @param hooks Metrics, rollout dumps, checkpoints and progress lines. See {@linkcode TrainHooks}.
 * @returns Evaluations, iterations done, critic totals and wall time.
 * @throws {Error} What the critic throws (e.g. lib/critic's `CriticFailureRateError` past
 *   `critic.maxFailureRate`, or a refused connection).
 * @throws {Error} When tensors leak between iterations (`failOnLeak`), or no critic is given for CAPO.
 * @example
 * ```ts
 * const policy = await loadCheckpoint("data/sft");
 * const critic = await openCritic(CRITIC_DEFAULTS, { seed: 0 });
 * const result = await trainRl(RL_PRESETS.tiny, {
 *   policy, train: train.tasks, test: test.tasks, judgeSteps: train.judgeSteps, critic: critic.critique,
 * });
 * await critic.close();
 * ```
 */
export async function trainRl(
  config: Readonly<RlConfig>,
  deps: RlDeps,
  hooks: TrainHooks<RolloutRow> = {},
): Promise<RlResult> {
  const started = performance.now();
  const { policy, train, test, checkpointDir, evaluate = true, failOnLeak = true } = deps;
  const { judgeSteps, critic: critique, chat = false } = deps;
  const tokenizer = deps.tokenizer ?? new CharTokenizer();
  const stopAfter = Math.min(deps.stopAfter ?? config.iterations, config.iterations);
  if (train.length === 0) {
    throw new RangeError("Cannot train RL: expected training problems, got none");
  }
  const backend = await ensureBackend(config);
  const configHash = await hashJson({ ...config, iterations: 0 });
  const needsCritic = isTokenLevelEstimator(config.estimator) && config.wProcess > 0;
  if (needsCritic && !critique) {
    throw new TypeError(
      `Cannot train ${config.estimator}: expected a critic (deps.critic) for process rewards, got none`,
    );
  }
  // Policies with adapters carry their frozen start (`base()`); others keep a snapshot.
  const startWeights = config.klCoef > 0 && !policy.base ? await snapshot(policy) : undefined;
  let rng = createRng(config.seed).fork("rl");
  let before: EvalMetrics | undefined;
  let resumedFrom = 0;
  const state = checkpointDir ? await loadTrainState(checkpointDir, policy) : undefined;
  if (state) {
    if (state.extra.configHash !== configHash) {
      throw new Error(
        `Cannot resume from ${checkpointDir}: expected config hash ${configHash}, got ${state.extra.configHash}`,
      );
    }
    rng = createRng(0, { state: state.rngState });
    before = state.extra.before as EvalMetrics | undefined;
    resumedFrom = state.iteration;
  }
  const refWeights = resumedFrom > 0 && config.klCoef > 0
    ? undefined // the start policy was saved beside the checkpoints: see refPolicyFrom
    : startWeights;
  const refPolicy = config.klCoef > 0
    ? policy.base?.() ?? await refPolicyFrom(policy, refWeights, checkpointDir)
    : undefined;
  const ownsRef = refPolicy !== undefined && !policy.base;
  // Made after everything that may refuse to start, so a refusal leaves no optimizer tensors behind.
  const adam = new Adam(policy.variables, { learningRate: config.lr });
  if (state) adam.setState(state.adam);
  const verifyOptions = rewardVerifyOptions(config.verify);
  const evalOpts = {
    tokenizer,
    chat,
    maxNewTokens: config.maxNewTokens,
    judgeSteps,
    verify: config.verify,
  };
  const criticTotals: Record<string, number> = {};
  let afterResponses: EvalResponse[] | undefined;
  const evals: RlResult["evals"] = [];
  let last: Record<string, number> | undefined;
  let tensorBaseline = -1;
  try {
    if (evaluate && !before) {
      before = (await evaluatePolicy(policy, test, evalOpts)).metrics;
      evals.push({ iteration: 0, metrics: before });
      await hooks.onMetrics?.(0, prefixed("eval/", before));
    }
    if (checkpointDir && ownsRef && refPolicy && resumedFrom === 0) {
      await saveTrainState(`${checkpointDir}/start`, refPolicy, {
        iteration: 0,
        rngState: 0,
        adam: await adam.getState(),
        extra: {},
      }, { keep: 1 });
    }
    const loopStart = performance.now();
    for (let it = resumedFrom + 1; it <= stopAfter; it++) {
      const times: Record<string, number> = {};
      let t0 = performance.now();
      // Phase 1 — rollouts: n samples for each of batchPrompts prompts, seeded from the main stream.
      const problems = selectPrompts(train, it, config.batchPrompts, config.seed);
      const group = problems.flatMap((p) => new Array(config.n).fill(p) as Task[]);
      const promptTexts = group.map((p) => promptText(p));
      const maxPrompt = policy.config.blockSize - config.maxNewTokens;
      const prompts = group.map((p) => encodePrompt(tokenizer, p.prompt, maxPrompt, chat));
      const room = policy.config.blockSize - Math.max(...prompts.map((p) => p.length));
      const sampled = await sample(policy, prompts, {
        maxNewTokens: Math.min(config.maxNewTokens, room),
        temperature: config.temperature,
        seed: rng.int(2 ** 31),
        eosId: stopIds(tokenizer),
        padId: tokenizer.padId,
      });
      const responses = sampled.tokens.map((ids) => tokenizer.decode(ids));
      times.ms_sample = performance.now() - t0;
      // Phase 2 — verify: the rule verifier scores each final answer against the gold one.
      t0 = performance.now();
      const verdicts = responses.map((text, i) =>
        verifyAnswer(text, group[i].answer, verifyOptions)
      );
      const outcomes = verdicts.map((v) => (v.result === "equal" ? 1 : 0));
      const gold = responses.map((text, i) => judgeSteps?.(group[i], text));
      times.ms_verify = performance.now() - t0;
      // Phase 3 — critique and vote: k critiques per response, voted into per-step wrongness.
      t0 = performance.now();
      const critiqued = needsCritic && critique
        ? await critique(responses.map((response, i) => ({
          problem: group[i].question,
          response,
          reference: group[i].answer,
        })))
        : undefined;
      const critiques = critiqued?.outcomes;
      const criticNow = critiqued ? criticMetrics(critiqued.outcomes, critiqued.metrics) : {};
      for (const [key, value] of Object.entries(criticNow)) {
        criticTotals[key] = (criticTotals[key] ?? 0) + value;
      }
      times.ms_critic = performance.now() - t0;
      // Phase 4 — token rewards: R_t = W_whole·r_v − W_process·v_t, v_t the wrongness of t's step.
      t0 = performance.now();
      const steps = responses.map((text, i) => critiques?.[i].steps ?? splitSteps(text));
      const wrongness = steps.map((s, i) => critiques?.[i].wrongness ?? s.map(() => 0));
      const rewards = sampled.tokens.map((ids, i) =>
        tokenRewards({
          outcome: outcomes[i],
          wrongness: wrongness[i],
          tokenStep: tokenStepIndex(steps[i], tokenizer.offsets(ids)),
        }, { wWhole: config.wWhole, wProcess: config.wProcess })
      );
      // Phase 5 — advantages: the registered estimator over groups of n rollouts of one prompt.
      const byGroup = <T>(xs: T[]) =>
        problems.map((_, g) => xs.slice(g * config.n, (g + 1) * config.n));
      const advantages = computeAdvantages(config.estimator, {
        groups: byGroup(rewards),
        scores: byGroup(outcomes.map((o) => config.wWhole * o)),
      }).flat();
      // Phase 6 — update: PPO-clip epochs over shuffled minibatches, clipped gradients, Adam.
      const rollouts: UpdateRollout[] = prompts.map((prompt, i) => ({
        prompt,
        response: sampled.tokens[i],
        oldLogProbs: sampled.logProbs[i],
        advantages: advantages[i],
      }));
      policy.setTraining?.(true);
      const update = await ppoUpdate(
        policy,
        refPolicy,
        adam,
        rollouts,
        config,
        rng.next,
        tokenizer.padId,
      ).finally(() => policy.setTraining?.(false));
      times.ms_update = performance.now() - t0;
      // Phase 7 — metrics and rollout dump.
      const n = responses.length;
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
      const allRewards = rewards.flat();
      const judged = gold.every((g) => g !== undefined);
      const clean = gold.map((g, i) => outcomes[i] === 1 && g?.allStepsCorrect === true);
      const metrics: Record<string, number> = {
        reward: mean(allRewards),
        accuracy: mean(outcomes),
        ...(judged
          ? {
            process_accuracy: clean.filter(Boolean).length / n,
            lucky_rate: outcomes.filter((o, i) => o === 1 && !clean[i]).length / n,
          }
          : {}),
        flagged_step_fraction: mean(wrongness.flat().map((w) => (w > 0 ? 1 : 0))),
        ...Object.fromEntries(Object.entries(criticNow).map(([k, v]) => [`critic/${k}`, v])),
        response_length: mean(sampled.tokens.map((t) => t.length)),
        ...update,
        ...times,
      };
      await hooks.onRollouts?.(
        it,
        responses.map((response, i) => ({
          iteration: it,
          index: i,
          problemId: group[i].id,
          prompt: promptTexts[i],
          response,
          steps: steps[i].map((s) => s.text),
          verdict: verdicts[i].result,
          verdictReason: verdicts[i].reason,
          outcome: outcomes[i],
          critiques:
            critiques?.[i].critiques.map((c) => ({ text: c.text, wrongSteps: c.wrongSteps })) ??
              null,
          votedWrongSteps: wrongness[i].flatMap((w, s) => (w > 0 ? [s] : [])),
          wrongness: wrongness[i],
          goldSteps: gold[i]?.steps ?? null,
          tokenRewards: rewards[i],
          advantages: advantages[i],
        })),
      );
      // Phase 8 — evaluation every evalEvery iterations and at the end (greedy, test split).
      let evalNote = "";
      if (
        evaluate &&
        (it === config.iterations || (config.evalEvery > 0 && it % config.evalEvery === 0))
      ) {
        const evaluated = await evaluatePolicy(policy, test, evalOpts);
        const m = evaluated.metrics;
        if (it === config.iterations) afterResponses = evaluated.responses;
        evals.push({ iteration: it, metrics: m });
        Object.assign(metrics, prefixed("eval/", m));
        evalNote = ` eval acc ${m.accuracy.toFixed(3)}` +
          (m.processAccuracy === null ? "" : ` proc ${m.processAccuracy.toFixed(3)}`) +
          (m.luckyRate === null ? "" : ` lucky ${m.luckyRate.toFixed(3)}`);
      }
      // Phase 9 — checkpoint: policy, Adam moments, RNG state and iteration, written atomically.
      if (
        checkpointDir && config.checkpointEvery > 0 &&
        (it % config.checkpointEvery === 0 || it === stopAfter)
      ) {
        const files = await saveTrainState(checkpointDir, policy, {
          iteration: it,
          rngState: rng.state,
          adam: await adam.getState(),
          extra: { configHash, before },
        });
        await hooks.onCheckpoint?.(it, files);
      }
      // Phase 10 — memory check and progress line.
      const numTensors = tf.memory().numTensors;
      metrics.num_tensors = numTensors;
      if (tensorBaseline < 0) tensorBaseline = numTensors;
      else if (failOnLeak && numTensors > tensorBaseline) {
        throw new Error(
          `Cannot continue RL training: expected at most ${tensorBaseline} live tensors after iteration ${it}, got ${numTensors} (a tensor leak)`,
        );
      }
      last = metrics;
      await hooks.onMetrics?.(it, metrics);
      const perIt = (performance.now() - loopStart) / (it - resumedFrom);
      const luckyNote = metrics.lucky_rate === undefined
        ? ""
        : ` lucky ${metrics.lucky_rate.toFixed(3)}`;
      const criticNote = critiqued
        ? ` critic fallbacks ${criticNow.fallbacks}/${n}` +
          (criticNow.failures
            ? ` failures ${criticNow.failures} (${
              Object.entries(criticNow).filter(([k, v]) => k.startsWith("failures_") && v > 0)
                .map(([k, v]) => `${k.slice(9)} ${v}`).join(", ")
            })`
            : "")
        : "";
      await hooks.onProgress?.(
        `[${config.estimator}] iter ${it}/${config.iterations} reward ${
          metrics.reward.toFixed(3)
        } acc ${metrics.accuracy.toFixed(3)}${luckyNote}${criticNote}${evalNote} ${
          (perIt / 1000).toFixed(1)
        }s/it left ${formatDuration(perIt / 1000 * (stopAfter - it))}`,
      );
    }
    // A run killed after its last checkpoint has nothing left to train; its final evaluation (greedy,
    // so the same numbers) is still due.
    if (evaluate && resumedFrom === stopAfter && stopAfter === config.iterations) {
      const evaluated = await evaluatePolicy(policy, test, evalOpts);
      const m = evaluated.metrics;
      afterResponses = evaluated.responses;
      evals.push({ iteration: stopAfter, metrics: m });
      await hooks.onMetrics?.(stopAfter, prefixed("eval/", m));
    }
  } finally {
    adam.dispose();
    if (ownsRef) refPolicy?.dispose();
  }
  const afterEval = evals.at(-1);
  return {
    iterations: stopAfter,
    resumedFrom,
    before,
    after: afterEval && afterEval.iteration === config.iterations ? afterEval.metrics : undefined,
    evals,
    last,
    backend,
    wallMs: performance.now() - started,
    critic: criticTotals,
    ...(afterResponses ? { afterResponses } : {}),
  };
}
