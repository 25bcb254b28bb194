/**
 * The hf part of `deno task bench`: for a Qwen2-shaped model (~50M parameters by default) written
 * as a random f32 checkpoint, it measures peak memory while loading, forward tokens/s, one LoRA
 * train step, and sampling tokens/s with and without the KV cache, then runs the same shapes in
 * PyTorch (`experiments/hf_bench_torch.py`) when python3 has torch, for side-by-side ratios.
 * @module
 */
import { chooseBackend, tf } from "../tf.ts";
import { sample } from "../sample.ts";
import { tokenLogProbs } from "../transformer.ts";
import { createRng } from "../../util/mod.ts";
import type { HfModelConfig } from "./config.ts";
import { loadHfPolicy } from "./load.ts";
import process from "node:process";
import { hfTensorShapes } from "./model.ts";

/** Options for {@linkcode benchHf}. */
export interface BenchHfOptions {
  /** Backend to measure. @default "cpu" */
  backend?: "tensorflow" | "tensorflow-gpu" | "webgpu" | "wasm" | "cpu";
  /** @default 512 */
  hidden?: number;
  /** @default 8 */
  layers?: number;
  /** @default 8 */
  heads?: number;
  /** @default 2 */
  kvHeads?: number;
  /** @default 1536 */
  intermediate?: number;
  /** @default 51200 */
  vocab?: number;
  /** Rows per forward / train step / sampling call. @default 1 */
  batch?: number;
  /** Tokens per row for forward and train step; also the sampling prompt length. @default 64 */
  seqLen?: number;
  /** Tokens sampled per row. @default 16 */
  newTokens?: number;
  /** Timed repeats (after one warm-up); the fastest counts. @default 2 */
  repeats?: number;
  /** LoRA rank for the train step (q/k/v/o/gate/up/down). @default 8 */
  loraRank?: number;
  /** Run the PyTorch side when python3 has torch. @default true */
  torch?: boolean;
  /** Folder for the temporary checkpoint. @default a new temp dir (removed after) */
  dir?: string;
}

/** Timings of one side (capo or PyTorch); seconds and tokens/s. */
export interface HfBenchSide {
  forwardS: number;
  /** Process CPU seconds of the fastest forward (all threads; less sensitive to other load). */
  forwardCpuS: number;
  /** Process CPU seconds of the fastest train step. */
  trainStepCpuS: number;
  forwardTokensPerS: number;
  trainStepS: number;
  sampleCacheTokensPerS: number;
  sampleNoCacheTokensPerS: number;
  /** Peak resident memory growth while loading, bytes (capo: RSS sampled during the load). */
  loadPeakBytes?: number;
}

/** What {@linkcode benchHf} measured. */
export interface HfBenchResult {
  backend: string;
  params: number;
  f32Bytes: number;
  capo: HfBenchSide;
  /** PyTorch on the same shapes, or why it did not run. */
  torch: HfBenchSide | { skipped: string };
  /** capo time / PyTorch time (> 1 means capo is slower). */
  ratios?: {
    forward: number;
    trainStep: number;
    /** The same ratios on process CPU seconds. */
    forwardCpu: number;
    trainStepCpu: number;
    sampleCache: number;
    sampleNoCache: number;
  };
  /** Peak load memory / f32 weight bytes (goal ≤ 1.3). */
  loadMemoryRatio: number;
}

/**
 * Runs the hf benchmark.
 *
 * @param options See {@linkcode BenchHfOptions}.
 * @returns Timings, memory and capo/PyTorch ratios.
 * @example
 * ```ts
 * const r = await benchHf({ backend: "wasm", layers: 2 });
 * console.log(r.ratios);
 * ```
 */
