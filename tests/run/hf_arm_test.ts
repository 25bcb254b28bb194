// The runner with a Hugging Face policy: a tiny Qwen2 fixture with its real tokenizer and chat
// template, trained with LoRA by `runArm`, exported as a PEFT adapter and a merged folder; the
// adapter loads back onto the base to the merged model's logits, and the lineage lists both. A run
// stopped after its first iteration and resumed with `resumeFrom` ends where an uninterrupted one
// does: the same metrics, summary, checkpoint and exported adapter, bit for bit.
import assert from "node:assert/strict";
import { resolveSchema } from "../../lib/config/schema.ts";
import { TRAIN_CONFIG_SCHEMA } from "../../lib/config/mod.ts";
import { loadRun } from "../../lib/lineage/mod.ts";
import { chooseBackend, tf } from "../../lib/model/mod.ts";
import { loadHfPolicy } from "../../lib/model/hf/mod.ts";
import { runArm } from "../../lib/run/mod.ts";
import { sha256Hex } from "../../lib/util/mod.ts";

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

/** Drops what legitimately differs between two runs: wall-clock times and live tensors. */
function withoutTiming(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).filter(([k]) =>
      !k.startsWith("ms_") && k !== "time" && k !== "num_tensors" && k !== "seconds"
    ),
  );
}

async function metricRows(dir: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(`${dir}/metrics.jsonl`);
  return text.trim().split("\n").map((line) => withoutTiming(JSON.parse(line)));
}

/** sha256 of each file of a folder, by name. */
async function hashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile) {
      out[entry.name] = await sha256Hex(await Deno.readFile(`${dir}/${entry.name}`));
    }
  }
  return out;
}

