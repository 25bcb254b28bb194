/**
 * `deno task reproduce runs/<id>`: re-runs a recorded run through its known task (`deno task
 * <task>`) with its recorded config written to a temporary file, and reports whether the summary
 * matches. A record is data: an unknown task, a missing task or a config that is not an object is
 * refused and nothing runs. Exit code 0 when it matches, 1 when it does not, 2 when the record is
 * refused or the arguments are wrong. The new record's path is the last line of output.
 *
 *   deno task reproduce RUN [--runs-dir DIR] [--tolerance 1e-9] [--timeout-s S] [--quiet]
 * @module
 */
import { parseArgs } from "node:util";
import { defaultRunsDir, KNOWN_TASKS, reproduceRun, RunRecordError } from "../lineage/mod.ts";

const USAGE =
  `usage: deno task reproduce RUN_ID|runs/<id> [--runs-dir DIR] [--tolerance X] [--timeout-s S] [--quiet]
Re-runs the recorded task (one of ${KNOWN_TASKS.join(", ")}) with the recorded config.`;

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      "runs-dir": { type: "string" },
      tolerance: { type: "string", default: "1e-9" },
      "timeout-s": { type: "string", default: "0" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new TypeError(
      `Cannot reproduce: expected one run id or path, got ${positionals.length}; see deno task reproduce --help`,
    );
  }
  const tolerance = Number(values.tolerance);
  if (!(tolerance >= 0)) {
    throw new TypeError(`Cannot reproduce: expected --tolerance >= 0, got ${values.tolerance}`);
  }
  const timeoutS = Number(values["timeout-s"]);
  if (!(timeoutS >= 0)) {
    throw new TypeError(`Cannot reproduce: expected --timeout-s >= 0, got ${values["timeout-s"]}`);
  }
  const result = await reproduceRun(positionals[0], {
    runsDir: values["runs-dir"] ?? (positionals[0].includes("/") ? undefined : defaultRunsDir()),
    tolerance,
    timeoutMs: timeoutS * 1000,
    onOutput: values.quiet ? undefined : (line) => console.error(`  | ${line}`),
  });
  console.log(`original    ${result.original.id} (${result.original.status})`);
  console.log(`task        ${result.task} → exit ${result.exitCode}`);
  console.log(
    `reproduced  ${result.reproduced?.id ?? "none"} (${result.reproduced?.status ?? "—"})`,
  );
  console.log(`config      ${result.configMatches ? "same sha256" : "DIFFERS"}`);
  if (result.mismatches.length === 0) console.log("summary     matches");
  for (const m of result.mismatches) {
    console.log(
      `summary     ${m.key}: recorded ${JSON.stringify(m.expected)}, now ${
        JSON.stringify(m.actual)
      }`,
    );
  }
  console.log(result.matches ? "REPRODUCED" : "NOT REPRODUCED");
  if (result.recordPath) console.log(result.recordPath);
  return result.matches ? 0 : 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    const message = (error as Error).message;
    console.error(message);
    const usage = error instanceof TypeError || error instanceof RunRecordError ||
      /^Cannot find run/.test(message);
    Deno.exit(usage ? 2 : 1);
  }
}
