/**
 * `deno task train`: one RL run through the runner (`runArm`) from a YAML config with dotted
 * overrides; the record path is the last line printed. `--resume runs/<id>` continues an
 * interrupted run from its last checkpoint, with the config its record holds (overrides allowed),
 * into a new run whose lineage names the old one.
 * @module
 */
import { TRAIN_CONFIG_SCHEMA } from "../config/mod.ts";
import { errorLine, parseCommand, runArm, runMain, UsageError } from "../run/mod.ts";

const USAGE = `usage: deno task train [--config=FILE] [--key.path=value ...] [--resume=runs/<id>]
  [--runs-dir=DIR] [--parent-id=ID]
One RL run (CAPO by default) with the defaults of docs/config.md, e.g.
  deno task train --config=experiments/configs/gsm8k.yaml --task.source=PATH --rl.iterations=2
  deno task train --critic.baseUrl=http://127.0.0.1:8000/v1 --critic.model=qwen2.5-7b`;

/**
 * The train command.
 *
 * @param args Command-line arguments.
 * @returns The exit code.
 */
export async function trainCommand(args: string[]): Promise<number> {
  const resume = args.find((a) => a.startsWith("--resume"));
  let rest = args;
  let resumeFrom: string | undefined;
  if (resume) {
    const i = args.indexOf(resume);
    resumeFrom = resume.includes("=") ? resume.slice(resume.indexOf("=") + 1) : args[i + 1];
    if (!resumeFrom) {
      throw new UsageError("Cannot resume: expected --resume=runs/<id>, got nothing");
    }
    resumeFrom = resumeFrom.replace(/\/+$/, "").replace(/\/run\.json$/, "");
    rest = args.filter((_, j) => j !== i && !(j === i + 1 && !resume.includes("=")));
    if (!(await Deno.stat(`${resumeFrom}/run.json`).catch(() => undefined))?.isFile) {
      throw new UsageError(
        `Cannot resume from ${resumeFrom}: expected a run folder holding run.json, got none`,
      );
    }
    if (!rest.some((a) => a.startsWith("--config"))) {
      rest = [`--config=${resumeFrom}/run.json`, ...rest];
    }
  }
  const parsed = await parseCommand({
    task: "train",
    schema: TRAIN_CONFIG_SCHEMA,
    usage: USAGE,
    flags: { "parent-id": { type: "string" } },
  }, rest);
  if (parsed === "help") return 0;
  const result = await runArm(parsed.config, {
    runsDir: parsed.runsDir,
    progress: (line) => console.error(line),
    resumeFrom,
    ...(typeof parsed.flags["parent-id"] === "string"
      ? { parentId: parsed.flags["parent-id"], kind: "arm" }
      : {}),
  }).catch((error) => {
    throw new Error(errorLine(error), { cause: error });
  });
  console.log(JSON.stringify({ before: result.before, after: result.after }));
  console.log(result.recordPath);
  return 0;
}

if (import.meta.main) await runMain("train", () => trainCommand(Deno.args));
