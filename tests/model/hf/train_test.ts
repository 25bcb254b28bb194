import assert from "node:assert/strict";
import { chooseBackend, tf, tokenLogProbs } from "../../../lib/model/mod.ts";
import { type HfPolicy, loadHfPolicy } from "../../../lib/model/hf/mod.ts";
import { expected, FIXTURES } from "./_fixtures.ts";

/** −mean next-token log-prob of `ids`: the fixed loss make_fixtures.py differentiates. */
function nll(policy: HfPolicy, ids: tf.Tensor2D): tf.Scalar {
  const { logProbs, entropy } = tokenLogProbs(policy, ids);
  entropy.dispose();
  return tf.neg(tf.mean(logProbs));
}

for (const name of ["llama_f32", "qwen2_f32", "qwen3_f32"]) {
  Deno.test(`${name}: full fine-tuning gradients match PyTorch's within 1e-4 relative (cpu backend)`, async () => {
    await chooseBackend("cpu");
    const policy = await loadHfPolicy(`${FIXTURES}${name}`);
    const ref = await expected(name);
    const ids = tf.tensor2d([ref.rows[0].ids], undefined, "int32") as tf.Tensor2D;
    try {
      const { value, grads } = tf.variableGrads(() => nll(policy, ids), policy.variables);
      assert.ok(Math.abs((await value.data())[0] - ref.loss) <= 1e-4);
      let checked = 0;
      for (const [hfName, want] of Object.entries(ref.grads)) {
        const key = hfName.replace(/\.weight$/, "");
        const v = policy.params[key];
        // Linear weights are kept [in, out]: transpose the gradient back to transformers' layout.
        const g = v.shape.length === 2 ? tf.transpose(grads[v.name]) : grads[v.name].clone();
        const got = await g.data();
        g.dispose();
        const scale = Math.max(...want.map(Math.abs));
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        assert.ok(worst / scale <= 1e-4, `${hfName}: ${worst / scale}`);
        checked++;
      }
      assert.ok(checked >= 8, `checked ${checked} gradients`);
      tf.dispose([value, ...Object.values(grads)]);
    } finally {
      ids.dispose();
      policy.dispose();
    }
  });
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`a LoRA train step runs on ${backend}, trains only the adapter and lowers the loss`, async () => {
    await chooseBackend(backend);
    const policy = await loadHfPolicy(`${FIXTURES}qwen2_f32`, {
      lora: {
        rank: 4,
        alpha: 8,
        dropout: 0.1,
        targetModules: [
          "q_proj",
          "k_proj",
          "v_proj",
          "o_proj",
          "gate_proj",
          "up_proj",
          "down_proj",
        ],
        seed: 1,
      },
    });
    const ref = await expected("qwen2_f32");
    const ids = tf.tensor2d([ref.rows[0].ids], undefined, "int32") as tf.Tensor2D;
    const opt = tf.train.adam(0.01);
    try {
      assert.equal(policy.variables.length, 2 * 7 * 2);
      const before = (await nll(policy, ids).data())[0];
      const base = await policy.params["model.layers.0.self_attn.q_proj"].data();
      policy.setTraining(true);
      for (let step = 0; step < 5; step++) {
        const { value, grads } = tf.variableGrads(() => nll(policy, ids), policy.variables);
        opt.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
        tf.dispose([value, ...Object.values(grads)]);
      }
      policy.setTraining(false);
      const after = (await nll(policy, ids).data())[0];
      assert.ok(after < before - 1e-3, `loss ${before} → ${after}`);
      assert.deepEqual(await policy.params["model.layers.0.self_attn.q_proj"].data(), base);
      // The frozen base is the KL reference: it still gives the starting loss.
      const baseLoss = tf.tidy(() => {
        const { logProbs } = tokenLogProbs(policy.base(), ids);
        return tf.neg(tf.mean(logProbs));
      });
      assert.ok(Math.abs((await baseLoss.data())[0] - before) <= 1e-5);
      baseLoss.dispose();
    } finally {
      opt.dispose();
      ids.dispose();
      policy.dispose();
      await chooseBackend("cpu");
    }
  });
}

Deno.test("full fine-tuning on wasm fails in one line naming the backends that work", async () => {
  await chooseBackend("wasm");
  const policy = await loadHfPolicy(`${FIXTURES}qwen2_f32`);
  const ids = tf.tensor2d([[1, 2, 3, 4]], undefined, "int32") as tf.Tensor2D;
  try {
    assert.throws(
      () => tf.variableGrads(() => nll(policy, ids), policy.variables),
      /^Error: Cannot train the embedding on the wasm backend: it has no gather gradient; use LoRA, or the cpu or tensorflow backend/,
    );
  } finally {
    ids.dispose();
    policy.dispose();
    await chooseBackend("cpu");
  }
});
