/**
 * `deno task critic:eval FILE`: scores a critic against step labels — step-level precision, recall,
 * F1 of the voted wrong set and first-error accuracy, per vote rule and k. By default it starts the
 * reference critic itself; `--base-url` points it at any OpenAI-compatible endpoint instead.
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
import { writeFileAtomic } from "../util/mod.ts";

const USAGE = `Usage: deno task critic:eval [FILE] [--format bbm|synthetic] [--k 1,2,4,8]
  [--rules union,intersection,majority,average,at-least-m] [--m 2] [--out PATH]
  [--base-url URL --model NAME --api-key-env VAR] [--concurrency 16] [--cache-dir DIR]
  [--temperature 0.7] [--include-reference] [--repeated-calls (k requests instead of n = k)]
  [--noise-false-flag 0 --noise-missed-flag 0 --seed 0] [--size 300]
FILE: BIG-Bench-Mistake JSONL (bbm), or synthetic JSONL with question/response/step_labels;
without FILE and with --format synthetic, seeded synthetic SFT traces are generated (--size).`;

async function readItems(file: string | undefined, format: string, size: number, seed: number) {
  if (!file) {
    if (format !== "synthetic") throw new TypeError(`Cannot evaluate: expected FILE\n${USAGE}`);
    return syntheticAblationItems(size, seed);
  }
  if (format === "bbm") return bigBenchMistakeItems((await loadBigBenchMistake(file)).records);
  if (format !== "synthetic") {
    throw new RangeError(`Cannot read --format: expected bbm or synthetic, got "${format}"`);
  }
  return readLabeledJsonl(await Deno.readTextFile(file), file);
}

if (import.meta.main) {
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
      "noise-false-flag": { type: "string", default: "0" },
      "noise-missed-flag": { type: "string", default: "0" },
      seed: { type: "string", default: "0" },
      size: { type: "string", default: "300" },
      "include-reference": { type: "boolean", default: false },
      "repeated-calls": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const seed = Number(values.seed);
  const items = await readItems(positionals[0], values.format, Number(values.size), seed);
  const ks = values.k.split(",").map(Number);
  const rules = values.rules.split(",").map((r) => parseVoteRule(r.trim()));
  const server = values["base-url"] ? undefined : await startReferenceCriticServer({
    port: 0,
    noise: {
      falseFlagRate: Number(values["noise-false-flag"]),
      missedFlagRate: Number(values["noise-missed-flag"]),
      seed,
    },
  });
  try {
    const config: Partial<CriticConfig> = {
      baseUrl: values["base-url"] ?? server!.baseUrl,
      concurrency: Number(values.concurrency),
      cacheDir: values["cache-dir"],
      includeReference: values["include-reference"],
      useN: !values["repeated-calls"],
      ...(values.model ? { model: values.model } : {}),
      ...(values["api-key-env"] ? { apiKeyEnv: values["api-key-env"] } : {}),
      ...(values.temperature ? { temperature: Number(values.temperature) } : {}),
    };
    const { results, metrics, skipped } = await evaluateCritic(items, {
      config,
      ks,
      rules,
      m: Number(values.m),
      clientOptions: { log: (line) => console.error(line) },
    });
    console.log(formatEvalTable(results));
    console.log(
      `\n${items.length} responses (${skipped} skipped: step split did not match labels); ` +
        `${metrics.requests} requests, ${metrics.cacheHits} cache hits, ${metrics.retries} retries, ` +
        `${metrics.failedCritiques} failed critiques, failed attempts: ${
          formatFailures(metrics.failures)
        }, ` +
        `${metrics.fallbacks} fallbacks, ${(metrics.wallMs / 1000).toFixed(1)} s`,
    );
    if (values.out) {
      await writeFileAtomic(values.out, JSON.stringify({ results }, null, 2) + "\n");
      console.log(`wrote ${values.out}`);
    }
  } finally {
    await server?.close();
  }
}
