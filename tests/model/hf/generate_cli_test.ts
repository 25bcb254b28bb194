import assert from "node:assert/strict";
import { expected, FIXTURES } from "./_fixtures.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;

async function generate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}lib/cli/generate.ts`, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("generate --json prints transformers' greedy ids and their log-probs", async () => {
  const ref = await expected("qwen2_chat");
  const { code, stdout } = await generate([
    `--policy.path=${FIXTURES}qwen2_chat`,
    `--prompt-ids=${ref.rows[0].ids.join(",")}`,
    "--max-new-tokens=32",
    "--json",
  ]);
  assert.equal(code, 0);
  const out = JSON.parse(stdout.trim().split("\n").at(-1)!);
  assert.deepEqual(out.prompt_ids, ref.rows[0].ids);
  assert.deepEqual(out.ids, ref.greedy);
  assert.equal(out.log_probs.length, 32);
  assert.ok(out.log_probs.every((x: number) => x < 0));
});

Deno.test("generate --chat renders the chat template and decodes the continuation", async () => {
  const { code, stdout } = await generate([
    `--policy.path=${FIXTURES}qwen2_chat`,
    "--prompt=What is 2+3?",
    "--chat",
    "--max-new-tokens=4",
    "--json",
  ]);
  assert.equal(code, 0);
  const out = JSON.parse(stdout.trim().split("\n").at(-1)!);
  assert.deepEqual(out.prompt_ids.slice(0, 3), [151644, 872, 198]); // <|im_start|>user\n
  assert.deepEqual(out.prompt_ids.slice(-3), [151644, 77091, 198]); // <|im_start|>assistant\n
  assert.equal(typeof out.text, "string");
});

Deno.test("generate fails with one line when the folder has no tokenizer", async () => {
  const { code, stderr } = await generate([`--policy.path=${FIXTURES}llama_f32`, "--prompt=hi"]);
  assert.equal(code, 1);
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], /^generate: Cannot read .*llama_f32\/tokenizer\.json/);
});

Deno.test("generate --policy.path=URL fetches the folder into the cache and gives the folder's greedy ids", async () => {
  const ref = await expected("qwen2_chat");
  const cacheDir = await Deno.makeTempDir({ prefix: "capo-generate-url-" });
  const dir = `${FIXTURES}qwen2_chat`;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const name = new URL(req.url).pathname.split("/").at(-1)!;
    const file = await Deno.readFile(`${dir}/${name}`).catch(() => undefined);
    return file ? new Response(file) : new Response("not found", { status: 404 });
  });
  try {
    const { code, stdout, stderr } = await generate([
      `--policy.path=http://127.0.0.1:${server.addr.port}/qwen2_chat`,
      `--policy.cache-dir=${cacheDir}`,
      `--prompt-ids=${ref.rows[0].ids.join(",")}`,
      "--max-new-tokens=32",
      "--json",
    ]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout.trim().split("\n").at(-1)!).ids, ref.greedy);
  } finally {
    await server.shutdown();
    await Deno.remove(cacheDir, { recursive: true });
  }
});
