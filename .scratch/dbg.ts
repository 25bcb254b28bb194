import { tf } from "../lib/model/tf.ts";
import { loadHfPolicy } from "../lib/model/hf/mod.ts";
import { expected, FIXTURES, maxDiff } from "../tests/model/hf/_fixtures.ts";
for (const name of ["llama_f16", "qwen2_bf16_sharded", "qwen2_f32"]) {
  const policy = await loadHfPolicy(`${FIXTURES}${name}`);
  const ref = await expected(name);
  const row = ref.rows[0];
  const all = (await policy.logits(tf.tensor2d([row.ids], [1, row.ids.length], "int32")).array())[0];
  console.log(name, all.map((l, i) => [maxDiff(row.logit_cols.map((j) => l[j]), row.logits[i]).toExponential(1), Math.max(...l.map(Math.abs)).toFixed(1)].join(" ")));
}
