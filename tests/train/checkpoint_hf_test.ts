// Checkpoints of a Hugging Face policy: a tiny Qwen2 fixture trained by `trainRl` with LoRA (dropout
// on, so the dropout's step counter must travel too) or full fine-tuning, stopped after an
// iteration and resumed on a freshly loaded policy, ends bit-identical to an uninterrupted run. A
// LoRA checkpoint holds only the adapter, its Adam moments and the state.
import assert from "node:assert/strict";
import { generateSyntheticTask, syntheticTasks } from "../../lib/data/mod.ts";
import {
  CharTokenizer,
  decodeSafetensors,
  type Policy,
  tf,
  type Tokenizer,
} from "../../lib/model/mod.ts";
import { loadHfPolicy, type LoraOptions } from "../../lib/model/hf/mod.ts";
import { resolveRlConfig, RL_PRESETS } from "../../lib/train/config.ts";
import { type RolloutRow, trainRl } from "../../lib/train/rl.ts";
import { fakeCritic } from "./_fake_critic.ts";

const FIXTURE = new URL("../fixtures/hf/qwen2_f32", import.meta.url).pathname;
const PROBLEMS = generateSyntheticTask({ seed: 3, trainSize: 40, validSize: 0, testSize: 2 });
const TASK = {
  train: syntheticTasks(PROBLEMS.train).tasks,
  test: syntheticTasks(PROBLEMS.test).tasks,
};
const LORA: LoraOptions = {
  rank: 4,
  alpha: 8,
  dropout: 0.2,
  targetModules: ["q_proj", "v_proj", "up_proj"],
  seed: 1,
};

/** Characters for the fixture's 1,024 ids: ids past the charset fold back onto it. */
const CHAR = new CharTokenizer();
const fold = (ids: number[]) =>
  ids.map((id) => (id < CHAR.vocabSize ? id : 3 + (id % (CHAR.vocabSize - 3))));
const TOKENIZER: Tokenizer = {
  vocabSize: 1024,
  bosId: CHAR.bosId,
  eosId: CHAR.eosId,
  padId: CHAR.padId,
  encode: (text) => CHAR.encode(text),
  decode: (ids) => CHAR.decode(fold(ids)),
  offsets: (ids) => CHAR.offsets(fold(ids)),
};

async function trained(policy: Policy): Promise<Float32Array[]> {
  return await Promise.all(policy.variables.map((v) => v.data() as Promise<Float32Array>));
}

/** The fields that legitimately differ between runs: wall-clock times and live tensors. */
function withoutTiming(m: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(m).filter(([k]) => !k.startsWith("ms_") && k !== "num_tensors"),
  );
}

for (const mode of ["lora", "full"] as const) {
  Deno.test(`trainRl on an hf policy (${mode}) stopped after iteration 1 resumes bit-identical`, async () => {
    await tf.setBackend("cpu");
    const config = resolveRlConfig({
      iterations: 3,
      batchPrompts: 2,
      n: 2,
      minibatch: 2,
      maxNewTokens: 6,
      lr: 0.05,
      entropyCoef: 0.5, // a gradient even when every reward is 0
      evalEvery: 0,
      checkpointEvery: 2,
      backend: "cpu",
    }, RL_PRESETS.tiny);
    const open = () => loadHfPolicy(FIXTURE, mode === "lora" ? { lora: LORA } : {});
    const deps = { ...TASK, tokenizer: TOKENIZER, critic: fakeCritic, evaluate: false };
    const dirA = await Deno.makeTempDir({ prefix: "capo-hf-ckpt-" });
    const dirB = await Deno.makeTempDir({ prefix: "capo-hf-ckpt-" });
    const policies: Policy[] = [];
    try {
      const a = await open();
      policies.push(a);
      const start = await trained(a);
      const rowsA: RolloutRow[] = [];
      const straight = await trainRl(config, { ...deps, policy: a, checkpointDir: dirA }, {
        onRollouts: (_, r) => void rowsA.push(...r),
      });
      const b = await open();
      policies.push(b);
      const first = await trainRl(config, {
        ...deps,
        policy: b,
        checkpointDir: dirB,
        stopAfter: 1,
      });
      assert.equal(first.iterations, 1);
      const files = [...Deno.readDirSync(`${dirB}/iter-000001`)].map((e) => e.name).sort();
      assert.deepEqual(files, ["optimizer.safetensors", "state.json", "trainable.safetensors"]);
      const saved = decodeSafetensors(
        Deno.readFileSync(`${dirB}/iter-000001/trainable.safetensors`),
      );
      assert.equal(Object.keys(saved.tensors).length, b.variables.length);
      if (mode === "lora") {
        // Only the adapter: 2 layers × 3 modules × (A, B), no base weight.
        assert.equal(Object.keys(saved.tensors).length, 12);
        assert.ok(Object.keys(saved.tensors).every((k) => /\.lora_[AB]$/.test(k)));
        const state = JSON.parse(Deno.readTextFileSync(`${dirB}/iter-000001/state.json`));
        assert.ok(state.policyState.dropoutStep > 0, "the dropout's step counter is saved");
      }
      const c = await open(); // fresh adapter (or weights): the checkpoint must replace them
      policies.push(c);
      const rowsC: RolloutRow[] = [];
      const resumed = await trainRl(config, { ...deps, policy: c, checkpointDir: dirB }, {
        onRollouts: (_, r) => void rowsC.push(...r),
      });
      assert.equal(resumed.resumedFrom, 1);
      assert.deepEqual(rowsC, rowsA.filter((r) => r.iteration > 1));
      assert.deepEqual(withoutTiming(resumed.last!), withoutTiming(straight.last!));
      const [wa, wc] = [await trained(a), await trained(c)];
      assert.deepEqual(wc, wa, "bit-identical trained weights");
      assert.ok(
        wa.some((w, i) => w.some((x, j) => x !== start[i][j])),
        "the updates were not zero",
      );
    } finally {
      for (const p of policies) p.dispose();
      await Deno.remove(dirA, { recursive: true });
      await Deno.remove(dirB, { recursive: true });
    }
  });
}

Deno.test("trainRl refuses a KL term on a fully fine-tuned hf policy in one line", async () => {
  await tf.setBackend("cpu");
  const policy = await loadHfPolicy(FIXTURE);
  try {
    const config = resolveRlConfig({ iterations: 1, klCoef: 0.1, backend: "cpu" }, RL_PRESETS.tiny);
    const deps = { ...TASK, tokenizer: TOKENIZER, critic: fakeCritic, evaluate: false };
    const tensors = tf.memory().numTensors;
    await assert.rejects(
      () => trainRl(config, { ...deps, policy }),
      /^Error: Cannot take the frozen base of a policy without LoRA .*rl\.klCoef to 0$/,
    );
    assert.equal(tf.memory().numTensors, tensors, "the refusal leaves no tensor behind");
  } finally {
    policy.dispose();
  }
});
