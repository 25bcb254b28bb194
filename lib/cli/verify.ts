/**
 * `deno task verify [FILE]`: verifies JSONL rows `{pred, gold, ...}` from FILE (stdin when absent)
 * and writes each row back with `verdict`, `result` and `reason`.
 * @module
 */
import { parseArgs } from "node:util";
import { runMain, UsageError } from "../run/command.ts";
import { MAX_RELATIVE_TOLERANCE, readLines, verifyJsonl } from "../verify/mod.ts";

const HELP = `Usage: deno task verify [FILE] [options]
Reads JSONL objects with "pred" and "gold" (other fields are passed through) from FILE or stdin and
writes one JSONL line per input: the object plus "verdict" (true only for equal), "result", "reason".
A bad line is written as {"verdict":false,"result":"unverifiable","reason":"bad_input","error":...}
(or stops the run with exit code 1 under --strict).

Options:
  --unordered               compare bare comma lists as multisets
  --percent                 let x, x% and x/100 match
  --signed-variables        judge roots and logs for variables of either sign (sqrt(x^2) is not x)
  --relative-tolerance X    let constants written with a decimal point match within X (e.g. 1e-4)
  --no-inequality-as-interval  do not let "x > 3" match "(3, \\infty)" (on by default)
  --no-assignment-as-value  do not let "x = 3" or "\\sqrt{4} = 2" match "3" / "2" (on by default)
  --no-last-math            no fallback to the last $...$ or \\[...\\] when no answer is marked
  --no-last-number          no fallback to the last number when no answer or maths is found
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
      "signed-variables": { type: "boolean" },
      "relative-tolerance": { type: "string", default: "0" },
      "no-inequality-as-interval": { type: "boolean" },
      "no-assignment-as-value": { type: "boolean" },
      "no-last-math": { type: "boolean" },
      "no-last-number": { type: "boolean" },
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
  const relativeTolerance = Number(values["relative-tolerance"]);
  if (!(relativeTolerance >= 0 && relativeTolerance <= MAX_RELATIVE_TOLERANCE)) {
    throw new UsageError(
      `Cannot verify: expected --relative-tolerance in [0, ${MAX_RELATIVE_TOLERANCE}], got ${
        values["relative-tolerance"]
      }`,
    );
  }
  if (!Number.isInteger(seed)) {
    throw new UsageError(`Cannot verify: expected an integer --seed, got ${values.seed}`);
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
    signedVariables: values["signed-variables"],
    relativeTolerance,
    inequalityAsInterval: values["no-inequality-as-interval"] ? false : undefined,
    assignmentAsValue: values["no-assignment-as-value"] ? false : undefined,
    lastNumber: values["no-last-number"] ? false : undefined,
    lastMath: values["no-last-math"] ? false : undefined,
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

if (import.meta.main) await runMain("verify", main);
