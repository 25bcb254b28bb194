import assert from "node:assert/strict";
import { parseHfConfig, ropeInvFreq } from "../../../lib/model/hf/mod.ts";

const BASE = {
  architectures: ["LlamaForCausalLM"],
  vocab_size: 100,
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 128,
};

Deno.test("both config spellings give the same RoPE and dtype", () => {
  const scaling = {
    rope_type: "llama3",
    factor: 8,
    low_freq_factor: 1,
    high_freq_factor: 4,
    original_max_position_embeddings: 64,
  };
  const v4 = parseHfConfig(
    { ...BASE, rope_theta: 500000, rope_scaling: scaling, torch_dtype: "bfloat16" },
    undefined,
    "m",
  );
  const v5 = parseHfConfig(
    { ...BASE, rope_parameters: { ...scaling, rope_theta: 500000 }, dtype: "bfloat16" },
    undefined,
    "m",
  );
  assert.deepEqual(v4, v5);
  assert.equal(v4.ropeTheta, 500000);
  assert.equal(v4.storedDtype, "bfloat16");
  assert.equal(v4.headDim, 8);
  // llama3 scaling: the lowest frequencies are divided by the factor, the highest kept.
  const plain = ropeInvFreq({ ...v4, ropeScaling: undefined });
  const scaled = ropeInvFreq(v4);
  assert.equal(scaled[0], plain[0]);
  assert.ok(Math.abs(scaled[3] - plain[3] / 8) < 1e-12);
});

Deno.test("stop ids come from generation_config, one or a list, else config.json", () => {
  assert.deepEqual(parseHfConfig({ ...BASE, eos_token_id: 7 }, undefined, "m").eosIds, [7]);
  assert.deepEqual(
    parseHfConfig({ ...BASE, eos_token_id: 7 }, { eos_token_id: [8, 9] }, "m").eosIds,
    [8, 9],
  );
});

Deno.test("unsupported configs fail in one line naming the file and field", () => {
  assert.throws(
    () =>
      parseHfConfig({ ...BASE, rope_scaling: { rope_type: "yarn", factor: 4 } }, undefined, "m"),
    /^RangeError: Cannot load m\/config\.json: expected rope type default or llama3, got "yarn"$/,
  );
  assert.throws(
    () => parseHfConfig({ ...BASE, num_attention_heads: 0 }, undefined, "m"),
    /Cannot load m\/config\.json: expected num_attention_heads a positive integer, got 0/,
  );
  assert.throws(
    () =>
      parseHfConfig(
        { ...BASE, architectures: ["Qwen2ForCausalLM"], use_sliding_window: true },
        undefined,
        "m",
      ),
    /use_sliding_window false/,
  );
});
