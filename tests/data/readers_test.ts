import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { loadDataset, readRows, requireString } from "../../lib/data/mod.ts";
import { sha256Hex } from "../../lib/util/mod.ts";
import { withTempDir } from "./_temp.ts";

/** A tiny Parquet file written at test time (no fixture committed). */
function parquetFixture(codec: "SNAPPY" | "GZIP" = "SNAPPY"): Uint8Array<ArrayBuffer> {
  const buffer = parquetWriteBuffer({
    codec,
    compressors: { GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)) },
    columnData: [
      { name: "question", data: ["1+1?", "2*3?", "Sum of 4 and 5?"], type: "STRING" },
      { name: "answer", data: ["2", "6", "9"], type: "STRING" },
      { name: "n", data: [1n, 2n, 9007199254740993n], type: "INT64" },
      { name: "steps", data: [["1+1=2"], ["2*3=6"], ["4+5=9", "so 9"]] },
    ],
  });
  return new Uint8Array(buffer);
}

const adapt = (
  row: Record<string, unknown>,
  ctx: { index: number; name: string; location: string },
) => ({
  id: `${ctx.name}-${ctx.index}`,
  question: requireString(row, "question"),
  answer: requireString(row, "answer"),
  source: { dataset: ctx.name, location: ctx.location, index: ctx.index },
});

Deno.test("readRows reads JSONL with 1-based lines, skipping blank lines", async () => {
  await withTempDir(async (dir) => {
    const text = '{"a":1}\n\n  {"a":2}  \r\n{"a":3}\n';
    await Deno.writeTextFile(`${dir}/x.jsonl`, text);
    const r = await readRows(`${dir}/x.jsonl`);
    assert.equal(r.format, "jsonl");
    assert.deepEqual(r.rows.map((x) => [x.line, x.value.a]), [[1, 1], [3, 2], [4, 3]]);
    assert.equal(r.sha256, await sha256Hex(text));
    assert.deepEqual(r.skipped, []);
  });
});

Deno.test("a malformed JSONL line is a SyntaxError naming file and line, or skipped on request", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/bad.jsonl`;
    await Deno.writeTextFile(path, '{"a":1}\n{"a":2}\n{"a": oops}\n"just text"\n{"a":5}\n');
    await assert.rejects(
      () => readRows(path),
      (e: unknown) => {
        assert.ok(e instanceof SyntaxError);
        assert.match(
          e.message,
          new RegExp(`^Cannot parse line 3 of ${path}: expected a JSON object`),
        );
        return true;
      },
    );
    const r = await readRows(path, { skipBadRows: true });
    assert.deepEqual(r.rows.map((x) => x.line), [1, 2, 5]);
    assert.deepEqual(r.skipped.map((s) => s.line), [3, 4]);
    assert.match(r.skipped[0].reason, /oops/);
    assert.match(r.skipped[1].reason, /expected a JSON object, got "just text"/);
  });
});

Deno.test("readRows reads a JSON array and rejects other JSON with a location", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.json`, '[{"a":1},\n {"a":2}, 7]');
    await assert.rejects(
      () => readRows(`${dir}/a.json`),
      /Cannot parse row 3 of .*a\.json: expected a JSON object, got 7/,
    );
    const r = await readRows(`${dir}/a.json`, { skipBadRows: true });
    assert.deepEqual(r.rows.map((x) => [x.line, x.value.a]), [[1, 1], [2, 2]]);
    assert.deepEqual(r.skipped, [{ line: 3, reason: "expected a JSON object, got 7" }]);
    await Deno.writeTextFile(`${dir}/o.json`, '{"a":1}');
    await assert.rejects(() => readRows(`${dir}/o.json`), /expected a JSON array of objects/);
    await Deno.writeTextFile(`${dir}/broken.json`, '[\n{"a":1},\n{"a":}\n]');
    await assert.rejects(
      () => readRows(`${dir}/broken.json`, { skipBadRows: true }),
      (e: unknown) => e instanceof SyntaxError && /broken\.json/.test(e.message),
    );
  });
});

