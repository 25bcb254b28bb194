/**
 * `deno task critic:eval FILE`: scores a critic against step labels — step-level precision, recall,
 * F1 of the voted wrong set and first-error accuracy, per vote rule and k. By default it starts the
 * reference critic itself; `--base-url` points it at any OpenAI-compatible endpoint instead. Exits 1
 * with one line when every critic request failed or the endpoint refuses connections, 2 on bad usage.
 * @module
 */
import { parseArgs } from "node:util";
import { type CriticConfig, formatFailures, parseVoteRule } from "../critic/mod.ts";
import { startReferenceCriticServer } from "../critic/reference/mod.ts";
import {
  bigBenchMistakeItems,
  evaluateCritic,
  formatEvalTable,
  readLabeledJsonl,
  syntheticAblationItems,
} from "../eval/mod.ts";
import { loadBigBenchMistake } from "../data/mod.ts";
import { defaultRunsDir, startRun } from "../lineage/mod.ts";
import { writeFileAtomic } from "../util/mod.ts";
import { runCriticCommand, UsageError } from "./_critic_cli.ts";

const USAGE = `Usage: deno task critic:eval [FILE] [--format bbm|synthetic] [--k 1,2,4,8]
  [--rules union,intersection,majority,average,at-least-m] [--m 2] [--out PATH]
  [--base-url URL --model NAME --api-key-env VAR] [--concurrency 16] [--cache-dir DIR]
  [--temperature 0.7] [--include-reference] [--repeated-calls (k requests instead of n = k)]
  [--timeout-ms 60000 (per request)] [--max-attempts 3 (per request)]
  [--noise-false-flag 0 --noise-missed-flag 0 --seed 0] [--size 300] [--runs-dir DIR]
FILE: BIG-Bench-Mistake JSONL (bbm), or synthetic JSONL with question/response/step_labels;
without FILE and with --format synthetic, seeded synthetic SFT traces are generated (--size).`;

async function readItems(file: string | undefined, format: string, size: number, seed: number) {
  if (!file) {
    if (format !== "synthetic") {
      throw new UsageError("Cannot evaluate: expected FILE, or --format synthetic");
    }
    return syntheticAblationItems(size, seed);
  }
  if (format === "bbm") return bigBenchMistakeItems((await loadBigBenchMistake(file)).records);
  if (format !== "synthetic") {
    throw new UsageError(`Cannot read --format: expected bbm or synthetic, got "${format}"`);
  }
  return readLabeledJsonl(await Deno.readTextFile(file), file);
}

function num(name: string, text: string, min: number): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < min) {
    throw new UsageError(`Cannot read --${name}: expected a number >= ${min}, got "${text}"`);
  }
  return n;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      format: { type: "string", default: "bbm" },
      k: { type: "string", default: "1,2,4,8" },
      rules: { type: "string", default: "union,intersection,majority,average,at-least-m" },
      m: { type: "string", default: "2" },
      out: { type: "string" },
      "base-url": { type: "string" },
      model: { type: "string" },
      "api-key-env": { type: "string" },
      concurrency: { type: "string", default: "16" },
      "cache-dir": { type: "string" },
      temperature: { type: "string" },
      "timeout-ms": { type: "string", default: "60000" },
      "max-attempts": { type: "string", default: "3" },
      "noise-false-flag": { type: "string", default: "0" },
      "noise-missed-flag": { type: "string", default: "0" },
      seed: { type: "string", default: "0" },
      size: { type: "string", default: "300" },
      "include-reference": { type: "boolean", default: false },
      "repeated-calls": { type: "boolean", default: false },
      "runs-dir": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const seed = num("seed", values.seed, 0);
  const ks = values.k.split(",").map((k) => num("k", k, 1));
  const rules = values.rules.split(",").map((r) => {
    try {
      return parseVoteRule(r.trim());
    } catch (error) {
      throw new UsageError(`--rules: ${(error as Error).message}`);
    }
  });
  const m = num("m", values.m, 1);
  const timeoutMs = num("timeout-ms", values["timeout-ms"], 1);
  const maxAttempts = num("max-attempts", values["max-attempts"], 1);
  const concurrency = num("concurrency", values.concurrency, 1);
  const noise = {
    falseFlagRate: num("noise-false-flag", values["noise-false-flag"], 0),
    missedFlagRate: num("noise-missed-flag", values["noise-missed-flag"], 0),
    seed,
  };
  const items = await readItems(positionals[0], values.format, num("size", values.size, 1), seed);
  const recorded = {
    file: positionals[0] ?? null,
    format: values.format,
    ks,
    rules,
    m,
    noise,
    timeoutMs,
    maxAttempts,
    baseUrl: values["base-url"] ?? "",
    model: values.model ?? "",
  };
  const run = await startRun({
    runsDir: values["runs-dir"] ?? defaultRunsDir(),
    name: "critic-eval",
    kind: "critic-eval",
    task: "critic:eval",
    config: recorded,
    seeds: { noise: seed },
  });
  const server = values["base-url"]
    ? undefined
    : await startReferenceCriticServer({ port: 0, noise });
  try {
    const config: Partial<CriticConfig> = {
      baseUrl: values["base-url"] ?? server!.baseUrl,
      concurrency,
      timeoutMs,
      maxAttempts,
      cacheDir: values["cache-dir"],
      includeReference: values["include-reference"],
      useN: !values["repeated-calls"],
      ...(values.model ? { model: values.model } : {}),
      ...(values["api-key-env"] ? { apiKeyEnv: values["api-key-env"] } : {}),
      ...(values.temperature ? { temperature: num("temperature", values.temperature, 0) } : {}),
    };
    const { results, metrics, skipped } = await evaluateCritic(items, {
      config,
      ks,
      rules,
      m,
      clientOptions: { log: (line) => console.error(line) },
    });
    const fetched = metrics.critiques - metrics.cacheHits;
    if (fetched > 0 && metrics.failedCritiques === fetched) {
      throw new Error(
        `Every critic request failed (${metrics.requests} requests; ${
          formatFailures(metrics.failures)
        }) at ${config.baseUrl}: nothing to score; check the endpoint`,
      );
    }
    console.log(formatEvalTable(results));
    console.log(
      `\n${items.length} responses (${skipped} skipped: step split did not match labels); ` +
        `${metrics.requests} requests, ${metrics.cacheHits} cache hits, ${metrics.retries} retries, ` +
        `${metrics.failedCritiques} failed critiques, failed attempts: ${
          formatFailures(metrics.failures)
        }, ` +
        `${metrics.fallbacks} fallbacks, ${(metrics.wallMs / 1000).toFixed(1)} s`,
    );
    const out = values.out ?? `${run.dir}/critic_eval.json`;
    await writeFileAtomic(out, JSON.stringify({ results, metrics }, null, 2) + "\n");
    await run.addArtifact(out, "table");
    await run.finish({ items: items.length, skipped, results, failures: metrics.failures });
    console.log(run.recordPath);
  } catch (error) {
    await run.fail(error);
    throw error;
  } finally {
    await server?.close();
  }
}

if (import.meta.main) await runCriticCommand("critic:eval", main);
