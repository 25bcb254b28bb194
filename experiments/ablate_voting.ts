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
import { startRun } from "../lib/lineage/mod.ts";
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

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      config: { type: "string", default: "experiments/configs/ablate_voting.yaml" },
      size: { type: "string" },
      "out-dir": { type: "string" },
    },
  });
  const raw = parseYaml(await Deno.readTextFile(values.config)) as Record<string, unknown>;
  const grid: VotingAblationGrid = {
    noise: raw.noise as VotingAblationGrid["noise"],
    ks: (raw.ks as number[]) ?? [1, 2, 4, 8],
    rules: (raw.rules as VoteRule[]) ?? ["union", "intersection", "majority", "average"],
    m: (raw.m as number) ?? 2,
  };
  if (!Array.isArray(grid.noise) || grid.noise.length === 0) {
    throw new SyntaxError(`Cannot read ${values.config}: expected a non-empty "noise" list`);
  }
  const size = Number(values.size ?? raw.size ?? 300);
  const seed = Number(raw.seed ?? 0);
  const config = { grid, size, seed };
  const run = await startRun({
    runsDir: values["out-dir"] ?? Deno.env.get("CAPO_RUNS_DIR") ?? "runs",
    name: "ablate-voting",
    kind: "ablation",
    config,
    command: ["deno", "task", "ablate:voting", ...Deno.args],
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
  console.log(`\nshape: ${JSON.stringify(shape)}\nwrote ${json} and ${md}`);
}
