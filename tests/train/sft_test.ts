import assert from "node:assert/strict";
import { generateSftTraces, generateSyntheticTask, syntheticTasks } from "../../lib/data/mod.ts";
import { createPolicy, DEFAULT_POLICY_CONFIG, tf } from "../../lib/model/mod.ts";
import { scheduledLr, trainSft } from "../../lib/train/sft.ts";
import { evaluatePolicy } from "../../lib/train/evaluate.ts";

await tf.setBackend("cpu");

const TINY_POLICY = { ...DEFAULT_POLICY_CONFIG, blockSize: 64, nLayer: 1, nHead: 2, nEmbd: 16 };

Deno.test("trainSft lowers the response NLL and leaks no tensors", async () => {
  const { train } = generateSyntheticTask({ seed: 1, trainSize: 16, validSize: 0, testSize: 0 });
  const traces = generateSftTraces(train, { seed: 1 });
  const policy = createPolicy(TINY_POLICY);
  const before = tf.memory().numTensors;
  const losses: number[] = [];
  const lines: string[] = [];
  const result = await trainSft(policy, traces, {
    steps: 12,
    batchSize: 8,
    lr: 1e-2,
    warmupSteps: 2,
    logEvery: 4,
  }, { onMetrics: (_, m) => void losses.push(m.loss), onProgress: (l) => void lines.push(l) });
  assert.equal(result.steps, 12);
  assert.equal(losses.length, 3);
  assert.ok(losses[2] < losses[0] - 0.5, `loss fell: ${losses}`);
  assert.match(lines[0], /^sft step 4\/12 loss/);
  assert.equal(tf.memory().numTensors, before);
  policy.dispose();
});

Deno.test("scheduledLr warms up linearly and decays by cosine to the floor", () => {
  assert.equal(scheduledLr(5, 100, 1, 10, 0.1), 0.5);
  assert.equal(scheduledLr(10, 100, 1, 10, 0.1), 1);
  assert.ok(Math.abs(scheduledLr(55, 100, 1, 10, 0.1) - 0.55) < 1e-12);
  assert.ok(Math.abs(scheduledLr(100, 100, 1, 10, 0.1) - 0.1) < 1e-12);
});

Deno.test("evaluatePolicy labels greedy responses and its rates add up", async () => {
  const problems = generateSyntheticTask({ seed: 2, trainSize: 0, validSize: 0, testSize: 6 });
  const { tasks: test, judgeSteps } = syntheticTasks(problems.test);
  const policy = createPolicy(TINY_POLICY);
  const before = tf.memory().numTensors;
  const { metrics, responses } = await evaluatePolicy(policy, test, {
    maxNewTokens: 8,
    batchSize: 4,
    limit: 5,
    judgeSteps,
  });
  assert.equal(metrics.count, 5);
  assert.equal(responses.length, 5);
  assert.ok(metrics.meanLength > 0 && metrics.meanLength <= 8);
  assert.ok(metrics.luckyRate !== null && metrics.processAccuracy !== null);
  assert.ok(Math.abs(metrics.luckyRate - (metrics.accuracy - metrics.processAccuracy)) < 1e-12);
  const again = await evaluatePolicy(policy, test, {
    maxNewTokens: 8,
    batchSize: 2,
    limit: 5,
    judgeSteps,
  });
  assert.deepEqual(again.responses, responses, "greedy decoding is deterministic across batchings");
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(() => evaluatePolicy(policy, []), /expected problems, got none/);
  policy.dispose();
});
