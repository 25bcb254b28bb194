/**
 * `deno task critic:serve`: runs the reference critic as an OpenAI-compatible server on 127.0.0.1
 * until interrupted. Point `CriticConfig.baseUrl` (or any OpenAI client) at the printed URL.
 * @module
 */
import { parseArgs } from "node:util";
import { startReferenceCriticServer } from "../critic/reference/mod.ts";

const USAGE =
  `Usage: deno task critic:serve [--port 8917] [--noise-false-flag 0] [--noise-missed-flag 0]
  [--seed 0] [--latency-ms 0] [--model capo-reference-critic]`;

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string", default: "8917" },
      "noise-false-flag": { type: "string", default: "0" },
      "noise-missed-flag": { type: "string", default: "0" },
      seed: { type: "string", default: "0" },
      "latency-ms": { type: "string", default: "0" },
      model: { type: "string", default: "capo-reference-critic" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const num = (name: keyof typeof values) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n)) {
      console.error(`Cannot read --${name}: expected a number, got "${values[name]}"\n${USAGE}`);
      Deno.exit(2);
    }
    return n;
  };
  const server = await startReferenceCriticServer({
    port: num("port"),
    latencyMs: num("latency-ms"),
    model: values.model,
    noise: {
      falseFlagRate: num("noise-false-flag"),
      missedFlagRate: num("noise-missed-flag"),
      seed: num("seed"),
    },
  });
  console.log(`reference critic listening on ${server.baseUrl} (model ${values.model})`);
  Deno.addSignalListener("SIGINT", async () => {
    await server.close();
    console.log(`served ${server.stats.requests} requests, ${server.stats.choices} critiques`);
    Deno.exit(0);
  });
}
