/**
 * `deno task bench`: one command that evaluates and measures capo — the policy (greedy pass@1 and
 * maj@k on the synthetic test split: answer accuracy, process accuracy, lucky rate), the verifier
 * (agreement with a labelled set, cases/s), the critic (step F1 against BIG-Bench-Mistake labels,
 * critiques/s, cache), and training (train-step time per backend, sampling tokens/s, one RL
 * iteration). Writes bench.json and bench.md into its lineage run folder; the record path is the
 * last line of output.
 *
 *   deno task bench [--parts=policy,verify,critic,train,hf] [--config=experiments/configs/bench.yaml]
 *                   [--critic.bigBenchMistake=PATH] [--verify.path=PATH] [--runs-dir=DIR] [--key.path=value]
 * @module
 */
import { BENCH_CONFIG_SCHEMA, type BenchConfig } from "../lib/config/mod.ts";
import { startReferenceCriticServer } from "../lib/critic/reference/mod.ts";
import { benchCritic, bigBenchMistakeItems, evaluateCritic } from "../lib/eval/mod.ts";
import { loadBigBenchMistake, loadTaskSet } from "../lib/data/mod.ts";
import type { RunHandle } from "../lib/lineage/mod.ts";
import { chooseBackend, loadCheckpoint } from "../lib/model/mod.ts";
import { benchModel } from "../lib/model/bench.ts";
import { benchHf } from "../lib/model/hf/bench.ts";
import { evaluatePolicy, majorityAtK, RL_PRESETS } from "../lib/train/mod.ts";
import { benchRlIteration } from "../lib/train/bench.ts";
import { benchVerifier } from "../lib/verify/bench.ts";
import { writeFileAtomic } from "../lib/util/mod.ts";
import { runExperiment, runMain } from "../lib/run/mod.ts";

type Row = [metric: string, value: number | string | boolean, unit: string];
type Part = (config: BenchConfig, run: RunHandle, progress: (l: string) => void) => Promise<{
  result: Record<string, unknown>;
  rows: Row[];
}>;

const policyPart: Part = async (config, run) => {
  const backend = await chooseBackend(config.policy.backend);
  await run.update({ backend });
  const policy = await loadCheckpoint(config.checkpoint);
  try {
    const set = await loadTaskSet(config.eval);
    const problems = set.tasks.slice(0, config.policy.limit);
    const t0 = performance.now();
    const greedy = (await evaluatePolicy(policy, problems, {
      maxNewTokens: config.policy.maxNewTokens,
      judgeSteps: set.judgeSteps,
    })).metrics;
    const greedySeconds = (performance.now() - t0) / 1000;
    const maj = await majorityAtK(policy, problems, {
      k: config.policy.majK,
      temperature: config.policy.temperature,
      maxNewTokens: config.policy.maxNewTokens,
      seed: config.policy.seed,
    });
    const result = {
      backend: backend.name,
      count: greedy.count,
      pass1_accuracy: greedy.accuracy,
      process_accuracy: greedy.processAccuracy,
      lucky_rate: greedy.luckyRate,
      mean_length: greedy.meanLength,
      [`maj${maj.k}_accuracy`]: maj.majAccuracy,
      sample_accuracy: maj.sampleAccuracy,
      greedy_seconds: greedySeconds,
    };
    return {
      result,
      rows: [
        ["pass@1 (greedy) accuracy", greedy.accuracy, `${greedy.count} problems`],
        ["process accuracy (greedy)", greedy.processAccuracy ?? "absent", ""],
        ["lucky rate (greedy)", greedy.luckyRate ?? "absent", ""],
        [`maj@${maj.k} accuracy (T=${config.policy.temperature})`, maj.majAccuracy, ""],
        ["mean sampled accuracy", maj.sampleAccuracy, ""],
        ["greedy eval time", greedySeconds, "s"],
      ],
    };
  } finally {
    policy.dispose();
  }
};

/**
 * The peers' labelled pairs (data/verify/README.md says how they were made), newest first: the
 * nineteenth, twentieth, seventeenth, eighteenth, sixteenth, fourteenth and fifteenth holdouts
 * (scored in the reverse order), the thirteenth to third, the second holdout's blind and tuning
 * halves, the late holdout, then the corpus's blind and tuning halves.
 */
const VERIFY_CORPUS = [
  "holdout19",
  "holdout20",
  "holdout17",
  "holdout18",
  "holdout16",
  "holdout14",
  "holdout15",
  "holdout13",
  "holdout12",
  "holdout11",
  "holdout10",
  "holdout9",
  "holdout8",
  "holdout7",
  "holdout6",
  "holdout5",
  "holdout4",
  "holdout3",
  "holdout2_blind",
  "holdout2_tuning",
  "holdout",
  "blind",
  "tuning",
].map((
  half,
) => ({
  half,
  path: new URL(`../data/verify/${half}.jsonl`, import.meta.url),
}));