export async function benchHf(options: BenchHfOptions = {}): Promise<HfBenchResult> {
  const {
    backend = "cpu",
    hidden = 512,
    layers = 8,
    heads = 8,
    kvHeads = 2,
    intermediate = 1536,
    vocab = 51200,
    batch = 1,
    seqLen = 64,
    newTokens = 16,
    repeats = 2,
    loraRank = 8,
    torch = true,
  } = options;
  const shape = { hidden, layers, heads, kvHeads, intermediate, vocab };
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "capo_hf_bench_" });
  try {
    const params = await writeRandomCheckpoint(dir, shape);
    await chooseBackend(backend);
    const rss0 = Deno.memoryUsage().rss;
    let peak = rss0;
    const timer = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 5);
    const policy = await loadHfPolicy(dir, {
      blockSize: seqLen + newTokens,
      lora: { rank: loraRank, targetModules: LORA_TARGETS },
    });
    clearInterval(timer);
    peak = Math.max(peak, Deno.memoryUsage().rss);
    const rng = createRng(1);
    const rows = Array.from(
      { length: batch },
      () => Array.from({ length: seqLen }, () => rng.int(vocab)),
    );
    const ids = tf.tensor2d(rows, undefined, "int32") as tf.Tensor2D;
    let lastCpu = 0;
    const best = async (fn: () => Promise<void>) => {
      let min = Infinity;
      for (let i = 0; i <= repeats; i++) {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        await fn();
        const wall = (performance.now() - t0) / 1000;
        if (i > 0 && wall < min) {
          min = wall;
          const cpu = process.cpuUsage(cpu0);
          lastCpu = (cpu.user + cpu.system) / 1e6;
        }
      }
      return min;
    };
    const opt = tf.train.adam(1e-4);
    let capo: HfBenchSide;
    try {
      const forwardS = await best(async () => {
        const out = policy.logits(ids);
        await out.data();
        out.dispose();
      });
      const forwardCpuS = lastCpu;
      const trainStepS = await best(async () => {
        const { value, grads } = tf.variableGrads(() => {
          const { logProbs, entropy } = tokenLogProbs(policy, ids);
          entropy.dispose();
          return tf.neg(tf.mean(logProbs));
        }, policy.variables);
        opt.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
        await value.data();
        tf.dispose([value, ...Object.values(grads)]);
      });
      const sampled = (kvCache: boolean) => async () => {
        await sample(policy, rows, {
          maxNewTokens: newTokens,
          temperature: 0,
          seed: 1,
          eosId: -1,
          kvCache,
        });
      };
      const trainStepCpuS = lastCpu;
      const cacheS = await best(sampled(true));
      const noCacheS = await best(sampled(false));
      capo = {
        forwardS,
        forwardCpuS,
        trainStepCpuS,
        forwardTokensPerS: (batch * seqLen) / forwardS,
        trainStepS,
        sampleCacheTokensPerS: (batch * newTokens) / cacheS,
        sampleNoCacheTokensPerS: (batch * newTokens) / noCacheS,
        loadPeakBytes: peak - rss0,
      };
    } finally {
      opt.dispose();
      ids.dispose();
      policy.dispose();
    }
    const torchSide = torch
      ? await runTorch({ ...shape, batch, seqLen, newTokens, repeats, loraRank })
      : { skipped: "not requested" };
    const f32Bytes = params * 4;
    return {
      backend: tf.getBackend(),
      params,
      f32Bytes,
      capo,
      torch: torchSide,
      ...("forwardS" in torchSide
        ? {
          ratios: {
            forward: capo.forwardS / torchSide.forwardS,
            trainStep: capo.trainStepS / torchSide.trainStepS,
            forwardCpu: capo.forwardCpuS / torchSide.forwardCpuS,
            trainStepCpu: capo.trainStepCpuS / torchSide.trainStepCpuS,
            sampleCache: torchSide.sampleCacheTokensPerS / capo.sampleCacheTokensPerS,
            sampleNoCache: torchSide.sampleNoCacheTokensPerS / capo.sampleNoCacheTokensPerS,
          },
        }
        : {}),
      loadMemoryRatio: (capo.loadPeakBytes ?? 0) / f32Bytes,
    };
  } finally {
    if (!options.dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

interface Shape {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  intermediate: number;
  vocab: number;
}

/** Writes config.json and a random f32 model.safetensors tensor by tensor; returns the parameter count. */
async function writeRandomCheckpoint(dir: string, s: Shape): Promise<number> {
  const config = {
    architectures: ["Qwen2ForCausalLM"],
    model_type: "qwen2",
    hidden_size: s.hidden,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    num_key_value_heads: s.kvHeads,
    intermediate_size: s.intermediate,
    vocab_size: s.vocab,
    max_position_embeddings: 4096,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000,
    tie_word_embeddings: true,
    torch_dtype: "float32",
  };
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(config));
  const shapes = hfTensorShapes(
    {
      arch: "qwen2",
      vocabSize: s.vocab,
      hiddenSize: s.hidden,
      intermediateSize: s.intermediate,
      nLayer: s.layers,
      nHead: s.heads,
      nKvHead: s.kvHeads,
      headDim: s.hidden / s.heads,
      rmsNormEps: 1e-6,
      ropeTheta: 1e6,
      maxPositionEmbeddings: 4096,
      tieWordEmbeddings: true,
      qkvBias: true,
      oBias: false,
      qkNorm: false,
      storedDtype: "float32",
      eosIds: [],
    } satisfies HfModelConfig,
  );
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, shape] of shapes) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const file = await Deno.open(`${dir}/model.safetensors`, {
    write: true,
    create: true,
    truncate: true,
  });
  try {
    const len = new Uint8Array(8);
    new DataView(len.buffer).setBigUint64(0, BigInt(json.length), true);
    await writeAll(file, len);
    await writeAll(file, new TextEncoder().encode(json));
    const rng = createRng(0);
    for (const [name, shape] of shapes) {
      const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
      const norm = name.endsWith("norm.weight");
      for (let i = 0; i < data.length; i++) data[i] = norm ? 1 : 0.02 * (2 * rng.next() - 1);
      await writeAll(file, new Uint8Array(data.buffer));
    }
  } finally {
    file.close();
  }
  return offset / 4;
}

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let at = 0;
  while (at < data.length) at += await file.write(data.subarray(at));
}

async function runTorch(
  args: Shape & {
    batch: number;
    seqLen: number;
    newTokens: number;
    repeats: number;
    loraRank: number;
  },
): Promise<HfBenchSide | { skipped: string }> {
  const script = new URL("../../../experiments/hf_bench_torch.py", import.meta.url).pathname;
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("python3", {
      args: [script, JSON.stringify(args)],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch {
    return { skipped: "PyTorch not installed (no python3)" };
  }
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (out.code === 3) return { skipped: "PyTorch not installed" };
  if (out.code !== 0) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
    return { skipped: `PyTorch side failed: ${err}` };
  }
  return JSON.parse(stdout.split("\n").at(-1)!);
}

// `deno run -A lib/model/hf/bench.ts [--backend=wasm] [--repeats=3]` prints the result as JSON
// (until `deno task bench --parts=hf` runs it).
if (import.meta.main) {
  const arg = (name: string) =>
    Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const backend = (arg("backend") ?? "wasm") as BenchHfOptions["backend"];
  console.log(
    JSON.stringify(await benchHf({ backend, repeats: Number(arg("repeats") ?? 3) }), null, 2),
  );
}
