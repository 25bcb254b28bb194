import assert from "node:assert/strict";
import { chooseBackend, tf } from "../../../lib/model/tf.ts";
import { loadHfPolicy } from "../../../lib/model/hf/mod.ts";
import { expected, FIXTURES, maxDiff, TEST_BACKEND } from "./_fixtures.ts";

await chooseBackend(TEST_BACKEND);

const MODELS = [
  "llama_f32",
  "qwen2_f32",
  "qwen3_f32",
  "qwen2_bf16_sharded",
  "llama_f16",
  "qwen2_chat",
];

Deno.test("row-block reads (transposed on load) give the same weights as whole-tensor reads", async () => {
  for (const name of ["qwen2_bf16_sharded", "llama_f16", "llama_f32"]) {
    const whole = await loadHfPolicy(`${FIXTURES}${name}`);
    // a few rows per block (hidden is 32): many blocks, and a shorter last one
    const blocks = await loadHfPolicy(`${FIXTURES}${name}`, { readChunkBytes: 3 * 4 * 64 });
    try {
      for (const [key, v] of Object.entries(whole.params)) {
        const w = blocks.params[key];
        assert.deepEqual(w.shape, v.shape, key);
        assert.deepEqual(await w.data(), await v.data(), key);
      }
    } finally {
      whole.dispose();
      blocks.dispose();
    }
  }
});

for (const name of MODELS) {
  Deno.test(`${name}: logits and token log-probs match transformers within 1e-4`, async () => {
    const policy = await loadHfPolicy(`${FIXTURES}${name}`);
    const ref = await expected(name);
    try {
      for (const row of ref.rows) {
        const ids = tf.tensor2d([row.ids], [1, row.ids.length], "int32");
        const logits = policy.logits(ids);
        const all = (await logits.array())[0];
        const picked = all.map((l) => row.logit_cols.map((j) => l[j]));
        assert.ok(maxDiff(picked.flat(), row.logits.flat()) <= 1e-4, `logits of ${row.ids}`);
        const lse = all.map((l) => {
          const m = l.reduce((a, x) => Math.max(a, x), -Infinity);
          return m + Math.log(l.reduce((s, x) => s + Math.exp(x - m), 0));
        });
        assert.ok(maxDiff(lse, row.logsumexp) <= 1e-4, "logsumexp");
        const lp = row.ids.slice(1).map((id, i) => all[i][id] - lse[i]);
        assert.ok(maxDiff(lp, row.token_log_probs) <= 1e-4, "token log-probs");
        tf.dispose([ids, logits]);
      }
    } finally {
      policy.dispose();
    }
  });
}
