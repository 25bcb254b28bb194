// The runner with a Hugging Face policy: a tiny Qwen2 fixture with its real tokenizer and chat
// template, trained with LoRA by `runArm`, exported as a PEFT adapter and a merged folder; the
// adapter loads back onto the base to the merged model's logits, and the lineage lists both.
import assert from "node:assert/strict";
import { resolveSchema } from "../../lib/config/schema.ts";
import { TRAIN_CONFIG_SCHEMA } from "../../lib/config/mod.ts";
import { loadRun } from "../../lib/lineage/mod.ts";
import { chooseBackend, tf } from "../../lib/model/mod.ts";
import { loadHfPolicy } from "../../lib/model/hf/mod.ts";
import { runArm } from "../../lib/run/mod.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FIXTURE = `${ROOT}tests/fixtures/hf/qwen2_chat`;
const DATA = `${ROOT}tests/fixtures/tiny_gsm8k.jsonl`;

Deno.test("runArm trains a Hugging Face policy with LoRA and exports an adapter that loads back", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "capo-hf-arm-" });
  try {
    const config = resolveSchema(TRAIN_CONFIG_SCHEMA, {
      name: "hf-tiny",
      policy: {
        kind: "hf",
        path: FIXTURE,
        blockSize: 256,
        lora: { rank: 4, alpha: 8, targetModules: ["q_proj", "v_proj"] },
      },
      task: { source: DATA, format: "gsm8k" },
      eval: { source: DATA, format: "gsm8k", limit: 2 },
      rl: {
        iterations: 1,
        batchPrompts: 2,
        n: 2,
        minibatch: 4,
        microBatch: 2,
        maxNewTokens: 8,
        lr: 0.05,
        entropyCoef: 0.5, // a gradient even when every reward is 0
        checkpointEvery: 0,
        backend: "wasm",
      },
      sampledEval: { samples: 0 },
      critic: { k: 2 },
    });
    const arm = await runArm(config, { runsDir: tmp });
    const record = await loadRun(arm.recordPath);
    assert.equal(record.status, "completed");
    const kinds = new Set(record.artifacts.map((a) => a.kind));
    assert.ok(kinds.has("peft-adapter") && kinds.has("merged-model"), [...kinds].join());
    assert.ok(record.artifacts.every((a) => /^[0-9a-f]{64}$/.test(a.sha256)));
    await chooseBackend("wasm");
    const merged = await loadHfPolicy(`${arm.dir}/merged`);
    const adapted = await loadHfPolicy(FIXTURE, { adapter: `${arm.dir}/adapter` });
    const base = await loadHfPolicy(FIXTURE);
    const ids = tf.tensor2d([[1, 2, 3, 4, 5, 6]], undefined, "int32") as tf.Tensor2D;
    const [a, b, c] = await Promise.all(
      [merged, adapted, base].map((p) => tf.tidy(() => p.logits(ids)).data()),
    );
    let diff = 0;
    let moved = 0;
    for (let i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
      moved = Math.max(moved, Math.abs(a[i] - c[i]));
    }
    assert.ok(diff <= 1e-4, `adapter vs merged logits differ by ${diff}`);
    assert.ok(moved > 1e-6, "training moved the policy away from its base");
    ids.dispose();
    for (const p of [merged, adapted, base]) p.dispose();
  } finally {
    await chooseBackend("cpu");
    await Deno.remove(tmp, { recursive: true });
  }
});
