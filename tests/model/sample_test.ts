// Tests lib/model/sample.ts: seeded determinism, KV cache vs recomputation, padding, eos, leaks.
import assert from "node:assert/strict";
import {
  CharTokenizer,
  createPolicy,
  type PolicyConfig,
  sample,
  tf,
  tokenLogProbs,
} from "../../lib/model/mod.ts";

const tok = new CharTokenizer();
const CONFIG: PolicyConfig = {
  vocabSize: tok.vocabSize,
  blockSize: 40,
  nLayer: 2,
  nHead: 2,
  nEmbd: 16,
  seed: 11,
};
const PROMPTS = [
  [tok.bosId, ...tok.encode("Q: 7+5*3\n")],
  [tok.bosId, ...tok.encode("Q: 1\n")],
  [tok.bosId, ...tok.encode("Q: 12-4\n")],
];
const EOS = tok.eosId;

Deno.test("sample is deterministic per seed and differs across seeds", async () => {
  const policy = createPolicy(CONFIG);
  const options = { maxNewTokens: 12, seed: 5, eosId: EOS };
  const a = await sample(policy, PROMPTS, options);
  const b = await sample(policy, PROMPTS, options);
  const c = await sample(policy, PROMPTS, { ...options, seed: 6 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.tokens, c.tokens);
  assert.equal(a.tokens.length, 3);
  a.tokens.forEach((row, r) => assert.equal(row.length, a.logProbs[r].length));
  // Row r draws from stream r of the seed: its tokens do not depend on the other rows' prompts.
  const alone = await sample(policy, [PROMPTS[0]], options);
  assert.deepEqual(alone.tokens[0], a.tokens[0]);
  policy.dispose();
});

Deno.test("KV-cache sampling equals full-prefix recomputation", async () => {
  const policy = createPolicy(CONFIG);
  for (const [temperature, topP] of [[1, 1], [0.7, 0.9], [0, 1]]) {
    const options = { maxNewTokens: 15, seed: 9, eosId: EOS, temperature, topP };
    const kv = await sample(policy, PROMPTS, { ...options, kvCache: true });
    const full = await sample(policy, PROMPTS, { ...options, kvCache: false });
    assert.deepEqual(kv.tokens, full.tokens, `temperature ${temperature} topP ${topP}`);
    kv.logProbs.flat().forEach((lp, i) => assert.ok(Math.abs(lp - full.logProbs.flat()[i]) < 1e-4));
  }
  policy.dispose();
});

Deno.test("sampled log-probs of left-padded rows equal tokenLogProbs of the unpadded sequence", async () => {
  const policy = createPolicy(CONFIG);
  const out = await sample(policy, PROMPTS, { maxNewTokens: 10, seed: 2, eosId: EOS });
  for (let r = 0; r < PROMPTS.length; r++) {
    const seq = [...PROMPTS[r], ...out.tokens[r]];
    const ids = tf.tensor2d([seq], [1, seq.length], "int32");
    const { logProbs, entropy } = tokenLogProbs(policy, ids);
    const scored = Array.from(logProbs.dataSync()).slice(PROMPTS[r].length - 1);
    scored.forEach((lp, i) => assert.ok(Math.abs(lp - out.logProbs[r][i]) < 1e-4, `row ${r}`));
    tf.dispose([ids, logProbs, entropy]);
  }
  policy.dispose();
});

Deno.test("sample stops each row at eos and respects temperature 0 and top-p", async () => {
  const policy = createPolicy(CONFIG);
  // Make eos overwhelmingly likely: final LN bias 1 everywhere, head's eos column +10.
  const head = policy.params.head;
  const lnb = policy.params["lnf.b"];
  const [originalHead, originalLnb] = [tf.clone(head), tf.clone(lnb)];
  tf.tidy(() => {
    const eosColumn = tf.tile(
      tf.cast(tf.oneHot(tf.tensor1d([EOS], "int32"), CONFIG.vocabSize), "float32"),
      [
        CONFIG.nEmbd,
        1,
      ],
    );
    head.assign(tf.add(head, tf.mul(eosColumn, 10)));
    lnb.assign(tf.onesLike(lnb));
  });
  const stopped = await sample(policy, PROMPTS, { maxNewTokens: 8, seed: 1, eosId: EOS });
  assert.deepEqual(stopped.tokens, [[EOS], [EOS], [EOS]]);
  head.assign(originalHead);
  lnb.assign(originalLnb);
  tf.dispose([originalHead, originalLnb]);
  const free = await sample(policy, PROMPTS, { maxNewTokens: 8, seed: 1, eosId: EOS });
  for (const row of free.tokens) {
    const at = row.indexOf(EOS);
    assert.ok(at === -1 || at === row.length - 1, `eos not last in ${row}`);
  }
  const greedy = await sample(policy, PROMPTS, {
    maxNewTokens: 8,
    seed: 1,
    eosId: EOS,
    temperature: 0,
  });
  const nucleus = await sample(policy, PROMPTS, {
    maxNewTokens: 8,
    seed: 77,
    eosId: EOS,
    topP: 1e-6,
  });
  assert.deepEqual(nucleus.tokens, greedy.tokens);
  await assert.rejects(
    () => sample(policy, PROMPTS, { maxNewTokens: 40, seed: 1, eosId: EOS }),
    /blockSize/,
  );
  await assert.rejects(
    () => sample(policy, [[]], { maxNewTokens: 2, seed: 1, eosId: EOS }),
    RangeError,
  );
  policy.dispose();
});

Deno.test("sample leaks no tensors with or without the KV cache", async () => {
  const policy = createPolicy(CONFIG);
  const run = async () => {
    await sample(policy, PROMPTS, { maxNewTokens: 6, seed: 3, eosId: EOS });
    await sample(policy, PROMPTS, { maxNewTokens: 6, seed: 3, eosId: EOS, kvCache: false });
  };
  await run();
  const before = tf.memory().numTensors;
  await run();
  await run();
  assert.equal(tf.memory().numTensors, before);
  policy.dispose();
});
