/**
 * `deno task critic:serve`: runs the reference critic as an OpenAI-compatible server on 127.0.0.1
 * until interrupted (Ctrl-C or SIGTERM). Point `critic.baseUrl` (or any OpenAI client) at the printed
 * URL. A port in use is one line and exit 1; a bad argument one line and exit 2.
 * @module
 */
import { parseArgs } from "node:util";
import { startReferenceCriticServer } from "../critic/reference/mod.ts";
import { runCriticCommand, UsageError } from "./_critic_cli.ts";

const USAGE =
  `Usage: deno task critic:serve [--port 8917 (0 = any free port)] [--noise-false-flag 0]
  [--noise-missed-flag 0] [--seed 0] [--latency-ms 0] [--model capo-reference-critic]
Serves the reference critic at http://127.0.0.1:PORT/v1 until Ctrl-C.`;

async function main(): Promise<void> {
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
    return;
  }
  const num = (name: keyof typeof values) => {
    const text = String(values[name]);
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n < 0) {
      throw new UsageError(`Cannot read --${name}: expected a number >= 0, got "${text}"`);
    }
    return n;
  };
  const port = num("port");
  if (!Number.isInteger(port) || port > 65535) {
    throw new UsageError(`Cannot read --port: expected an integer in [0, 65535], got ${port}`);
  }
  let server;
  try {
    server = await startReferenceCriticServer({
      port,
      latencyMs: num("latency-ms"),
      model: values.model,
      noise: {
        falseFlagRate: num("noise-false-flag"),
        missedFlagRate: num("noise-missed-flag"),
        seed: num("seed"),
      },
    });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Error(
        `Cannot listen on 127.0.0.1:${port}: the port is in use; stop the other server or pick another with --port (0 = any free port)`,
      );
    }
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  console.log(`reference critic listening on ${server.baseUrl} (model ${values.model})`);
  const stop = async () => {
    await server.close();
    console.log(`served ${server.stats.requests} requests, ${server.stats.choices} critiques`);
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}

if (import.meta.main) await runCriticCommand("critic:serve", main);
