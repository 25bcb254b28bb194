/** Tests of `verifyJsonl` (lib/verify/jsonl.ts) and the `deno task verify` CLI (lib/cli/verify.ts). */
import assert from "node:assert/strict";
import { readLines, verifyJsonl } from "../../lib/verify/mod.ts";

async function collect(lines: string[], options = {}) {
  const out: Record<string, unknown>[] = [];
  for await (const row of verifyJsonl(lines, options)) out.push(row);
  return out;
}

Deno.test("verifyJsonl adds verdict, result and reason and passes other fields through", async () => {
  const rows = await collect([
    JSON.stringify({ id: "a", pred: "\\boxed{4}", gold: "4", extra: [1] }),
    "",
    JSON.stringify({ id: "b", pred: "x^2=16", gold: "4" }),
  ]);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0], {
    id: "a",
    pred: "\\boxed{4}",
    gold: "4",
    extra: [1],
    verdict: true,
    result: "equal",
    reason: "identical",
  });
  assert.equal(rows[1].verdict, false);
  assert.equal(rows[1].reason, "equation_vs_value");
});

Deno.test("verifyJsonl writes bad_input rows naming the line, or throws under strict", async () => {
  const lines = ['{"pred":"1","gold":"1"}', "not json", '{"pred":1}', "[1,2]"];
  const rows = await collect(lines, { source: "in.jsonl" });
  assert.deepEqual(rows.map((r) => r.reason), ["identical", "bad_input", "bad_input", "bad_input"]);
  assert.match(String(rows[1].error), /line 2 of in\.jsonl/);
  assert.match(String(rows[2].error), /line 3 of in\.jsonl: expected string field "gold"/);
  await assert.rejects(
    () => collect(lines, { strict: true, source: "in.jsonl" }),
    /line 2 of in\.jsonl/,
  );
});

Deno.test("verifyJsonl honours per-call options and the pool", async () => {
  const lines = [JSON.stringify({ pred: "3, 1, 2", gold: "1, 2, 3" })];
  assert.equal((await collect(lines))[0].result, "not_equal");
  assert.equal((await collect(lines, { unordered: true }))[0].result, "equal");
  const pooled = await collect(lines, {
    unordered: true,
    pool: true,
    poolSize: 1,
    timeoutMs: 5000,
  });
  assert.equal(pooled[0].result, "equal");
});

Deno.test("readLines splits a byte stream on LF and CRLF", async () => {
  const stream = ReadableStream.from([new TextEncoder().encode("a\r\nb\nc")]);
  const lines: string[] = [];
  for await (const l of readLines(stream)) lines.push(l);
  assert.deepEqual(lines, ["a", "b", "c"]);
});

Deno.test("deno task verify reads JSONL on stdin and writes one line per input", async () => {
  const cli = new URL("../../lib/cli/verify.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-write", "--allow-env", cli, "--percent"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(
    '{"pred":"The answer is 50.","gold":"0.5","k":1}\n{"pred":"(1,0)","gold":"1,000"}\nbad\n',
  ));
  await writer.close();
  const { code, stdout } = await child.output();
  assert.equal(code, 0);
  const rows = new TextDecoder().decode(stdout).trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(rows.length, 3);
  assert.deepEqual([rows[0].verdict, rows[0].result, rows[0].k], [true, "equal", 1]);
  assert.equal(rows[1].verdict, false);
  assert.equal(rows[2].reason, "bad_input");
});