Deno.test("runArm resumes an interrupted Hugging Face run to the numbers and adapter of an uninterrupted one", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "capo-hf-resume-" });
  try {
    const base = `${tmp}/qwen2_chat`; // a copy: changed at the end
    await Deno.mkdir(base);
    for (const entry of Deno.readDirSync(FIXTURE)) {
      await Deno.copyFile(`${FIXTURE}/${entry.name}`, `${base}/${entry.name}`);
    }
    const config = resolveSchema(TRAIN_CONFIG_SCHEMA, {
      name: "hf-resume",
      policy: {
        kind: "hf",
        path: base,
        blockSize: 256,
        lora: { rank: 4, alpha: 8, dropout: 0.1, targetModules: ["q_proj", "v_proj"] },
        export: { adapter: true, merged: false },
      },
      task: { source: DATA, format: "gsm8k" },
      eval: { source: DATA, format: "gsm8k", limit: 1 },
      rl: {
        iterations: 2,
        batchPrompts: 2,
        n: 2,
        minibatch: 4,
        microBatch: 2,
        maxNewTokens: 6,
        lr: 0.05,
        entropyCoef: 0.5,
        checkpointEvery: 1,
        backend: "wasm",
      },
      sampledEval: { samples: 0 },
      critic: { k: 2 },
    });
    const straight = await runArm(config, { runsDir: `${tmp}/a` });
    const stopped = await runArm(config, { runsDir: `${tmp}/b`, stopAfter: 1 });
    assert.equal(stopped.summary.iterations, 1);
    const resumed = await runArm(config, { runsDir: `${tmp}/b`, resumeFrom: stopped.dir });
    assert.equal(resumed.summary.resumed_from, 1);
    const record = await loadRun(resumed.recordPath);
    assert.equal(record.status, "completed");
    assert.equal(record.resumed_from, stopped.runId);
    // A LoRA checkpoint is small: the adapter and its moments, not the base weights.
    const ckpt = `${resumed.dir}/checkpoints/iter-000002`;
    const weights = (await Deno.stat(`${ckpt}/trainable.safetensors`)).size;
    const model = (await Deno.stat(`${FIXTURE}/model.safetensors`)).size;
    assert.ok(weights * 20 < model, `checkpoint weights ${weights} B vs base ${model} B`);
    assert.deepEqual(await hashes(ckpt), await hashes(`${straight.dir}/checkpoints/iter-000002`));
    assert.deepEqual(
      await hashes(`${resumed.dir}/adapter`),
      await hashes(`${straight.dir}/adapter`),
    );
    const { resumed_from: _a, critic: _ca, rollouts: _ra, ...summaryA } = withoutTiming(
      straight.summary,
    );
    const { resumed_from: _b, critic: _cb, rollouts: _rb, ...summaryB } = withoutTiming(
      resumed.summary,
    );
    assert.deepEqual(summaryB, summaryA);
    const later = (await metricRows(straight.dir)).filter((r) => (r.step as number) > 1);
    assert.ok(later.length > 0);
    assert.deepEqual(
      (await metricRows(resumed.dir)).filter((r) => (r.step as number) > 1),
      later,
    );
    // The checkpoint holds only the adapter: a base whose weights changed since the start is refused.
    const bytes = await Deno.readFile(`${base}/model.safetensors`);
    bytes[bytes.length - 1] ^= 1;
    await Deno.writeFile(`${base}/model.safetensors`, bytes);
    await assert.rejects(
      () => runArm(config, { runsDir: `${tmp}/c`, resumeFrom: stopped.dir }),
      /^Error: Cannot resume run \S+: the files of policy\.path \S+ differ from those it started from \(by sha256\); restore them or start a new run$/,
    );
    assert.equal(await Deno.stat(`${tmp}/c`).catch(() => undefined), undefined, "no run started");
  } finally {
    await chooseBackend("cpu");
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("runArm trains an hf policy given as a URL, records each file by URL and sha256, and exports from the fetched folder", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "capo-hf-url-" });
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const name = new URL(req.url).pathname.replace(/^\/qwen\//, "");
    hits.push(name);
    const path = `${FIXTURE}/${name}`;
    return /^[\w.-]+$/.test(name) && name !== "expected.json" &&
        await Deno.stat(path).catch(() => 0)
      ? new Response(await Deno.readFile(path))
      : new Response("not found", { status: 404 });
  });
  const url = `http://127.0.0.1:${server.addr.port}/qwen`;
  try {
    const config = resolveSchema(TRAIN_CONFIG_SCHEMA, {
      name: "hf-url",
      policy: {
        kind: "hf",
        path: url,
        cacheDir: `${tmp}/cache`,
        blockSize: 256,
        lora: { rank: 2, targetModules: ["q_proj"] },
      },
      task: { source: DATA, format: "gsm8k" },
      eval: { source: DATA, format: "gsm8k", limit: 1 },
      rl: {
        iterations: 1,
        batchPrompts: 1,
        n: 2,
        minibatch: 2,
        microBatch: 2,
        maxNewTokens: 4,
        checkpointEvery: 0,
        backend: "wasm",
      },
      sampledEval: { samples: 0 },
      critic: { k: 2 },
    });
    const arm = await runArm(config, { runsDir: `${tmp}/runs` });
    const record = await loadRun(arm.recordPath);
    const inputs = record.inputs.filter((i) => i.name === "policy");
    assert.deepEqual(inputs.map((i) => i.location).sort(), [
      `${url}/config.json`,
      `${url}/generation_config.json`,
      `${url}/model.safetensors`,
      `${url}/tokenizer.json`,
      `${url}/tokenizer_config.json`,
    ]);
    for (const input of inputs) {
      const file = `${FIXTURE}/${input.location.slice(url.length + 1)}`;
      assert.equal(input.sha256, await sha256Hex(await Deno.readFile(file)));
    }
    assert.equal(hits.filter((h) => h === "model.safetensors").length, 1, "weights fetched once");
    const adapter = JSON.parse(await Deno.readTextFile(`${arm.dir}/adapter/adapter_config.json`));
    assert.equal(adapter.base_model_name_or_path, url);
    assert.deepEqual(
      await Deno.readFile(`${arm.dir}/merged/tokenizer.json`),
      await Deno.readFile(`${FIXTURE}/tokenizer.json`),
    );
  } finally {
    await server.shutdown();
    await chooseBackend("cpu");
    await Deno.remove(tmp, { recursive: true });
  }
});
