/**
 * `deno task gpu:check`: when tfjs-node-gpu starts on a CUDA GPU, runs the hf parity tests and the
 * hf bench on it; otherwise says clearly that there is none and why (exit 0: nothing to check).
 * @module
 */
import { chooseBackend } from "../model/mod.ts";
import { benchHf } from "../model/hf/bench.ts";

async function main(): Promise<number> {
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

try {
  Deno.exit(await main());
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  Deno.exit(1);
}
