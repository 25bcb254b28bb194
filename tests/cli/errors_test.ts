// Every task's command line: a bad argument is one line on stderr (what, and where to look) with
// exit code 2 and no stack trace; `--help` prints a usage line and exits 0.
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const TASKS: Record<string, string> = JSON.parse(
  await Deno.readTextFile(`${ROOT}deno.json`),
).tasks;

/** The script a deno.json task runs (`deno run ... path.ts`), or undefined for other tasks. */
function scriptOf(task: string): string | undefined {
  return /\bdeno run\b.*?\s((?:lib|experiments)\/\S+\.ts)/.exec(TASKS[task])?.[1];
}

const CLI_TASKS = Object.keys(TASKS).filter((t) => scriptOf(t));

async function run(script: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", CAPO_RUNS_DIR: await Deno.makeTempDir({ prefix: "capo-cli-" }) },
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b).trim();
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("every command-line task is covered", () => {
  for (const task of ["train", "demo", "bench", "sft", "runs", "reproduce", "ablate:voting"]) {
    assert.ok(CLI_TASKS.includes(task), task);
  }
});

for (const task of CLI_TASKS) {
  Deno.test(`deno task ${task}: a bad argument is one line, exit 2, no stack trace`, async () => {
    const { code, stderr } = await run(scriptOf(task)!, ["--no-such-option-xyz"]);
    assert.equal(code, 2, stderr);
    assert.equal(stderr.split("\n").length, 1, stderr);
    assert.match(stderr, /no-such-option-xyz/);
    assert.doesNotMatch(stderr, /^\s+at |Uncaught|Stack backtrace/m);
  });
  Deno.test(`deno task ${task} --help prints its usage and exits 0`, async () => {
    const { code, stdout } = await run(scriptOf(task)!, ["--help"]);
    assert.equal(code, 0);
    assert.match(stdout, /usage/i);
  });
}
