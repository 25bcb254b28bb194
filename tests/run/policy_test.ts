// `policy.path` as an http(s) URL: a fixture folder served on 127.0.0.1 is fetched through lib/data's
// download cache into a folder of links, opens to the same logits as the local folder, is recorded
// in lineage by URL and sha256, and is fetched once (the cache is reused and verified after).
import assert from "node:assert/strict";
import { resolveSchema } from "../../lib/config/schema.ts";
import { POLICY_SECTION_SCHEMA } from "../../lib/config/experiments.ts";
import { chooseBackend, tf } from "../../lib/model/mod.ts";
import { loadHfPolicy } from "../../lib/model/hf/mod.ts";
import { fetchPolicyFolder, openPolicy, policyInputs } from "../../lib/run/mod.ts";
import { sha256Hex } from "../../lib/util/mod.ts";

const HF = new URL("../fixtures/hf/", import.meta.url).pathname;

/** Serves files by URL path from a map of path → local file, counting requests per path. */
function serve(files: Record<string, string>) {
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    hits.push(path);
    const file = files[path];
    return file === undefined
      ? new Response("not found", { status: 404 })
      : new Response(await Deno.readFile(file));
  });
  return { base: `http://127.0.0.1:${server.addr.port}`, hits, close: () => server.shutdown() };
}

async function logits(policy: { logits(ids: tf.Tensor2D): tf.Tensor3D }): Promise<Float32Array> {
  const ids = tf.tensor2d([[1, 2, 3, 4, 5]], undefined, "int32") as tf.Tensor2D;
  const out = tf.tidy(() => policy.logits(ids));
  const data = await out.data() as Float32Array;
  tf.dispose([ids, out]);
  return data;
}

Deno.test("policy.path as a URL: fetched once into the cache, opened like the folder, recorded by URL and sha256", async () => {
  await chooseBackend("cpu");
  const cacheDir = await Deno.makeTempDir({ prefix: "capo-policy-url-" });
  const names = [
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
  ];
  const server = serve(
    Object.fromEntries(names.map((n) => [`/models/qwen2_chat/${n}`, `${HF}qwen2_chat/${n}`])),
  );
  try {
    const url = `${server.base}/models/qwen2_chat/`;
    const section = resolveSchema(POLICY_SECTION_SCHEMA, {
      kind: "hf",
      path: url,
      cacheDir,
      blockSize: 64,
      lora: { rank: 2 },
    });
    const inputs = await policyInputs(section);
    assert.deepEqual(inputs.map((i) => i.location), [
      `${url}config.json`,
      `${url}tokenizer.json`,
      `${url}tokenizer_config.json`,
      `${url}generation_config.json`,
      `${url}model.safetensors`,
    ]);
    for (const input of inputs) {
      const name = input.location.slice(url.length);
      assert.equal(input.sha256, await sha256Hex(await Deno.readFile(`${HF}qwen2_chat/${name}`)));
    }
    // Five files and the shard index, looked for and absent: a 404 on an optional file is no error.
    const requests = server.hits.length;
    assert.equal(requests, 6);
    const opened = await openPolicy(section);
    assert.equal(server.hits.length - requests, 1, "only the absent index is asked for again");
    assert.equal(opened.kind, "hf");
    assert.ok(opened.dir.startsWith(cacheDir));
    const local = await loadHfPolicy(`${HF}qwen2_chat`, { blockSize: 64, lora: { rank: 2 } });
    assert.deepEqual(await logits(opened.policy), await logits(local));
    const direct = await openPolicy({ ...section, path: `${HF}qwen2_chat` });
    assert.deepEqual(
      opened.tokenizer?.encodePrompt("What is 2+3?", { chat: true }),
      direct.tokenizer?.encodePrompt("What is 2+3?", { chat: true }),
    );
    assert.deepEqual(opened.tokenizer?.eosIds, direct.tokenizer?.eosIds);
    direct.policy.dispose();
    opened.policy.dispose();
    local.dispose();
  } finally {
    await server.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("a sharded folder URL fetches the index and every shard it names; a missing file is one line", async () => {
  await chooseBackend("cpu");
  const cacheDir = await Deno.makeTempDir({ prefix: "capo-policy-url-" });
  const dir = `${HF}qwen2_bf16_sharded`;
  const files: Record<string, string> = {};
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.name !== "expected.json") files[`/m/${entry.name}`] = `${dir}/${entry.name}`;
  }
  // No tokenizer_config.json nor generation_config.json: both optional.
  delete files["/m/generation_config.json"];
  files["/m/tokenizer.json"] = `${HF}qwen2_chat/tokenizer.json`;
  const server = serve(files);
  try {
    const fetched = await fetchPolicyFolder(`${server.base}/m`, "hf", { cacheDir });
    assert.deepEqual(fetched.files.map((f) => f.name), [
      "config.json",
      "tokenizer.json",
      "model.safetensors.index.json",
      "model-00001-of-00002.safetensors",
      "model-00002-of-00002.safetensors",
    ]);
    const remote = await loadHfPolicy(fetched.dir);
    const local = await loadHfPolicy(dir);
    assert.deepEqual(await logits(remote), await logits(local));
    remote.dispose();
    local.dispose();
    delete files["/m/tokenizer.json"];
    await assert.rejects(
      () => fetchPolicyFolder(`${server.base}/m`, "hf", { cacheDir: `${cacheDir}/empty` }),
      /^Error: Cannot fetch the policy folder http:\/\/127\.0\.0\.1:\d+\/m: Cannot download .*\/m\/tokenizer\.json: expected HTTP status 2xx, got 404 Not Found; check policy\.path$/,
    );
  } finally {
    await server.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("a shard index naming a file outside the folder is refused", async () => {
  const cacheDir = await Deno.makeTempDir({ prefix: "capo-policy-url-" });
  const tmp = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${tmp}/index.json`,
    JSON.stringify({ weight_map: { w: "../x.safetensors" } }),
  );
  const server = serve({
    "/m/config.json": `${HF}qwen2_f32/config.json`,
    "/m/tokenizer.json": `${HF}qwen2_chat/tokenizer.json`,
    "/m/model.safetensors.index.json": `${tmp}/index.json`,
  });
  try {
    await assert.rejects(
      () => fetchPolicyFolder(`${server.base}/m`, "hf", { cacheDir }),
      /Cannot read .*model\.safetensors\.index\.json: expected a weight_map of plain \*\.safetensors file names, got "\.\.\/x\.safetensors"/,
    );
  } finally {
    await server.close();
    await Deno.remove(cacheDir, { recursive: true });
    await Deno.remove(tmp, { recursive: true });
  }
});
