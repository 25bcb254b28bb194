/**
 * `deno task runs`: list lineage records, show one, or diff two (config and summary).
 *
 *   deno task runs [list] [--kind K] [--parent ID] [--json]
 *   deno task runs show ID|PATH [--json]
 *   deno task runs diff ID1 ID2 [--json]
 *
 * The runs folder is `--runs-dir`, else `CAPO_RUNS_DIR`, else `runs`. A `running` record whose
 * process is gone (same host and its pid not alive, or a stale heartbeat) is shown as `died`.
 * @module
 */
import { parseArgs } from "node:util";
import {
  defaultRunsDir,
  diffRuns,
  displayStatus,
  formatDiff,
  formatRun,
  formatRunsTable,
  listRuns,
  loadRun,
  type RunRecord,
} from "../lineage/mod.ts";

const USAGE =
  `usage: deno task runs [list|show ID|diff ID1 ID2] [--runs-dir DIR] [--kind K] [--parent ID] [--json]`;

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    strict: true,
    args,
    allowPositionals: true,
    options: {
      "runs-dir": { type: "string" },
      kind: { type: "string" },
      parent: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const runsDir = values["runs-dir"] ?? defaultRunsDir();
  const [command = "list", ...rest] = positionals;
  const statusOf = (r: RunRecord) => displayStatus(r);
  const print = (text: string, data: unknown) =>
    console.log(values.json ? JSON.stringify(data, null, 2) : text);
  switch (command) {
    case "list": {
      const records = await listRuns(runsDir, { kind: values.kind, parentId: values.parent });
      print(
        formatRunsTable(records, { statusOf }),
        records.map((r) => ({
          id: r.id,
          status: statusOf(r),
          recorded_status: r.status,
          kind: r.kind,
          task: r.task,
          name: r.name,
          summary: r.summary,
        })),
      );
      return 0;
    }
    case "show": {
      if (rest.length !== 1) {
        throw new TypeError(
          `Cannot show a run: expected one ID, got ${rest.length}; see deno task runs --help`,
        );
      }
      const record = await loadRun(rest[0], runsDir);
      print(formatRun(record, { statusOf }), { ...record, display_status: statusOf(record) });
      return 0;
    }
    case "diff": {
      if (rest.length !== 2) {
        throw new TypeError(
          `Cannot diff runs: expected two IDs, got ${rest.length}; see deno task runs --help`,
        );
      }
      const [a, b] = await Promise.all(rest.map((r) => loadRun(r, runsDir)));
      const diff = diffRuns(a, b);
      print(formatDiff(diff, [a.id, b.id]), diff);
      return 0;
    }
    default:
      throw new TypeError(
        `Cannot run "${command}": expected list, show or diff; see deno task runs --help`,
      );
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    // Usage errors (bad flags, unknown runs) exit 2; an unreadable record exits 1.
    const message = (error as Error).message;
    console.error(message);
    Deno.exit(error instanceof TypeError || /^Cannot find run/.test(message) ? 2 : 1);
  }
}
