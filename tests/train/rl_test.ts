import assert from "node:assert/strict";
import type { CritiqueRequest } from "../../lib/critic/mod.ts";
import { CRITIC_SECTION_SCHEMA, openCritic } from "../../lib/critic/mod.ts";
import { resolveSchema } from "../../lib/config/schema.ts";
import { generateSyntheticTask, syntheticTasks } from "../../lib/data/mod.ts";
import { createPolicy, DEFAULT_POLICY_CONFIG, type Policy, tf } from "../../lib/model/mod.ts";
import { resolveRlConfig, RL_PRESETS } from "../../lib/train/config.ts";
import { type RolloutRow, trainRl } from "../../lib/train/rl.ts";
import { fakeCritic } from "./_fake_critic.ts";

await tf.setBackend("cpu");

const PROBLEMS = generateSyntheticTask({ seed: 3, trainSize: 40, validSize: 0, testSize: 4 });
const TRAIN = syntheticTasks(PROBLEMS.train);
const TASK = { train: TRAIN.tasks, test: syntheticTasks(PROBLEMS.test).tasks };
const TINY_POLICY = { ...DEFAULT_POLICY_CONFIG, blockSize: 48, nLayer: 1, nHead: 2, nEmbd: 16 };

async function weights(policy: Policy): Promise<number[]> {
  const parts = await Promise.all(policy.variables.map((v) => v.data()));
  return parts.flatMap((p) => Array.from(p));
}

Deno.test("trainRl runs the tiny preset end to end and dumps every rollout", async () => {
  const policy = createPolicy(TINY_POLICY);
  const rows: RolloutRow[] = [];
  const metrics: [number, Record<string, number>][] = [];
  const lines: string[] = [];
  const result = await trainRl(RL_PRESETS.tiny, {
    policy,
    train: TASK.train,
    test: TASK.test,
    critic: fakeCritic,
  }, {
    onRollouts: (_, r) => void rows.push(...r),
    onMetrics: (step, m) => void metrics.push([step, m]),
    onProgress: (line) => void lines.push(line),
  });
  const { iterations, batchPrompts, n } = RL_PRESETS.tiny;
  assert.equal(result.iterations, iterations);
  assert.equal(rows.length, iterations * batchPrompts * n);
  for (const row of rows) {
    assert.equal(row.tokenRewards.length, row.advantages.length);
    assert.ok(row.tokenRewards.length >= 1);
    assert.equal(row.steps.length, row.wrongness.length);
    assert.ok(row.critiques !== null);
    assert.ok(row.outcome === 0 || row.outcome === 1);
  }
  assert.ok(result.before && result.after, "evaluated before and after");
  assert.equal(result.evals.length, iterations + 1);
  const iterMetrics = metrics.filter(([step]) => step > 0).map(([, m]) => m);
  assert.equal(iterMetrics.length, iterations);
  for (const m of iterMetrics) {
    for (const key of ["reward", "pg_loss", "grad_norm", "num_tensors", "ms_sample", "ms_update"]) {
      assert.ok(Number.isFinite(m[key]), key);
    }
    assert.ok("eval/accuracy" in m);
  }
  assert.match(lines[0], /\[capo\] iter 1\/2 reward .* left/);
  policy.dispose();
});

Deno.test("trainRl stopped at an iteration resumes to the same weights and numbers", async () => {
  const config = resolveRlConfig(
    { iterations: 3, evalEvery: 0, checkpointEvery: 2 },
    RL_PRESETS.tiny,
  );
  const dirA = await Deno.makeTempDir();
  const dirB = await Deno.makeTempDir();
  const deps = { train: TASK.train, test: TASK.test, critic: fakeCritic, evaluate: false };
  try {
    const a = createPolicy(TINY_POLICY);
    const start = await weights(a);
    const rowsA: RolloutRow[] = [];
    const straight = await trainRl(config, { ...deps, policy: a, checkpointDir: dirA }, {
      onRollouts: (_, r) => void rowsA.push(...r),
    });
    const b = createPolicy(TINY_POLICY);
    const first = await trainRl(config, { ...deps, policy: b, checkpointDir: dirB, stopAfter: 1 });
    assert.equal(first.iterations, 1);
    b.dispose();
    const c = createPolicy({ ...TINY_POLICY }); // fresh weights: the checkpoint must replace them
    const rowsC: RolloutRow[] = [];
    const resumed = await trainRl(config, { ...deps, policy: c, checkpointDir: dirB }, {
      onRollouts: (_, r) => void rowsC.push(...r),
    });
    assert.equal(resumed.resumedFrom, 1);
    assert.deepEqual(rowsC, rowsA.filter((r) => r.iteration > 1));
    assert.deepEqual(resumed.last, { ...straight.last, ...timing(resumed.last!) });
    assert.deepEqual(await weights(c), await weights(a));
    assert.notDeepEqual(await weights(a), start, "the updates were not all zero");
    const later = rowsA.filter((r) => r.iteration > 1);
    assert.ok(later.some((r) => r.advantages.some((x) => x !== 0)), "resumed part had a signal");
    a.dispose();
    c.dispose();
  } finally {
    await Deno.remove(dirA, { recursive: true });
    await Deno.remove(dirB, { recursive: true });
  }
});

