/**
 * The RL-iteration benchmark for `deno task bench`: one iteration of the demo's size broken down by
 * stage (sampling, verify, critic, update), after warm-up iterations that pay kernel compilation.
 * @module
 */
import { resolveSchema } from "../config/schema.ts";
import { CRITIC_SECTION_SCHEMA, openCritic } from "../critic/mod.ts";
import { loadTaskSet, taskSectionSchema } from "../data/mod.ts";
import { loadCheckpoint, type Policy } from "../model/mod.ts";
import { resolveRlConfig, RL_PRESETS, type RlConfig } from "./config.ts";
import { trainRl } from "./rl.ts";

/** Options for {@linkcode benchRlIteration}. */
export interface BenchRlIterationOptions {
  /** RL config whose batch size, n and update settings are measured. @default RL_PRESETS.demo */
  config?: Readonly<RlConfig>;
  /** Policy to run (trained in place); loaded from `checkpoint` when absent. @default undefined */
  policy?: Policy;
  /** SFT checkpoint folder used when no policy is given. @default "data/sft" */
  checkpoint?: string;
  /** Iterations run and discarded first. @default 1 */
  warmup?: number;
  /** Iterations measured (the result is their mean). @default 2 */
  repeats?: number;
  /** Reference critic latency per request, ms. @default 0 */
  criticLatencyMs?: number;
}

/** Mean wall time per stage of one RL iteration, ms. */
export interface RlIterationBench {
  /** Rollout sampling (KV cache). */
  sampling: number;
  /** Answer verification (and gold step labels). */
  verify: number;
  /** Critique over HTTP and voting. */
  critic: number;
  /** Rewards, advantages and the PPO update. */
  update: number;
  /** Sum of the stages. */
  total: number;
  /** Rollouts per iteration. */
  rollouts: number;
  /** Mean response length, tokens. */
  meanResponseTokens: number;
  /** Backend that ran. */
  backend: string;
  /** Iterations measured. */
  repeats: number;
}

/**
 * Measures one RL iteration of the given size, by stage.
 *
 * @param options See {@linkcode BenchRlIterationOptions}.
 * @returns Mean ms per stage and the iteration's size.
 * @example
 * ```ts
 * const bench = await benchRlIteration({ repeats: 1 });
 * console.log(bench.sampling, bench.critic, bench.update, bench.total);
 * ```
 */
export async function benchRlIteration(
  options: BenchRlIterationOptions = {},
): Promise<RlIterationBench> {
  const {
    config = RL_PRESETS.demo,
    checkpoint = "data/sft",
    warmup = 1,
    repeats = 2,
    criticLatencyMs = 0,
  } = options;
  if (!(Number.isInteger(repeats) && repeats >= 1 && Number.isInteger(warmup) && warmup >= 0)) {
    throw new RangeError(
      `Cannot bench an RL iteration: expected repeats >= 1 and warmup >= 0, got ${repeats}, ${warmup}`,
    );
  }
  const run = resolveRlConfig(
    { iterations: warmup + repeats, evalEvery: 0, checkpointEvery: 0 },
    config,
  );
  const policy = options.policy ?? await loadCheckpoint(checkpoint);
  const task = await loadTaskSet(resolveSchema(taskSectionSchema("train", 0), {
    seed: run.seed,
    synthetic: { trainSize: 500, validSize: 0, testSize: 1 },
  }));
  const critic = await openCritic(
    resolveSchema(CRITIC_SECTION_SCHEMA, { reference: { latencyMs: criticLatencyMs } }),
    { seed: run.seed },
  );
  const sums = { sampling: 0, verify: 0, critic: 0, update: 0, length: 0 };
  try {
    const result = await trainRl(run, {
      policy,
      train: task.tasks,
      test: [],
      critic: critic.critique,
      evaluate: false,
    }, {
      onMetrics: (step, m) => {
        if (step <= warmup) return;
        sums.sampling += m.ms_sample;
        sums.verify += m.ms_verify;
        sums.critic += m.ms_critic;
        sums.update += m.ms_update;
        sums.length += m.response_length;
      },
    });
    const mean = (x: number) => x / repeats;
    const stages = {
      sampling: mean(sums.sampling),
      verify: mean(sums.verify),
      critic: mean(sums.critic),
      update: mean(sums.update),
    };
    return {
      ...stages,
      total: stages.sampling + stages.verify + stages.critic + stages.update,
      rollouts: run.batchPrompts * run.n,
      meanResponseTokens: mean(sums.length),
      backend: result.backend,
      repeats,
    };
  } finally {
    await critic.close();
    if (!options.policy) policy.dispose();
  }
}