const verifyPart: Part = async (config) => {
  const rows: Row[] = [];
  const result: Record<string, unknown> = {};
  const share = ([a, n]: [number, number]) => `${a}/${n} = ${(a / n).toFixed(3)}`;
  for (const { half, path } of VERIFY_CORPUS) {
    const exists = await Deno.stat(path).then(() => true, () => false);
    if (!exists) continue;
    const c = await benchVerifier({ path, rounds: config.verify.rounds });
    result[half] = { ...c, disagreements: c.disagreements.slice(0, 20) };
    rows.push(
      [`${half}: agreement`, c.agreement, `${c.n} pairs from peers' tests`],
      [`${half}: false positives`, c.falsePositives, "labelled not equal, judged equal"],
      [`${half}: false negatives`, c.falseNegatives, "labelled equal, judged otherwise"],
      [
        `${half}: throughput (first pass / warm)`,
        `${c.coldCasesPerSecond.toFixed(0)} / ${c.casesPerSecond.toFixed(0)}`,
        "cases/s",
      ],
    );
    for (const [source, v] of Object.entries(c.bySource)) {
      rows.push([`${half} by source: ${source}`, share(v), "agreeing/total"]);
    }
    for (const [kind, v] of Object.entries(c.byKind)) {
      rows.push([`${half} by kind: ${kind}`, share(v), "agreeing/total"]);
    }
  }
  const r = await benchVerifier({ path: config.verify.path, rounds: config.verify.rounds });
  result.regression = { ...r, disagreements: r.disagreements.slice(0, 20) };
  rows.push(
    ["regression set: agreement", r.agreement, `${r.n} cases (${config.verify.path})`],
    ["throughput (warm)", r.casesPerSecond, "cases/s"],
    ["throughput (first pass)", r.coldCasesPerSecond, "cases/s"],
    ["slowest case", r.maxCaseMs, "ms"],
  );
  return { result, rows };
};

const criticPart: Part = async (config, run, progress) => {
  const c = config.critic;
  const rows: Row[] = [];
  const result: Record<string, unknown> = {};
  const exists = await Deno.stat(c.bigBenchMistake).then(() => true, () => false);
  if (exists) {
    const ds = await loadBigBenchMistake(c.bigBenchMistake);
    await run.addInput({
      name: ds.name,
      location: ds.location,
      sha256: ds.sha256,
      rows: ds.rows,
      split: "all",
    });
    const items = bigBenchMistakeItems(ds.records).slice(0, c.evalLimit);
    const server = await startReferenceCriticServer({ port: 0 });
    try {
      const ev = await evaluateCritic(items, {
        config: { baseUrl: server.baseUrl },
        ks: c.ks,
        rules: ["majority"],
      });
      result.big_bench_mistake = { rows: ev.results, skipped: ev.skipped, items: items.length };
      for (const r of ev.results) {
        rows.push([
          `BIG-Bench-Mistake F1 (${r.rule}, k=${r.k})`,
          r.f1,
          `P ${r.precision.toFixed(3)} R ${r.recall.toFixed(3)}, n=${r.n}`,
        ]);
      }
    } finally {
      await server.close();
    }
  } else {
    progress(
      `bench: ${c.bigBenchMistake} not found; skipping the BIG-Bench-Mistake F1 (set --critic.bigBenchMistake=PATH)`,
    );
    result.big_bench_mistake = { skipped: `missing ${c.bigBenchMistake}` };
  }
  const b = await benchCritic({
    responses: c.responses,
    latencyMs: c.latencyMs,
    concurrency: c.concurrency,
    k: c.k,
  });
  result.throughput = b;
  rows.push(
    [
      "critiques per second",
      b.critiquesPerSecond,
      `${(100 * b.ratio).toFixed(0)}% of ${b.allowedCritiquesPerSecond.toFixed(0)} allowed`,
    ],
    [
      "rerun served from cache",
      b.rerun.allCached,
      `${b.rerun.cacheHits} hits, ${b.rerun.wallMs.toFixed(0)} ms`,
    ],
  );
  return { result, rows };
};

