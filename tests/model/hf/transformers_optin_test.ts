// Opt-in (CAPO_PYTHON_TESTS=1, needs python3 with torch and transformers): fresh random checkpoints
// of each architecture saved by transformers, not the committed fixtures, give transformers'
// greedy ids through `deno task generate --json`.
import assert from "node:assert/strict";

const ROOT = new URL("../../../", import.meta.url).pathname;
const enabled = Deno.env.get("CAPO_PYTHON_TESTS") === "1";

for (const [arch, seed] of [["llama", 1], ["qwen2", 2], ["qwen3", 3]] as const) {
  Deno.test({
    name: `generate --json gives transformers' greedy ids on a fresh ${arch} checkpoint`,
    ignore: !enabled,
    fn: async () => {
      const dir = await Deno.makeTempDir();
      try {
        const made = await new Deno.Command("python3", {
          args: [
            `${ROOT}tests/fixtures/hf/make_fixtures.py`,
            `--random-checkpoint=${dir}`,
            `--arch=${arch}`,
            `--seed=${seed}`,
          ],
          stderr: "piped",
        }).output();
        assert.equal(made.code, 0, new TextDecoder().decode(made.stderr).slice(-500));
        const ref = JSON.parse(await Deno.readTextFile(`${dir}/generate_expected.json`));
        const out = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            `${ROOT}lib/cli/generate.ts`,
            `--policy.path=${dir}`,
            `--prompt-ids=${ref.prompt.join(",")}`,
            "--max-new-tokens=32",
            "--json",
          ],
          stdout: "piped",
        }).output();
        const got = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
        assert.deepEqual(got.ids, ref.greedy);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
