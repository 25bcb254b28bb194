import assert from "node:assert/strict";
import { generateSyntheticTask, syntheticTasks } from "../../lib/data/mod.ts";
import { chooseBackend, loadCheckpoint } from "../../lib/model/mod.ts";
import { evaluatePolicy, majorityAnswer, majorityAtK } from "../../lib/train/evaluate.ts";

Deno.test("majorityAnswer ignores missing answers and breaks ties by first seen", () => {
  assert.equal(majorityAnswer(["3", null, "4", "3"]), "3");
  assert.equal(majorityAnswer(["4", "3", "3", "4"]), "4");
  assert.equal(majorityAnswer([null, null]), null);
});

Deno.test("maj@1 equals the sampled accuracy and the shipped checkpoint answers some problems", async () => {
  await chooseBackend("wasm");
  const policy = await loadCheckpoint("data/sft");
  try {
    const problems = generateSyntheticTask({ seed: 0, trainSize: 0, validSize: 0, testSize: 40 });
    const { tasks: test, judgeSteps } = syntheticTasks(problems.test);
    const maj1 = await majorityAtK(policy, test, { k: 1, seed: 5 });
    const sampled = await evaluatePolicy(policy, test, { samples: 1, temperature: 1, seed: 5 });
    // maj@1 and the sampled evaluation judge the same responses with the same verifier.
    assert.equal(maj1.majAccuracy, sampled.metrics.accuracy);
    assert.equal(maj1.sampleAccuracy, sampled.metrics.accuracy);
    assert.equal(sampled.metrics.processAccuracy, null, "no labeller, no process accuracy");
    const greedy = await evaluatePolicy(policy, test, { judgeSteps });
    assert.ok(greedy.metrics.accuracy > 0.2, `greedy accuracy ${greedy.metrics.accuracy}`);
    const { processAccuracy, luckyRate, accuracy } = greedy.metrics;
    assert.ok(processAccuracy !== null && luckyRate !== null);
    assert.ok(Math.abs(processAccuracy + luckyRate - accuracy) < 1e-9, "lucky = right − clean");
    const maj4 = await majorityAtK(policy, test.slice(0, 10), { k: 4, seed: 1 });
    assert.equal(maj4.count, 10);
    assert.ok(maj4.majAccuracy >= 0 && maj4.majAccuracy <= 1);
  } finally {
    policy.dispose();
  }
});
