/**
 * `deno task verify [FILE]`: verifies JSONL rows `{pred, gold, ...}` from FILE (stdin when absent)
 * and writes each row back with `verdict`, `result` and `reason` (issue 2 §3, CLI).
 * @module
 */
import { parseArgs } from "node:util";
import { readLines, verifyJsonl } from "../verify/mod.ts";

const HELP = `Usage: deno task verify [FILE] [options]
Reads JSONL objects with "pred" and "gold" (other fields are passed through) from FILE or stdin and
writes one JSONL line per input: the object plus "verdict" (true only for equal), "result", "reason".
A bad line is written as {"verdict":false,"result":"unverifiable","reason":"bad_input","error":...}
(or stops the run with exit code 1 under --strict).

Options:
  --unordered               compare bare comma lists as multisets
  --percent                 let x, x% and x/100 match
  --inequality-as-interval  let "x > 3" match "(3, \\infty)"
  --assignment-as-value     let "x = 3" match "3"
  --last-number             fall back to the last number when no answer is marked
  --seed N                  seed of the random points for symbolic checks (default 0)
  --pool                    verify in a Worker pool with a per-case time budget
  --pool-size N             workers in the pool (default 2)
  --timeout-ms N            per-case budget in the pool (default 2000)
  --strict                  exit 1 on the first bad line
  -h, --help                show this help`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      unordered: { type: "boolean" },
      percent: { type: "boolean" },
      "inequality-as-interval": { type: "boolean" },
      "assignment-as-value": { type: "boolean" },
      "last-number": { type: "boolean" },
      seed: { type: "string", default: "0" },
      pool: { type: "boolean" },
      "pool-size": { type: "string", default: "2" },
      "timeout-ms": { type: "string", default: "2000" },
      strict: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const file = positionals[0];
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) {
    throw new RangeError(`Cannot verify: expected an integer --seed, got ${values.seed}`);
  }
  let input = Deno.stdin.readable;
  if (file) {
    try {
      input = (await Deno.open(file)).readable;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`Cannot open ${file}: expected a readable JSONL file, got ${why}`);
    }
  }
  const encoder = new TextEncoder();
  const rows = verifyJsonl(readLines(input), {
    unordered: values.unordered,
    percent: values.percent,
    inequalityAsInterval: values["inequality-as-interval"],
    assignmentAsValue: values["assignment-as-value"],
    lastNumber: values["last-number"],
    seed,
    pool: values.pool,
    poolSize: Number(values["pool-size"]),
    timeoutMs: Number(values["timeout-ms"]),
    strict: values.strict,
    source: file ?? "stdin",
  });
  let out = "";
  for await (const row of rows) {
    out += JSON.stringify(row) + "\n";
    if (out.length > 1 << 16) {
      await Deno.stdout.write(encoder.encode(out));
      out = "";
    }
  }
  await Deno.stdout.write(encoder.encode(out));
  return 0;
}

try {
  Deno.exit(await main());
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  Deno.exit(1);
}
