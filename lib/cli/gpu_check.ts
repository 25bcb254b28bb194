/**
 * `deno task gpu:check`: when tfjs-node-gpu starts on a CUDA GPU, runs the hf parity tests and the
 * hf bench on it; otherwise says clearly that there is none and why (exit 0: nothing to check).
 * @module
 */
import { parseArgs } from "node:util";
import { chooseBackend } from "../model/mod.ts";
import { runMain } from "../run/command.ts";
import { benchHf } from "../model/hf/bench.ts";

const USAGE = `usage: deno task gpu:check
  runs the hf parity tests and the hf bench on tfjs-node-gpu when a CUDA GPU is present; otherwise
  says why not (exit 0)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { help: { type: "boolean", short: "h", default: false } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let detail: string;
  try {
    const info = await chooseBackend("tensorflow-gpu");
    detail = info.detail ?? "";
  } catch (error) {
    console.log(
      `No CUDA GPU backend: ${(error as Error).message.split("\n")[0]}. Nothing to check.`,
    );
    return 0;
  }
  console.log(`tensorflow-gpu started (${detail}); running the hf parity tests on it`);
  const root = new URL("../../", import.meta.url).pathname;
  const test = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--no-check=remote", "tests/model/hf/"],
    cwd: root,
    env: { CAPO_HF_BACKEND: "tensorflow-gpu" },
  }).output();
  await Deno.stdout.write(test.stdout);
  await Deno.stderr.write(test.stderr);
  console.log(JSON.stringify(await benchHf({ backend: "tensorflow-gpu" }), null, 2));
  return test.code;
}

if (import.meta.main) await runMain("gpu:check", main);
