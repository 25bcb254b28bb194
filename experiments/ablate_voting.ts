/**
 * `deno task ablate:voting [--config PATH] [--size N] [--out-dir DIR]`: critic noise × k × vote rule
 * (CAPO §3.2) on the synthetic task's gold step labels, against the reference critic over HTTP.
 * Writes ablate_voting.json and ablate_voting.md into a lineage run folder and checks the expected
 * shape: majority F1 rising with k under independent noise, intersection trading recall for
 * precision, union the reverse.
 * @module
 */
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import type { VoteRule } from "../lib/critic/mod.ts";
import {
  runVotingAblation,
  type VotingAblationGrid,
  type VotingAblationRow,
} from "../lib/eval/mod.ts";
import { defaultRunsDir, startRun } from "../lib/lineage/mod.ts";
import { errorLine, runMain, UsageError } from "../lib/run/mod.ts";
import { writeFileAtomic } from "../lib/util/mod.ts";

function markdownTable(rows: VotingAblationRow[]): string {
  const f = (x: number) => x.toFixed(3);
  return [
    "| false-flag | missed-flag | rule | k | precision | recall | F1 | first-error acc |",
    "|---:|---:|---|---:|---:|---:|---:|---:|",
    ...rows.map((r) =>
      `| ${r.falseFlagRate} | ${r.missedFlagRate} | ${r.rule} | ${r.k} | ${f(r.precision)} | ${
        f(r.recall)
      } | ${f(r.f1)} | ${f(r.first_error_accuracy)} |`
    ),
  ].join("\n");
}

const USAGE = `usage: deno task ablate:voting [--config=FILE] [--size=N] [--runs-dir=DIR]
  scores the critic's labels (noise × k × vote rule) on synthetic traces, without training;
  deno task ablate:voting:train compares trained policies per vote rule`;

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: Deno.args,
      options: {
        config: { type: "string", default: "experiments/configs/ablate_voting.yaml" },
        size: { type: "string" },
        "runs-dir": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError(errorLine(error));
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const text = await Deno.readTextFile(values.config).catch((error) => {
    throw new UsageError(`Cannot read ${values.config}: ${errorLine(error)}`);
  });
  const raw = parseYaml(text) as Record<string, unknown>;
  const grid: VotingAblationGrid = {
    noise: raw.noise as VotingAblationGrid["noise"],
    ks: (raw.ks as number[]) ?? [1, 2, 4, 8],
    rules: (raw.rules as VoteRule[]) ?? ["union", "intersection", "majority", "average"],
    m: (raw.m as number) ?? 2,
  };
  if (!Array.isArray(grid.noise) || grid.noise.length === 0) {
    throw new UsageError(`Cannot read ${values.config}: expected a non-empty "noise" list`);
  }
  const size = Number(values.size ?? raw.size ?? 300);
  if (!(Number.isInteger(size) && size > 0)) {
    throw new UsageError(`Cannot read --size: expected an integer > 0, got "${values.size}"`);
  }
  const seed = Number(raw.seed ?? 0);
  // Recorded in the YAML's own shape, so `deno task reproduce` can hand it back as --config.
  const config = { seed, size, ks: grid.ks, rules: grid.rules, m: grid.m, noise: grid.noise };
  const run = await startRun({
    runsDir: values["runs-dir"] ?? defaultRunsDir(),
    name: "ablate-voting",
    kind: "ablation",
    task: "ablate:voting",
    config,
    seeds: { data: seed, noise: seed },
  });
  const { rows, shape } = await runVotingAblation(grid, { size, seed });
  const json = `${run.dir}/ablate_voting.json`;
  const md = `${run.dir}/ablate_voting.md`;
  await writeFileAtomic(json, JSON.stringify({ config, rows, shape }, null, 2) + "\n");
  const table = markdownTable(rows);
  await writeFileAtomic(md, `# Voting ablation\n\n${table}\n`);
  await run.addArtifact(json, "table");
  await run.addArtifact(md, "table");
  await run.finish({
    majorityRisesWithK: shape.majorityRisesWithK,
    intersectionTradesRecallForPrecision: shape.intersectionTradesRecallForPrecision,
  });
  console.log(table);
  console.log(`\nshape: ${JSON.stringify(shape)}`);
  console.log(run.recordPath);
  return 0;
}

if (import.meta.main) await runMain("ablate:voting", main);
