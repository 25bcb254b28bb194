/**
 * The configuration reference (docs/config.md), generated from the experiment schemas so that it
 * cannot drift from the code: one table per section of a training run, then the keys only the demo,
 * the ablations and the bench have. `deno task docs:config` writes it; `deno task check` fails when
 * the file is stale.
 * @module
 */
import {
  ABLATION_CONFIG_SCHEMA,
  BENCH_CONFIG_SCHEMA,
  DEMO_CONFIG_SCHEMA,
  SFT_CONFIG_SCHEMA,
  TRAIN_CONFIG_SCHEMA,
} from "./experiments.ts";
import { describeSchema, type Schema } from "./schema.ts";

function table(schema: Schema<unknown>, prefix: string): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  const rows = describeSchema(schema, prefix).map((r) =>
    `| \`${r.key}\` | ${esc(r.type)} | \`${esc(r.default)}\` | ${esc(r.doc)} |`
  );
  return ["| key | type | default | meaning |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

function extras(schema: Schema<unknown>, base: Schema<unknown>): [string, Schema<unknown>][] {
  return Object.entries(schema.fields ?? {}).filter(([k, f]) => base.fields?.[k] !== f);
}

/**
 * The markdown text of docs/config.md.
 *
 * @returns The reference page.
 * @example
 * ```ts
 * await Deno.writeTextFile("docs/config.md", configReference());
 * ```
 */
export function configReference(): string {
  const out = [
    "# Configuration reference",
    "",
    "Generated from the schemas in `lib/` by `deno task docs:config`; `deno task check` fails when",
    "this page is stale. Every key can be set in a YAML file (`--config=FILE`) or on the command line",
    "as a dotted override (`--rl.iterations=10`, `--critic.baseUrl=http://127.0.0.1:8000/v1`).",
    "",
    "## A training run (`deno task train`; also the base of the demo and the ablations)",
    "",
  ];
  for (const [key, field] of Object.entries(TRAIN_CONFIG_SCHEMA.fields ?? {})) {
    out.push(`### \`${key}\`${field.doc ? ` — ${field.doc}` : ""}`, "", table(field, key), "");
  }
  for (
    const [title, schema] of [
      ["The demo (`deno task demo`): keys besides a training run's", DEMO_CONFIG_SCHEMA],
      ["Ablations (`deno task ablate:*`): keys besides a training run's", ABLATION_CONFIG_SCHEMA],
    ] as const
  ) {
    out.push(`## ${title}`, "");
    for (const [key, field] of extras(schema, TRAIN_CONFIG_SCHEMA)) {
      out.push(table(field, key), "");
    }
  }
  out.push("## The bench (`deno task bench`)", "", table(BENCH_CONFIG_SCHEMA, ""), "");
  out.push("## SFT (`deno task sft`)", "", table(SFT_CONFIG_SCHEMA, ""), "");
  return out.join("\n");
}
