/**
 * `deno task reproduce runs/<id>`: re-runs a recorded run from its lineage command (or, with
 * `--replay-config`, from its recorded config) and reports whether the summary matches.
 * Exit code 0 when it matches, 1 when it does not, 2 on usage errors. The new record's path is the
 * last line of output.
 *
 *   deno task reproduce RUN [--runs-dir DIR] [--tolerance 1e-9] [--replay-config] [--quiet]
 * @module
 */
import { parseArgs } from "node:util";
import { defaultRunsDir, reproduceRun } from "../lineage/mod.ts";

const USAGE =
  "usage: deno task reproduce RUN_ID|runs/<id> [--runs-dir DIR] [--tolerance X] [--replay-config] [--quiet]";

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      "runs-dir": { type: "string" },
      tolerance: { type: "string", default: "1e-9" },
      "replay-config": { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const tolerance = Number(values.tolerance);
  if (!(tolerance >= 0)) {
    throw new RangeError(`Cannot reproduce: expected --tolerance >= 0, got ${values.tolerance}`);
  }
  const result = await reproduceRun(positionals[0], {
    runsDir: values["runs-dir"] ?? defaultRunsDir(),
    tolerance,
    replayConfig: values["replay-config"],
    onOutput: values.quiet ? undefined : (line) => console.error(`  | ${line}`),
  });
  console.log(`original    ${result.original.id} (${result.original.status})`);
  console.log(`command     ${result.command.join(" ")} → exit ${result.exitCode}`);
  console.log(
    `reproduced  ${result.reproduced?.id ?? "none"} (${result.reproduced?.status ?? "—"})`,
  );
  console.log(
    `config      ${
      result.configMatches
        ? "same sha256"
        : "DIFFERS (config file edited since? try --replay-config)"
    }`,
  );
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
    console.error((error as Error).message);
    Deno.exit(2);
  }
}