/** The fields that legitimately differ between runs: wall-clock times and live tensors. */
function timing(m: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(m).filter(([k]) => k.startsWith("ms_") || k === "num_tensors"),
  );
}

Deno.test("trainRl starts no critic itself: CAPO without one is refused", async () => {
  const policy = createPolicy(TINY_POLICY);
  const config = resolveRlConfig({ iterations: 1 }, RL_PRESETS.tiny);
  await assert.rejects(
    trainRl(config, { policy, train: TASK.train, test: TASK.test, evaluate: false }),
    /expected a critic/,
  );
  policy.dispose();
});

Deno.test("trainRl uses a ready reference critic over HTTP and counts its critiques", async () => {
  const policy = createPolicy(TINY_POLICY);
  const rows: RolloutRow[] = [];
  const config = resolveRlConfig({ iterations: 1 }, RL_PRESETS.tiny);
  const critic = await openCritic(resolveSchema(CRITIC_SECTION_SCHEMA, { k: 2 }), { seed: 0 });
  try {
    const result = await trainRl(config, {
      policy,
      train: TASK.train,
      test: TASK.test,
      judgeSteps: TRAIN.judgeSteps,
      evaluate: false,
      critic: critic.critique,
    }, { onRollouts: (_, r) => void rows.push(...r) });
    assert.ok(rows.length > 0);
    for (const row of rows) {
      assert.equal(row.critiques?.length, 2);
      assert.ok(row.critiques!.every((c) => /Wrong steps/.test(c.text)));
      assert.ok(Array.isArray(row.goldSteps), "the synthetic task labels rollout steps");
    }
    assert.equal(result.critic.responses, rows.length);
    assert.equal(result.critic.fallbacks, 0);
  } finally {
    await critic.close();
    policy.dispose();
  }
});

Deno.test("trainRl counts partial critic fallbacks and failures by kind", async () => {
  const config = resolveRlConfig({ iterations: 2 }, RL_PRESETS.tiny);
  // Every other response gets no usable critique: a 50% fallback rate, timeouts counted by kind.
  const halfBroken = async (requests: CritiqueRequest[]) => {
    const { outcomes } = await fakeCritic(requests);
    return {
      outcomes: outcomes.map((o, i) =>
        i % 2 === 0
          ? o
          : { ...o, validCount: 0, hasSignal: false, wrongness: o.wrongness.map(() => 0) }
      ),
      metrics: { requests: requests.length, failures: { timeout: requests.length / 2 } },
    };
  };
  const policy = createPolicy(TINY_POLICY);
  const lines: string[] = [];
  const result = await trainRl(config, {
    policy,
    train: TASK.train,
    test: TASK.test,
    evaluate: false,
    critic: halfBroken,
  }, { onProgress: (l) => void lines.push(l) });
  assert.equal(result.critic.fallbacks, result.critic.responses / 2);
  assert.equal(result.critic.failures_timeout, result.critic.responses / 2);
  assert.match(lines[0], /critic fallbacks 2\/4 failures 2 \(timeout 2\)/);
  policy.dispose();
});

Deno.test("trainRl skips the critic for outcome-only estimators", async () => {
  const policy = createPolicy(TINY_POLICY);
  const rows: RolloutRow[] = [];
  let calls = 0;
  const config = resolveRlConfig({ iterations: 1, estimator: "grpo" }, RL_PRESETS.tiny);
  await trainRl(config, {
    policy,
    train: TASK.train,
    test: TASK.test,
    evaluate: false,
    critic: (r) => (calls++, fakeCritic(r)),
  }, { onRollouts: (_, r) => void rows.push(...r) });
  assert.equal(calls, 0);
  assert.ok(rows.every((r) => r.critiques === null));
  for (const row of rows) assert.ok(row.advantages.every((a) => a === row.advantages[0]));
  policy.dispose();
});

Deno.test("trainRl with a KL term keeps the start policy across a resume", async () => {
  const config = resolveRlConfig(
    { iterations: 2, klCoef: 0.1, checkpointEvery: 1 },
    RL_PRESETS.tiny,
  );
  const dir = await Deno.makeTempDir();
  const deps = { train: TASK.train, test: TASK.test, critic: fakeCritic, evaluate: false };
  try {
    const straightPolicy = createPolicy(TINY_POLICY);
    const metrics: Record<string, number>[] = [];
    await trainRl(config, { ...deps, policy: straightPolicy }, {
      onMetrics: (_, m) => void metrics.push(m),
    });
    assert.ok(metrics.every((m) => Number.isFinite(m.kl)));
    assert.ok(metrics[1].kl > 0, "the policy moved away from its start");
    const a = createPolicy(TINY_POLICY);
    await trainRl(config, { ...deps, policy: a, checkpointDir: dir, stopAfter: 1 });
    a.dispose();
    const b = createPolicy({ ...TINY_POLICY, seed: 5 });
    await trainRl(config, { ...deps, policy: b, checkpointDir: dir });
    assert.deepEqual(await weights(b), await weights(straightPolicy));
    b.dispose();
    straightPolicy.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
