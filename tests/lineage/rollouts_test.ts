import assert from "node:assert/strict";
import { createRolloutWriter, readRollouts } from "../../lib/lineage/mod.ts";
import { withTempDir } from "../data/_temp.ts";

const rows = (it: number, n: number) =>
  Array.from(
    { length: n },
    (_, i) => ({ iteration: it, index: i, response: "3 + 4 = 7\n\n7 * 2 = 14" }),
  );

Deno.test("a gzip rollout dump reads back every row written, across writers", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/run/rollouts.jsonl.gz`;
    const dump = await createRolloutWriter(path);
    await Promise.all([dump.write(1, rows(1, 50)), dump.write(2, rows(2, 50))]);
    await dump.write(3, []);
    assert.equal(dump.rows, 100);
    const again = await createRolloutWriter(path); // a resumed writer appends
    await again.write(3, rows(3, 10));
    const back = await readRollouts(path);
    assert.equal(back.tornTail, false);
    assert.deepEqual(back.rows, [...rows(1, 50), ...rows(2, 50), ...rows(3, 10)]);
    const bytes = await Deno.readFile(path);
    assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b]);
    assert.equal(again.bytes, bytes.length);
    // Repetitive text compresses: far below the JSONL size.
    const plain = [...rows(1, 50), ...rows(2, 50), ...rows(3, 10)].map((r) =>
      JSON.stringify(r) + "\n"
    );
    assert.ok(bytes.length < plain.join("").length / 4, `${bytes.length} bytes`);
  });
});

Deno.test("a rollout dump stops at maxBytes and counts the rows it dropped", async () => {
  await withTempDir(async (dir) => {
    const dump = await createRolloutWriter(`${dir}/r.jsonl`, { compress: false, maxBytes: 100 });
    await dump.write(1, rows(1, 2)); // ~150 bytes: written, then the cap is reached
    await dump.write(2, rows(2, 3));
    assert.equal(dump.rows, 2);
    assert.equal(dump.droppedRows, 3);
    assert.equal((await readRollouts(`${dir}/r.jsonl`)).rows.length, 2);
    await assert.rejects(
      () => createRolloutWriter(`${dir}/x`, { maxBytes: 0 }),
      /expected maxBytes > 0, got 0/,
    );
  });
});

Deno.test("readRollouts keeps the rows before a torn tail and names a bad line", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/r.jsonl.gz`;
    const dump = await createRolloutWriter(path);
    await dump.write(1, rows(1, 200));
    await dump.write(2, rows(2, 200));
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.slice(0, bytes.length - 40)); // killed mid-write
    const back = await readRollouts(path);
    assert.ok(back.rows.length >= 200 && back.rows.length < 400, `${back.rows.length}`);
    assert.deepEqual(back.rows.slice(0, 200), rows(1, 200));
    await Deno.writeTextFile(`${dir}/bad.jsonl`, '{"a":1}\n[1]\n');
    await assert.rejects(
      () => readRollouts(`${dir}/bad.jsonl`),
      /Cannot parse line 2 of .*bad\.jsonl: expected a JSON object, got "\[1\]"/,
    );
  });
});