Deno.test("readRows reads Parquet (snappy and gzip) with int64 as numbers or exact strings", async () => {
  await withTempDir(async (dir) => {
    for (const codec of ["SNAPPY", "GZIP"] as const) {
      const bytes = parquetFixture(codec);
      await Deno.writeFile(`${dir}/t.parquet`, bytes);
      const r = await readRows(`${dir}/t.parquet`);
      assert.equal(r.format, "parquet");
      assert.equal(r.sha256, await sha256Hex(bytes));
      assert.deepEqual(r.rows.map((x) => x.line), [1, 2, 3]);
      assert.deepEqual(r.rows[0].value, { question: "1+1?", answer: "2", n: 1, steps: ["1+1=2"] });
      assert.equal(r.rows[2].value.n, "9007199254740993");
    }
    await Deno.writeTextFile(`${dir}/fake.parquet`, "not parquet at all");
    await assert.rejects(() => readRows(`${dir}/fake.parquet`), SyntaxError);
  });
});

Deno.test("readRows sniffs the format when the name does not tell, and obeys an explicit one", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/blob`, parquetFixture());
    assert.equal((await readRows(`${dir}/blob`)).format, "parquet");
    await Deno.writeTextFile(`${dir}/arr`, '  [{"a":1}]');
    assert.equal((await readRows(`${dir}/arr`)).format, "json");
    await Deno.writeTextFile(`${dir}/lines.txt`, '{"a":1}\n{"a":2}\n');
    assert.equal((await readRows(`${dir}/lines.txt`)).rows.length, 2);
    await Deno.writeTextFile(`${dir}/one.data`, '[{"a":1}]');
    assert.equal((await readRows(`${dir}/one.data`)).format, "json");
    await assert.rejects(
      () => readRows(`${dir}/one.data`, { format: "jsonl" }),
      /line 1 of .*one\.data: expected a JSON object, got \[/,
    );
  });
});

Deno.test("loadDataset reports sha256 and rows, and names a missing field with its line", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/p.jsonl`;
    const text = '{"question":"a","answer":"1"}\n{"question":"b"}\n{"question":"c","answer":3}\n';
    await Deno.writeTextFile(path, text);
    await assert.rejects(
      () => loadDataset(path, adapt, { name: "toy" }),
      (e: unknown) => {
        assert.ok(e instanceof TypeError);
        assert.equal(
          e.message,
          `Cannot read line 2 of ${path}: expected field "answer" to be a string, got no such field`,
        );
        return true;
      },
    );
    const ds = await loadDataset(path, adapt, { name: "toy", skipBadRows: true });
    assert.equal(ds.name, "toy");
    assert.equal(ds.rows, 3);
    assert.equal(ds.sha256, await sha256Hex(text));
    assert.deepEqual(ds.records.map((r) => [r.id, r.answer]), [["toy-0", "1"], ["toy-2", "3"]]);
    assert.equal(ds.skipped.length, 1);
    assert.equal(ds.skipped[0].line, 2);
    assert.match(ds.skipped[0].reason, /"answer"/);
  });
});

Deno.test("loadDataset keeps row indices stable across skipped unparseable lines", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/p.jsonl`;
    await Deno.writeTextFile(
      path,
      '{"question":"a","answer":"1"}\n{oops\n\n{"question":"c","answer":"3"}\n',
    );
    const ds = await loadDataset(path, adapt, { name: "t", skipBadRows: true });
    assert.equal(ds.rows, 3);
    assert.deepEqual(ds.records.map((r) => r.id), ["t-0", "t-2"]);
    assert.deepEqual(ds.skipped.map((s) => s.line), [2]);
  });
});

Deno.test("loadDataset reads Parquet from a local HTTP server through the cache", async () => {
  const bytes = parquetFixture("GZIP");
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    hits++;
    return new Response(bytes);
  });
  await withTempDir(async (dir) => {
    // No extension in the URL path: the Parquet magic decides.
    const url = `http://127.0.0.1:${server.addr.port}/download?file=train`;
    const a = await loadDataset(url, adapt, { name: "pq", cacheDir: dir });
    const b = await loadDataset(url, adapt, { name: "pq", cacheDir: dir });
    assert.equal(hits, 1);
    assert.deepEqual(a, b);
    assert.equal(a.rows, 3);
    assert.equal(a.location, url);
    assert.equal(a.sha256, await sha256Hex(bytes));
    assert.deepEqual(a.records.map((r) => r.question), ["1+1?", "2*3?", "Sum of 4 and 5?"]);
  }).finally(() => server.shutdown());
});
