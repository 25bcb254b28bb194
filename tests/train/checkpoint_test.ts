import assert from "node:assert/strict";
import { createPolicy, DEFAULT_POLICY_CONFIG, tf } from "../../lib/model/mod.ts";
import { Adam } from "../../lib/rl/optim.ts";
import { loadTrainState, saveTrainState } from "../../lib/train/checkpoint.ts";

await tf.setBackend("cpu");

const TINY = { ...DEFAULT_POLICY_CONFIG, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 8 };

Deno.test("saveTrainState / loadTrainState round-trip weights, moments and state; old ones pruned", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const policy = createPolicy(TINY);
    const adam = new Adam(policy.variables);
    tf.tidy(() => adam.apply(policy.variables.map((v) => tf.onesLike(v))));
    for (const it of [1, 2, 3]) {
      const files = await saveTrainState(dir, policy, {
        iteration: it,
        rngState: 1234 + it,
        adam: await adam.getState(),
        extra: { note: "x" },
      });
      assert.ok(files.some((f) => f.path.endsWith("optimizer.safetensors") && f.bytes > 0));
    }
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["iter-000002", "iter-000003", "latest.json"]);
    const other = createPolicy({ ...TINY, seed: 9 });
    const state = await loadTrainState(dir, other);
    assert.equal(state?.iteration, 3);
    assert.equal(state?.rngState, 1237);
    assert.equal(state?.adam.step, 1);
    assert.deepEqual(state?.extra, { note: "x" });
    const saved = await adam.getState();
    assert.deepEqual(state?.adam.m, saved.m);
    for (const name of Object.keys(policy.params)) {
      assert.deepEqual(await other.params[name].data(), await policy.params[name].data());
    }
    const wider = createPolicy({ ...TINY, nEmbd: 16 });
    await assert.rejects(() => loadTrainState(dir, wider), /expected wte of shape/);
    assert.equal(await loadTrainState(`${dir}/none`, policy), undefined);
    for (const p of [policy, other, wider]) p.dispose();
    adam.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