const trainPart: Part = async (config, _run, progress) => {
  const r = await benchModel({
    backends: config.train.backends,
    steps: config.train.steps,
    onProgress: progress,
  });
  const rows: Row[] = r.backends.flatMap((b): Row[] =>
    b.started
      ? [
        [
          `train step B=${r.shape.batch} T=${r.shape.length} (${b.backend})`,
          b.trainStepSeconds ?? NaN,
          "s",
        ],
        [`sampling with KV cache (${b.backend})`, b.kvTokensPerSecond ?? NaN, "tokens/s"],
        [`sampling without KV cache (${b.backend})`, b.noKvTokensPerSecond ?? NaN, "tokens/s"],
      ]
      : [[`${b.backend}`, "not started", b.detail ?? ""]]
  );
  const result: Record<string, unknown> = { model: r };
  if (config.train.rlIteration) {
    const preset = RL_PRESETS.demo;
    await chooseBackend(preset.backend);
    const it = await benchRlIteration({
      config: preset,
      checkpoint: config.checkpoint,
      warmup: 1,
      repeats: 1,
    });
    result.rl_iteration = it;
    rows.push(
      [`RL iteration, demo preset (${it.backend}, ${it.rollouts} rollouts)`, it.total / 1000, "s"],
      [
        "  of which sampling / verify / critic / update",
        `${(it.sampling / 1000).toFixed(2)} / ${(it.verify / 1000).toFixed(2)} / ${
          (it.critic / 1000).toFixed(2)
        } / ${(it.update / 1000).toFixed(2)}`,
        "s",
      ],
    );
  }
  return { result, rows };
};

const hfPart: Part = async (config) => {
  const r = await benchHf({
    backend: config.hf.backend,
    layers: config.hf.layers,
    repeats: config.hf.repeats,
    torch: config.hf.torch,
  });
  const rows: Row[] = [
    [
      `forward (${r.backend}, ${(r.params / 1e6).toFixed(0)}M params)`,
      r.capo.forwardTokensPerS,
      "tokens/s",
    ],
    ["LoRA train step", r.capo.trainStepS, "s"],
    [
      "sampling with / without KV cache",
      `${r.capo.sampleCacheTokensPerS.toFixed(1)} / ${r.capo.sampleNoCacheTokensPerS.toFixed(1)}`,
      "tokens/s",
    ],
    ["peak load memory ÷ f32 weights", r.loadMemoryRatio, "goal ≤ 1.3"],
  ];
  if (r.ratios) {
    rows.push(
      [
        "capo ÷ PyTorch: forward (wall / CPU)",
        `${r.ratios.forward.toFixed(2)} / ${r.ratios.forwardCpu.toFixed(2)}`,
        "goal ≤ 1.5",
      ],
      [
        "capo ÷ PyTorch: LoRA step (wall / CPU)",
        `${r.ratios.trainStep.toFixed(2)} / ${r.ratios.trainStepCpu.toFixed(2)}`,
        "goal ≤ 1.5",
      ],
    );
  } else rows.push(["PyTorch", "not installed", "skipped" in r.torch ? r.torch.skipped : ""]);
  return { result: { ...r }, rows };
};

const PARTS: Record<BenchConfig["parts"][number], Part> = {
  hf: hfPart,
  policy: policyPart,
  verify: verifyPart,
  critic: criticPart,
  train: trainPart,
};

function fmt(v: number | string | boolean): string {
  if (typeof v !== "number") return String(v);
  return Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3);
}

if (import.meta.main) {
  // `--parts=a,b` is sugar for the config override `--parts=[a,b]`.
  const args = Deno.args.map((a) => (/^--parts=[^[]/.test(a) ? `--parts=[${a.slice(8)}]` : a));
  await runMain("bench", () =>
    runExperiment(
      {
        task: "bench",
        kind: "bench",
        schema: BENCH_CONFIG_SCHEMA,
        defaultConfig: "experiments/configs/bench.yaml",
        usage:
          "usage: deno task bench [--parts=policy,verify,critic,train,hf] [--config=FILE] [--runs-dir=DIR] [--key.path=value]",
      },
      args,
      async ({ config, run, progress }) => {
        const results: Record<string, unknown> = {};
        const table: string[] = ["| part | metric | value | note |", "|---|---|---:|---|"];
        for (const part of config.parts) {
          progress(`bench: ${part} ...`);
          const t0 = performance.now();
          try {
            const { result, rows } = await PARTS[part](config, run, progress);
            results[part] = { ...result, seconds: (performance.now() - t0) / 1000 };
            for (const [metric, value, unit] of rows) {
              table.push(`| ${part} | ${metric} | ${fmt(value)} | ${unit} |`);
            }
            progress(`bench: ${part} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
          } catch (error) {
            results[part] = { error: (error as Error).message };
            table.push(
              `| ${part} | error | — | ${(error as Error).message.replaceAll("|", "/")} |`,
            );
            progress(`bench: ${part} failed: ${(error as Error).message}`);
          }
        }
        await writeFileAtomic(`${run.dir}/bench.json`, JSON.stringify(results, null, 2) + "\n");
        await writeFileAtomic(`${run.dir}/bench.md`, table.join("\n") + "\n");
        await run.addArtifact(`${run.dir}/bench.json`, "table");
        await run.addArtifact(`${run.dir}/bench.md`, "table");
        console.log(table.join("\n"));
        const failed = config.parts.filter((p) => (results[p] as { error?: string }).error);
        return { parts: results, failed_parts: failed };
      },
    ));
}
