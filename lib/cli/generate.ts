/**
 * `deno task generate --policy.path=DIR --prompt=TEXT`: prints a Hugging Face checkpoint's
 * continuation of a prompt (greedy by default), or with `--json` one object with the prompt ids,
 * the generated ids and their log-probs.
 * @module
 */
import { parseArgs } from "node:util";
import { type BackendName, chooseBackend } from "../model/mod.ts";
import { generateFromCheckpoint } from "../model/hf/mod.ts";
import { runMain } from "../run/command.ts";
import { isRemote } from "../data/mod.ts";
import { fetchPolicyFolder } from "../run/policy.ts";

const HELP =
  `Usage: deno task generate --policy.path=DIR (--prompt=TEXT | --prompt-ids=1,2,3) [options]
Loads a Llama / Qwen2 / Qwen3 checkpoint folder (config.json, safetensors, tokenizer.json) and
prints the continuation of the prompt; stops at the eos ids of generation_config.json.

Options:
  --policy.path DIR|URL   checkpoint folder, or the http(s) URL of one (fetched once, cached)
  --policy.cache-dir DIR  where a URL's files are cached (default .cache/capo/models)
  --policy.adapter DIR    PEFT LoRA adapter folder to apply
  --prompt TEXT           prompt text
  --prompt-ids LIST       comma-separated prompt ids instead of text (no tokenizer needed)
  --chat                  render the prompt through the model's chat template (one user message)
  --max-new-tokens N      most tokens to generate (default 64)
  --temperature T         0 is greedy (default 0)
  --top-p P               nucleus mass (default 1)
  --top-k K               0 is no limit (default 0)
  --seed S                sampling seed (default 0)
  --backend NAME          auto, tensorflow, wasm, cpu, ... (default cpu)
  --json                  print {"prompt_ids", "ids", "log_probs", "text"} as one JSON object
  -h, --help              show this help`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      "policy.path": { type: "string" },
      "policy.adapter": { type: "string" },
      "policy.cache-dir": { type: "string" },
      prompt: { type: "string" },
      "prompt-ids": { type: "string" },
      chat: { type: "boolean" },
      "max-new-tokens": { type: "string", default: "64" },
      temperature: { type: "string", default: "0" },
      "top-p": { type: "string", default: "1" },
      "top-k": { type: "string", default: "0" },
      seed: { type: "string", default: "0" },
      backend: { type: "string", default: "cpu" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const dir = values["policy.path"];
  if (!dir || (values.prompt === undefined && values["prompt-ids"] === undefined)) {
    throw new RangeError(
      "Cannot generate: expected --policy.path=DIR and --prompt=TEXT (or --prompt-ids); see --help",
    );
  }
  const num = (key: keyof typeof values): number => {
    const n = Number(values[key]);
    if (!Number.isFinite(n)) {
      throw new RangeError(`Cannot generate: expected a number for --${key}, got ${values[key]}`);
    }
    return n;
  };
  const promptIds = values["prompt-ids"]?.split(",").map((s) => Number(s.trim()));
  await chooseBackend(values.backend as BackendName);
  const folder = isRemote(dir)
    ? (await fetchPolicyFolder(dir, "hf", {
      ...(values["policy.cache-dir"] ? { cacheDir: values["policy.cache-dir"] } : {}),
    })).dir
    : dir;
  const out = await generateFromCheckpoint(folder, values.prompt ?? "", {
    chat: values.chat ?? false,
    ...(promptIds ? { promptIds } : {}),
    ...(values["policy.adapter"] ? { adapter: values["policy.adapter"] } : {}),
    maxNewTokens: num("max-new-tokens"),
    temperature: num("temperature"),
    topP: num("top-p"),
    topK: num("top-k"),
    seed: num("seed"),
  });
  if (values.json) {
    console.log(JSON.stringify({
      prompt_ids: out.promptIds,
      ids: out.ids,
      log_probs: out.logProbs,
      ...(out.text !== undefined ? { text: out.text } : {}),
    }));
  } else console.log(out.text ?? out.ids.join(","));
  return 0;
}

if (import.meta.main) await runMain("generate", main);
