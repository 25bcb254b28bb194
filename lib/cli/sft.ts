/**
 * `deno task sft`: trains the built-in policy from scratch on synthetic SFT traces with planted
 * flaws, evaluates it greedily, and writes the checkpoint (how data/sft was made) through the SFT
 * runner; the record path is the last line printed.
 * @module
 */
import { SFT_CONFIG_SCHEMA } from "../config/mod.ts";
import { parseCommand, runMain } from "../run/command.ts";
import { runSft } from "../run/sft.ts";

const USAGE = `usage: deno task sft [--config=FILE] [--key.path=value ...] [--runs-dir=DIR]
  e.g. --out=/tmp/sft --sft.steps=1100 --traces.luckyRate=0.6 --backend=tensorflow
  (keys and defaults: docs/config.md, section "SFT")`;

/**
 * The sft command.
 *
 * @param args Command-line arguments.
 * @returns The exit code.
 */
export async function sftCommand(args: string[]): Promise<number> {
  const parsed = await parseCommand({ task: "sft", schema: SFT_CONFIG_SCHEMA, usage: USAGE }, args);
  if (parsed === "help") return 0;
  const { summary, recordPath } = await runSft(parsed.config, {
    runsDir: parsed.runsDir,
    progress: (line) => console.error(line),
  });
  console.log(JSON.stringify(summary));
  console.log(recordPath);
  return 0;
}

if (import.meta.main) await runMain("sft", () => sftCommand(Deno.args));
