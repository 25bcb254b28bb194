/**
 * `deno task docs:config [--check]`: writes docs/config.md from the config schemas, or with
 * `--check` exits 1 when the file differs from what the schemas give (run by `deno task check`).
 * @module
 */
import { configReference } from "../config/reference.ts";
import { runMain, UsageError } from "../run/command.ts";

const PATH = new URL("../../docs/config.md", import.meta.url);

if (import.meta.main) {
  await runMain("docs:config", async () => {
    if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
      console.log("usage: deno task docs:config [--check]  (writes or checks docs/config.md)");
      return 0;
    }
    const check = Deno.args.includes("--check");
    const unknown = Deno.args.filter((a) => a !== "--check");
    if (unknown.length > 0) throw new UsageError(`Unknown option ${unknown[0]}`);
    const want = configReference();
    if (check) {
      const have = await Deno.readTextFile(PATH).catch(() => "");
      if (have !== want) {
        console.error("docs/config.md is stale: run `deno task docs:config` and commit it");
        return 1;
      }
      return 0;
    }
    await Deno.writeTextFile(PATH, want);
    console.log("docs/config.md");
    return 0;
  });
}
