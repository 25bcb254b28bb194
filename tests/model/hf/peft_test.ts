import assert from "node:assert/strict";
import { tf } from "../../../lib/model/mod.ts";
import { loadHfPolicy, saveMergedCheckpoint, savePeftAdapter } from "../../../lib/model/hf/mod.ts";
import { FIXTURES, maxDiff } from "./_fixtures.ts";

const BASE = `${FIXTURES}qwen2_f32`;
const ADAPTER = `${FIXTURES}qwen2_f32_lora`;
const ref = JSON.parse(await Deno.readTextFile(`${ADAPTER}/expected.json`));

async function logitsOf(policy: { logits(ids: tf.Tensor2D): tf.Tensor3D }): Promise<number[]> {
  const ids = tf.tensor2d([ref.ids], [1, ref.ids.length], "int32");
  const out = policy.logits(ids);
  const flat = Array.from(await out.data());
  tf.dispose([ids, out]);
  return flat;
}

Deno.test("a PEFT-made adapter gives PEFT's logits; the frozen base ignores it", async () => {
  const policy = await loadHfPolicy(BASE, { adapter: ADAPTER });
  try {
    assert.deepEqual(policy.lora?.targetModules, ["down_proj", "q_proj", "v_proj"]);
    assert.ok(maxDiff(await logitsOf(policy), ref.logits.flat()) <= 1e-4);
    const base = await logitsOf(policy.base());
    assert.ok(maxDiff(base, ref.logits.flat()) > 1e-2, "the adapter changes the logits");
    assert.equal(policy.variables.length, 2 * 3 * 2, "only LoRA factors train");
  } finally {
    policy.dispose();
  }
});

Deno.test("an adapter capo saved loads back to the same logits; the merged folder gives PEFT's merged logits", async () => {
  const tmp = await Deno.makeTempDir();
  const policy = await loadHfPolicy(BASE, { adapter: ADAPTER });
  try {
    const files = await savePeftAdapter(policy, `${tmp}/adapter`, { baseModel: BASE });
    assert.deepEqual(files.map((f) => f.path.split("/").pop()), [
      "adapter_config.json",
      "adapter_model.safetensors",
    ]);
    assert.match(files[1].sha256, /^[0-9a-f]{64}$/);
    const again = await loadHfPolicy(BASE, { adapter: `${tmp}/adapter` });
    assert.ok(maxDiff(await logitsOf(again), await logitsOf(policy)) <= 1e-6);
    again.dispose();
    const merged = await saveMergedCheckpoint(policy, BASE, `${tmp}/merged`);
    assert.ok(merged.some((f) => f.path.endsWith("model.safetensors")));
    const plain = await loadHfPolicy(`${tmp}/merged`);
    assert.equal(plain.lora, undefined);
    assert.ok(maxDiff(await logitsOf(plain), ref.merged_logits.flat()) <= 1e-4);
    plain.dispose();
  } finally {
    policy.dispose();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("unsupported adapters and checkpoints fail with one line naming the file", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${tmp}/a`);
    const config = JSON.parse(await Deno.readTextFile(`${ADAPTER}/adapter_config.json`));
    await Deno.writeTextFile(
      `${tmp}/a/adapter_config.json`,
      JSON.stringify({ ...config, use_dora: true }),
    );
    await assert.rejects(
      loadHfPolicy(BASE, { adapter: `${tmp}/a` }),
      /adapter_config\.json: expected a plain LoRA adapter, got use_dora/,
    );
    await Deno.mkdir(`${tmp}/m`);
    const base = JSON.parse(await Deno.readTextFile(`${BASE}/config.json`));
    await Deno.writeTextFile(
      `${tmp}/m/config.json`,
      JSON.stringify({ ...base, architectures: ["GPT2LMHeadModel"] }),
    );
    await assert.rejects(
      loadHfPolicy(`${tmp}/m`),
      /config\.json: expected architectures\[0\] one of LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, got "GPT2LMHeadModel"/,
    );
    await Deno.writeTextFile(
      `${tmp}/m/config.json`,
      JSON.stringify({ ...base, intermediate_size: 48 }),
    );
    await Deno.copyFile(`${BASE}/model.safetensors`, `${tmp}/m/model.safetensors`);
    await assert.rejects(
      loadHfPolicy(`${tmp}/m`),
      /model\.safetensors: expected tensor model\.layers\.0\.mlp\.gate_proj\.weight of shape \[48,32\], got \[64,32\]/,
    );
    await Deno.writeTextFile(
      `${tmp}/m/config.json`,
      JSON.stringify({ ...base, num_hidden_layers: 3 }),
    );
    await assert.rejects(
      loadHfPolicy(`${tmp}/m`),
      /expected tensor model\.layers\.2\.input_layernorm\.weight in model\.safetensors, not found/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("openHfPolicy + exportHfPolicy: the runner's open and export, with sha256 per file", async () => {
  const { openHfPolicy, exportHfPolicy } = await import("../../../lib/model/hf/mod.ts");
  const dir = `${FIXTURES}qwen2_chat`;
  const tmp = await Deno.makeTempDir();
  const { policy, tokenizer } = await openHfPolicy({ kind: "hf", path: dir, lora: { rank: 2 } });
  try {
    assert.equal(tokenizer.eosId, 151645);
    const files = await exportHfPolicy(policy, dir, tmp);
    const names = files.map((f) => f.path.slice(tmp.length + 1)).sort();
    assert.deepEqual(names, [
      "adapter/adapter_config.json",
      "adapter/adapter_model.safetensors",
      "merged/config.json",
      "merged/generation_config.json",
      "merged/model.safetensors",
      "merged/tokenizer.json",
      "merged/tokenizer_config.json",
    ]);
    assert.ok(files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256) && f.bytes > 0));
    await assert.rejects(
      // deno-lint-ignore no-explicit-any
      openHfPolicy({ kind: "hf", path: dir, dtype: "float16" as any }),
      /^RangeError: Cannot open policy .*: expected dtype float32, got float16 \(TensorFlow\.js has no 16-bit float tensors on any backend; .*\)$/,
    );
  } finally {
    policy.dispose();
    await Deno.remove(tmp, { recursive: true });
  }
});
