/**
 * `deno task credit:serve`: the CAPO credit service on 127.0.0.1 until interrupted. By default it
 * starts the reference critic in process; `--critic.baseUrl` points it at any OpenAI-compatible
 * critic (vLLM, SGLang, Ollama, OpenAI) instead. Schema: docs/credit.md.
 * @module
 */
import { parseArgs } from "node:util";
import { CriticClient, type CriticConfig, parseVoteRule } from "../critic/mod.ts";
import { type ReferenceCriticServer, startReferenceCriticServer } from "../critic/reference/mod.ts";
import { startCreditServer } from "../credit/mod.ts";

const USAGE = `Usage: deno task credit:serve [--port 8930] [--host 127.0.0.1] [--token-env NAME]
  [--w-whole 2] [--w-process 1] [--k 4] [--vote-rule majority] [--vote-m 2] [--include-reference]
  [--critic.baseUrl URL --critic.model NAME --critic.apiKeyEnv NAME] [--critic.cacheDir DIR]
  [--noise-false-flag 0] [--noise-missed-flag 0] [--seed 0] [--max-body-bytes 16777216]`;

function fail(message: string): never {
  console.error(`${message} (see: deno task credit:serve --help)`);
  Deno.exit(2);
}

if (import.meta.main) {
  let parsed;
  try {
    parsed = parseArgs({
      args: Deno.args,
      options: {
        port: { type: "string", default: "8930" },
        host: { type: "string", default: "127.0.0.1" },
        "token-env": { type: "string" },
        "w-whole": { type: "string", default: "2" },
        "w-process": { type: "string", default: "1" },
        k: { type: "string", default: "4" },
        "vote-rule": { type: "string", default: "majority" },
        "vote-m": { type: "string", default: "2" },
        "include-reference": { type: "boolean", default: false },
        "critic.baseUrl": { type: "string" },
        "critic.model": { type: "string" },
        "critic.apiKeyEnv": { type: "string" },
        "critic.cacheDir": { type: "string" },
        "noise-false-flag": { type: "string", default: "0" },
        "noise-missed-flag": { type: "string", default: "0" },
        seed: { type: "string", default: "0" },
        "max-body-bytes": { type: "string", default: String(16 * 1024 * 1024) },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    fail(`Cannot read the arguments: ${(error as Error).message}`);
  }
  const values = parsed.values;
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const num = (name: keyof typeof values) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n)) {
      fail(`Cannot read --${name}: expected a number, got "${values[name]}"`);
    }
    return n;
  };
  let voteRule;
  try {
    voteRule = parseVoteRule(values["vote-rule"] as string);
  } catch (error) {
    fail((error as Error).message);
  }
  const seed = num("seed");
  let reference: ReferenceCriticServer | undefined;
  const baseUrl = values["critic.baseUrl"] ?? (reference = await startReferenceCriticServer({
    port: 0,
    noise: {
      falseFlagRate: num("noise-false-flag"),
      missedFlagRate: num("noise-missed-flag"),
      seed,
    },
  })).baseUrl;
  const critic: Partial<CriticConfig> = {
    baseUrl,
    k: num("k"),
    voteRule,
    voteM: num("vote-m"),
    includeReference: values["include-reference"],
    seed,
    ...(values["critic.model"] ? { model: values["critic.model"] } : {}),
    ...(values["critic.apiKeyEnv"] ? { apiKeyEnv: values["critic.apiKeyEnv"] } : {}),
    ...(values["critic.cacheDir"] ? { cacheDir: values["critic.cacheDir"] } : {}),
  };
  try {
    const client = new CriticClient(critic, { seed, log: (line) => console.error(line) });
    const server = await startCreditServer({
      critique: async (requests) => (await client.critiqueBatch(requests)).outcomes,
    }, {
      hostname: values.host,
      port: num("port"),
      tokenEnv: values["token-env"],
      wWhole: num("w-whole"),
      wProcess: num("w-process"),
      k: client.config.k,
      voteRule: client.config.voteRule,
      includeReference: client.config.includeReference,
      maxBodyBytes: num("max-body-bytes"),
      log: (line) => console.error(line),
    });
    console.log(
      `credit service listening on ${server.url}/v1/credit (critic ${baseUrl}, k ${client.config.k}, ${client.config.voteRule} vote, W_whole ${
        num("w-whole")
      }, W_process ${num("w-process")}${values["token-env"] ? ", bearer token required" : ""})`,
    );
    const stop = async () => {
      await server.close();
      await reference?.close();
      console.log(`scored ${server.stats.items} items in ${server.stats.batches} batches`);
      Deno.exit(0);
    };
    Deno.addSignalListener("SIGINT", stop);
    Deno.addSignalListener("SIGTERM", stop);
  } catch (error) {
    await reference?.close();
    console.error(`Cannot start the credit service: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
