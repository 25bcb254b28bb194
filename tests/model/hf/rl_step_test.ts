// The RL trainer's calls, in its order, on a Hugging Face policy with LoRA: chat prompts → sample →
// decode / offsets → score with tokenLogProbs (right-padded, as the trainer batches) → PPO loss with
// a KL term against the frozen base → clip → Adam, with two micro-batches accumulated.
import assert from "node:assert/strict";
import { chooseBackend, sample, tf, tokenLogProbs } from "../../../lib/model/mod.ts";
import { loadHfPolicy, loadHfTokenizer } from "../../../lib/model/hf/mod.ts";
import { policyLoss } from "../../../lib/rl/losses.ts";
import { Adam, clipByGlobalNorm } from "../../../lib/rl/optim.ts";
import { splitSteps, tokenStepIndex } from "../../../lib/steps/mod.ts";
import { FIXTURES, maxDiff } from "./_fixtures.ts";

const DIR = `${FIXTURES}qwen2_chat`;

Deno.test("the trainer's sample → score → PPO-with-KL → Adam calls run unchanged on a LoRA hf policy", async () => {
  // wasm: the cpu backend's broadcasting kernels take seconds on [B, T, 151936] logits.
  await chooseBackend("wasm");
  const tok = await loadHfTokenizer(DIR);
  const policy = await loadHfPolicy(DIR, {
    lora: { rank: 4, alpha: 8, targetModules: ["q_proj", "v_proj"], seed: 2 },
  });
  const adam = new Adam(policy.variables, { learningRate: 0.05 });
  try {
    const questions = ["What is 2+3?", "Compute 7*6."];
    const prompts = questions.flatMap((q) => [q, q]).map((q) =>
      tok.encodePrompt(q, { chat: true })
    );
    const rollout = await sample(policy, prompts, {
      maxNewTokens: 6,
      temperature: 1,
      seed: 11,
      eosId: [...tok.eosIds],
      padId: tok.padId,
    });
    for (const ids of rollout.tokens) {
      const text = tok.decode(ids);
      assert.equal(tokenStepIndex(splitSteps(text), tok.offsets(ids)).length, ids.length);
    }
    const seqs = prompts.map((p, i) => [...p, ...rollout.tokens[i]]);
    const width = Math.max(...seqs.map((s) => s.length));
    const micro = [[0, 1], [2, 3]];
    const baseB = await policy.loraParams["model.layers.0.self_attn.q_proj.lora_B"].data();
    let tensorsBefore = 0;
    for (let iteration = 0; iteration < 2; iteration++) {
      let summed: tf.Tensor[] | undefined;
      for (const rows of micro) {
        const ids = tf.tensor2d(
          rows.map((r) => [...seqs[r], ...new Array(width - seqs[r].length).fill(tok.padId)]),
          undefined,
          "int32",
        ) as tf.Tensor2D;
        const mask = tf.tensor2d(
          rows.map((r) =>
            Array.from(
              { length: width - 1 },
              (_, t) => t + 1 >= prompts[r].length && t + 1 < seqs[r].length ? 1 : 0,
            )
          ),
        );
        const old = tf.tensor2d(
          rows.map((r) =>
            Array.from(
              { length: width - 1 },
              (_, t) => rollout.logProbs[r][t + 1 - prompts[r].length] ?? 0,
            )
          ),
        );
        const advantages = tf.tensor2d(rows.map((r) => new Array(width - 1).fill(r % 2 ? 1 : -1)));
        const ref = tf.tidy(() => tokenLogProbs(policy.base(), ids).logProbs);
        if (iteration === 0) {
          // Before any update the scorer (right-padded) agrees with the sampler (left-padded).
          const scored = tf.tidy(() => tf.mul(tokenLogProbs(policy, ids).logProbs, mask));
          assert.ok(maxDiff(await scored.data(), await tf.mul(old, mask).data()) <= 1e-4);
          scored.dispose();
        }
        const { value, grads } = tf.variableGrads(() => {
          const { logProbs, entropy } = tokenLogProbs(policy, ids);
          const out = policyLoss("ppo_clip", {
            logProbs,
            oldLogProbs: old,
            advantages,
            mask,
            refLogProbs: ref,
            entropy,
          }, {
            klCoef: 0.1,
          });
          tf.dispose(Object.values(out.metrics));
          return out.loss;
        }, policy.variables);
        const ordered = policy.variables.map((v) => grads[v.name]);
        const previous = summed;
        summed = previous
          ? previous.map((g, i) => tf.add(g, ordered[i]))
          : ordered.map((g) => g.clone());
        if (previous) tf.dispose(previous);
        tf.dispose([ids, mask, old, advantages, ref, value, ...ordered]);
      }
      const clipped = clipByGlobalNorm(summed!, 1);
      adam.apply(clipped.grads);
      tf.dispose([...summed!, ...clipped.grads, clipped.norm]);
      if (iteration === 0) tensorsBefore = tf.memory().numTensors;
      else {
        assert.equal(tf.memory().numTensors, tensorsBefore, "no tensor leak per iteration");
      }
    }
    const afterB = await policy.loraParams["model.layers.0.self_attn.q_proj.lora_B"].data();
    assert.ok(maxDiff(afterB, baseB) > 0, "LoRA B moved");
  } finally {
    adam.dispose();
    policy.dispose();
    await chooseBackend("cpu");
  }
});
