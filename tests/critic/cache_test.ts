import assert from "node:assert/strict";
import { CritiqueCache, type CritiqueCacheKey } from "../../lib/critic/mod.ts";
import { hashJson } from "../../lib/util/mod.ts";

const key: CritiqueCacheKey = {
  model: "m",
  templateSha256: "t",
  problem: "7+5",
  response: "7+5=12",
  reference: null,
  separator: "\n\n",
  sampling: { temperature: 0.7, maxTokens: 64, seed: 0 },
  critiqueIndex: 0,
};

Deno.test("the critique cache stores one file per key and misses on any key change", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cache = new CritiqueCache(dir);
    assert.deepEqual(await cache.get(key), { status: "miss" });
    await cache.put(key, "Wrong steps: []");
    assert.deepEqual(await cache.get(key), { status: "hit", text: "Wrong steps: []" });
    for (
      const other of [
        { ...key, critiqueIndex: 1 },
        { ...key, templateSha256: "t2" },
        { ...key, sampling: { ...key.sampling, temperature: 1 } },
        { ...key, response: "7+5=13" },
      ]
    ) {
      assert.deepEqual(await cache.get(other), { status: "miss" });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("corrupt cache entries are reported, not trusted", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cache = new CritiqueCache(dir);
    await cache.put(key, "Wrong steps: [0]");
    const hash = await hashJson(key);
    const path = `${dir}/${hash.slice(0, 2)}/${hash}.json`;
    const text = await Deno.readTextFile(path);
    await Deno.writeTextFile(path, text.slice(0, text.length / 2));
    assert.equal((await cache.get(key)).status, "corrupt");
    await Deno.writeTextFile(path, text.replace("Wrong steps: [0]", "Wrong steps: [1]"));
    assert.deepEqual(await cache.get(key), { status: "corrupt", reason: "text hash mismatch" });
    await Deno.writeTextFile(path, text.replace(hash, "0".repeat(64)));
    assert.deepEqual(await cache.get(key), { status: "corrupt", reason: "key hash mismatch" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
