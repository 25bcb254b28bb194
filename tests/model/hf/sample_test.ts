import assert from "node:assert/strict";
import { chooseBackend, sample, tf, tokenLogProbs } from "../../../lib/model/mod.ts";
import { loadHfPolicy } from "../../../lib/model/hf/mod.ts";
import { expected, FIXTURES, maxDiff, TEST_BACKEND } from "./_fixtures.ts";

await chooseBackend(TEST_BACKEND);

for (const name of ["llama_f32", "qwen2_f32", "qwen3_f32", "qwen2_bf16_sharded", "qwen2_chat"]) {
  Deno.test(`${name}: 32-token greedy output equals transformers', with and without the KV cache`, async () => {
    const policy = await loadHfPolicy(`${FIXTURES}${name}`);
    const ref = await expected(name);
    try {
      const [long, short] = ref.rows.map((r) => r.ids);
      for (const kvCache of [true, false]) {
        // Batched with a shorter prompt: row 0 is unpadded, row 1 left-padded.
        const out = await sample(policy, [long, short], {
          maxNewTokens: 32,
          temperature: 0,
          seed: 1,
          eosId: -1,
          kvCache,
        });
        assert.deepEqual(out.tokens[0], ref.greedy, `kvCache ${kvCache}`);
        // The padded row continues as it would alone.
        const alone = await sample(policy, [short], {
          maxNewTokens: 32,
          temperature: 0,
          seed: 1,
          eosId: -1,
          kvCache,
        });
        assert.deepEqual(out.tokens[1], alone.tokens[0]);
        assert.ok(maxDiff(out.logProbs[1], alone.logProbs[0]) <= 1e-4);
      }
    } finally {
      policy.dispose();
    }
  });
}

Deno.test("sampled log-probs are the policy's own temperature-1 log-softmax (tokenLogProbs agrees)", async () => {
  const policy = await loadHfPolicy(`${FIXTURES}qwen3_f32`);
  const ref = await expected("qwen3_f32");
  try {
    const prompt = ref.rows[0].ids;
    const out = await sample(policy, [prompt, prompt], {
      maxNewTokens: 12,
      temperature: 0.7,
      topP: 0.9,
      topK: 50,
      seed: 5,
      eosId: [-1, -2],
    });
    const ids = tf.tensor2d([[...prompt, ...out.tokens[0]]], undefined, "int32") as tf.Tensor2D;
    const { logProbs, entropy } = tokenLogProbs(policy, ids);
    const scored = Array.from(await logProbs.data()).slice(prompt.length - 1);
    assert.ok(maxDiff(scored, out.logProbs[0]) <= 1e-4);
    tf.dispose([ids, logProbs, entropy]);
    // Per-row seeds: the two rows of the same prompt draw differently, and a rerun repeats them.
    assert.notDeepEqual(out.tokens[0], out.tokens[1]);
    const again = await sample(policy, [prompt, prompt], {
      maxNewTokens: 12,
      temperature: 0.7,
      topP: 0.9,
      topK: 50,
      seed: 5,
      eosId: [-1, -2],
    });
    assert.deepEqual(again.tokens, out.tokens);
    // topK 1 is greedy whatever the temperature.
    const k1 = await sample(policy, [prompt], { maxNewTokens: 8, topK: 1, seed: 9, eosId: -1 });
    assert.deepEqual(k1.tokens[0], ref.greedy.slice(0, 8));
  } finally {
    policy.dispose();
  }
});

Deno.test("a row stops at any of the eos ids", async () => {
  const policy = await loadHfPolicy(`${FIXTURES}qwen2_f32`);
  const ref = await expected("qwen2_f32");
  try {
    const stop = [ref.greedy[3], 99999];
    const out = await sample(policy, [ref.rows[0].ids], {
      maxNewTokens: 32,
      temperature: 0,
      seed: 1,
      eosId: stop,
    });
    const first = ref.greedy.indexOf(stop[0]);
    assert.deepEqual(out.tokens[0], ref.greedy.slice(0, first + 1));
  } finally {
    policy.dispose();
  }
});

Deno.test("hf sampling leaks no tensors", async () => {
  const policy = await loadHfPolicy(`${FIXTURES}qwen2_f32`);
  try {
    const opts = { maxNewTokens: 4, seed: 1, eosId: -1 };
    await sample(policy, [[1, 2, 3], [4]], opts);
    const before = tf.memory().numTensors;
    await sample(policy, [[1, 2, 3], [4]], opts);
    assert.equal(tf.memory().numTensors, before);
  } finally {
    policy.dispose();
  }
});

Deno.test("top-k and top-p draw only from the k most likely ids / the nucleus", async () => {
  const policy = await loadHfPolicy(`${FIXTURES}qwen2_f32`);
  try {
    const prompt = [5, 6, 7];
    const ids = tf.tensor2d([prompt], undefined, "int32") as tf.Tensor2D;
    const logits = policy.logits(ids);
    const last = Array.from(await logits.data()).slice(-policy.hf.vocabSize);
    tf.dispose([ids, logits]);
    const order = last.map((l, i) => [l, i]).sort((a, b) => b[0] - a[0]).map(([, i]) => i);
    const p = last.map((l) => Math.exp(l - Math.max(...last)));
    const total = p.reduce((a, b) => a + b, 0);
    let mass = 0;
    const nucleus = new Set<number>();
    for (const i of order) {
      if (mass >= 0.5 * total) break;
      nucleus.add(i);
      mass += p[i];
    }
    const seen = { k: new Set<number>(), p: new Set<number>() };
    for (let seed = 0; seed < 40; seed++) {
      const k = await sample(policy, [prompt], { maxNewTokens: 1, topK: 3, seed, eosId: -1 });
      const n = await sample(policy, [prompt], { maxNewTokens: 1, topP: 0.5, seed, eosId: -1 });
      seen.k.add(k.tokens[0][0]);
      seen.p.add(n.tokens[0][0]);
    }
    assert.ok([...seen.k].every((id) => order.slice(0, 3).includes(id)), `${[...seen.k]}`);
    assert.ok(seen.k.size >= 2);
    assert.ok([...seen.p].every((id) => nucleus.has(id)), `${[...seen.p]} vs ${[...nucleus]}`);
  } finally {
    policy.dispose();
  }
});
