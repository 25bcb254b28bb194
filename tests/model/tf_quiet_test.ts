// Tests that starting a backend (lib/model/tf.ts) prints nothing, measured in a subprocess: tfjs's
// start-up banner and notices, and Deno's per-package "Initialize" lines on a first run.
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const decoder = new TextDecoder();

/** A script that starts each backend and runs a tensor op on it, then prints one line. */
function startScript(backends: string[]): string {
  return `import { chooseBackend, tf } from "file://${root}/lib/model/mod.ts";
for (const name of ${JSON.stringify(backends)}) {
  await chooseBackend(name);
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const y = tf.matMul(x, x);
  await y.data();
  tf.dispose([x, y]);
}
console.log("started");
`;
}

async function runQuietly(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

Deno.test("starting the cpu and wasm backends and running a tensor op prints nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "capo-quiet-" });
  try {
    await Deno.writeTextFile(`${dir}/start.ts`, startScript(["wasm", "cpu"]));
    const out = await runQuietly(["run", "-A", "--config", `${root}/deno.json`, "start.ts"], dir);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, "started\n");
    assert.equal(out.stderr, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a first run with an empty node_modules prints nothing under the tasks' flags", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${root}/deno.json`));
  const loud = Object.entries(config.tasks as Record<string, string>)
    .filter(([, command]) => /\bdeno (run|test|eval)\b/.test(command))
    .filter(([, command]) => !/\bdeno (run|test|eval) (-q|--quiet)\b/.test(command))
    .map(([name]) => name);
  assert.deepEqual(loud, [], `tasks without -q print Deno's install lines on a first run`);

  // A copy of the configuration gets its own empty node_modules folder, as a fresh clone has.
  const dir = await Deno.makeTempDir({ prefix: "capo-first-run-" });
  try {
    await Deno.copyFile(`${root}/deno.json`, `${dir}/deno.json`);
    await Deno.copyFile(`${root}/deno.lock`, `${dir}/deno.lock`);
    await Deno.writeTextFile(`${dir}/start.ts`, startScript(["wasm"]));
    const out = await runQuietly(["run", "-q", "-A", "start.ts"], dir);
    assert.equal(out.code, 0, out.stderr);
    assert.ok(await Deno.stat(`${dir}/node_modules`), "the run populated a fresh node_modules");
    assert.equal(out.stdout, "started\n");
    assert.equal(out.stderr, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
