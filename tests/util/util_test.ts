import assert from "node:assert/strict";
import {
  canonicalJson,
  createRng,
  hashJson,
  readTextIfExists,
  sha256Hex,
  writeFileAtomic,
} from "../../lib/util/mod.ts";

Deno.test("sha256Hex matches the published digest of abc", async () => {
  assert.equal(
    await sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("canonicalJson sorts keys at every depth and rejects non-finite numbers", async () => {
  assert.equal(
    canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }], u: undefined }),
    '{"a":[2,{"c":4,"d":3}],"b":1}',
  );
  assert.equal(await hashJson({ x: 1, y: 2 }), await hashJson({ y: 2, x: 1 }));
  assert.throws(() => canonicalJson({ a: { b: NaN } }), /\$\.a\.b/);
});

Deno.test("writeFileAtomic leaves no temporary file and readTextIfExists reads it back", async () => {
  const dir = await Deno.makeTempDir();
  await writeFileAtomic(`${dir}/sub/x.json`, "{}");
  assert.equal(await readTextIfExists(`${dir}/sub/x.json`), "{}");
  assert.equal(await readTextIfExists(`${dir}/missing`), undefined);
  const names = [...Deno.readDirSync(`${dir}/sub`)].map((e) => e.name);
  assert.deepEqual(names, ["x.json"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("createRng replays from a seed and resumes from a saved state", () => {
  const a = createRng(42), b = createRng(42);
  const drawsA = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(drawsA, Array.from({ length: 5 }, () => b.next()));
  const saved = a.state;
  const rest = Array.from({ length: 3 }, () => a.int(100));
  const resumed = createRng(0, { state: saved });
  assert.deepEqual(Array.from({ length: 3 }, () => resumed.int(100)), rest);
  assert.notEqual(createRng(42).fork("x").next(), createRng(42).fork("y").next());
  const mean = Array.from({ length: 4000 }, () => a.normal()).reduce((s, v) => s + v, 0) / 4000;
  assert.ok(Math.abs(mean) < 0.1, `normal mean ${mean}`);
});
