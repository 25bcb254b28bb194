import assert from "node:assert/strict";
import { createPolicy, DEFAULT_POLICY_CONFIG, tf } from "../../lib/model/mod.ts";
import { benchRlIteration } from "../../lib/train/bench.ts";
import { RL_PRESETS } from "../../lib/train/config.ts";

await tf.setBackend("cpu");

Deno.test("benchRlIteration reports every stage of one iteration", async () => {
  const policy = createPolicy({ ...DEFAULT_POLICY_CONFIG, blockSize: 48, nLayer: 1, nEmbd: 16 });
  const bench = await benchRlIteration({
    policy,
    config: RL_PRESETS.tiny,
    warmup: 0,
    repeats: 1,
  });
  for (const key of ["sampling", "verify", "critic", "update"] as const) {
    assert.ok(bench[key] > 0, `${key} took time`);
  }
  assert.ok(
    Math.abs(bench.total - bench.sampling - bench.verify - bench.critic - bench.update) < 1e-6,
  );
  assert.equal(bench.rollouts, RL_PRESETS.tiny.batchPrompts * RL_PRESETS.tiny.n);
  assert.equal(bench.backend, "cpu");
  await assert.rejects(() => benchRlIteration({ policy, repeats: 0 }), /expected repeats >= 1/);
  policy.dispose();
});
