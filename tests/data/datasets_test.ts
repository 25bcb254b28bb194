import assert from "node:assert/strict";
import { parquetWriteBuffer } from "hyparquet-writer";
import {
  generateSyntheticTask,
  lastBoxed,
  loadBigBenchMistake,
  loadGsm8k,
  loadGsm8kModelSolutions,
  loadMath,
  loadSyntheticProblems,
  stripCalculatorNotes,
} from "../../lib/data/mod.ts";
import { sha256Hex } from "../../lib/util/mod.ts";
import { withTempDir } from "./_temp.ts";
import { hasSharedData, sharedDataPath } from "../_shared_data.ts";

// The shared offline copies (see ../shared/data/README.md); only tests refer to them, and they are
// ignored with a one-line reason where the copies are absent.
const DATA = sharedDataPath("");

Deno.test({
  name: "GSM8K loads 1319 problems with #### gold, no calculator notes, and its sha256",
  ignore: !hasSharedData("gsm8k/test.jsonl"),
}, async () => {
  const path = `${DATA}gsm8k/test.jsonl`;
  const ds = await loadGsm8k(path);
  assert.equal(ds.name, "gsm8k");
  assert.equal(ds.rows, 1319);
  assert.equal(ds.records.length, 1319);
  assert.equal(ds.sha256, await sha256Hex(await Deno.readFile(path)));
  const first = ds.records[0];
  assert.equal(first.id, "gsm8k-0");
  assert.equal(first.answer, "18");
  assert.match(first.question, /^Janet’s ducks lay 16 eggs per day/);
  assert.deepEqual(first.steps, [
    "Janet sells 16 - 3 - 4 = 9 duck eggs a day.",
    "She makes 9 * 2 = $18 every day at the farmer’s market.",
    "#### 18",
  ]);
  assert.equal(first.solution, first.steps!.join("\n"));
  assert.deepEqual(first.source, { dataset: "gsm8k", location: path, index: 0 });
  for (const r of ds.records) {
    assert.match(r.answer, /^-?\d+(\.\d+)?$/, r.id);
    assert.ok(!r.solution!.includes("<<"), r.id);
  }
  const big = ds.records.find((r) => r.meta?.rawAnswer === "1,450,000");
  assert.equal(big?.answer, "1450000");
});

Deno.test("GSM8K rows without #### or a field fail naming the field and line", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/g.jsonl`;
    await Deno.writeTextFile(
      path,
      [
        JSON.stringify({ question: "q0", answer: "2+2=<<2+2=4>>4\n#### 4" }),
        JSON.stringify({ question: "q1", answer: "no final line" }),
        JSON.stringify({ answer: "#### 3" }),
      ].join("\n"),
    );
    await assert.rejects(
      () => loadGsm8k(path),
      /^TypeError: Cannot read line 2 of .*g\.jsonl: expected field "answer" to end with a "#### N" line/,
    );
    const ds = await loadGsm8k(path, { skipBadRows: true, name: "mini" });
    assert.equal(ds.rows, 3);
    assert.deepEqual(ds.records.map((r) => [r.id, r.answer, r.solution]), [
      ["mini-0", "4", "2+2=4\n#### 4"],
    ]);
    assert.deepEqual(ds.skipped.map((s) => s.line), [2, 3]);
    assert.match(ds.skipped[1].reason, /field "question"/);
  });
});

Deno.test({
  name: "MATH-500 loads 500 problems with subject, level and unique ids",
  ignore: !hasSharedData("math500/test.jsonl"),
}, async () => {
  const ds = await loadMath(`${DATA}math500/test.jsonl`, { name: "math500" });
  assert.equal(ds.rows, 500);
  // The README's pinned hash of the prm800k LFS object.
  assert.equal(ds.sha256, "35dc41080a3680858b27fa7e0533d2d547825316fc5dafe5d316f4ccc5a06132");
  const levels = [1, 2, 3, 4, 5].map((l) => ds.records.filter((r) => r.meta?.level === l).length);
  assert.deepEqual(levels, [43, 90, 105, 128, 134]);
  assert.equal(new Set(ds.records.map((r) => r.meta?.subject)).size, 7);
  assert.equal(new Set(ds.records.map((r) => r.id)).size, 500);
  assert.equal(ds.records[0].id, "test/precalculus/807.json");
  assert.equal(ds.records[0].answer, "\\left( 3, \\frac{\\pi}{2} \\right)");
  assert.equal(ds.records[0].source.dataset, "math500");
});

Deno.test("MATH rows without an answer field take the last boxed answer", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/math.json`;
    await Deno.writeTextFile(
      path,
      JSON.stringify([
        {
          problem: "p",
          solution: "First $\\boxed{1}$, then $\\boxed{\\frac{3}{4}}$.",
          level: "Level 3",
          type: "Algebra",
        },
        { problem: "q", solution: "no box" },
      ]),
    );
    await assert.rejects(() => loadMath(path), /row 2 of .*math\.json: expected field "answer"/);
    const ds = await loadMath(path, { skipBadRows: true });
    assert.equal(ds.records[0].answer, "\\frac{3}{4}");
    assert.deepEqual(ds.records[0].meta, { subject: "Algebra", level: 3 });
    assert.equal(ds.records[0].id, "math-0");
    assert.deepEqual(ds.skipped.map((s) => s.line), [2]);
  });
});

Deno.test({
  name: "GSM8K model solutions load one record per solution with the published counts",
  ignore: !hasSharedData("gsm8k/example_model_solutions.jsonl"),
}, async () => {
  const ds = await loadGsm8kModelSolutions(`${DATA}gsm8k/example_model_solutions.jsonl`);
  assert.equal(ds.rows, 1319);
  assert.equal(ds.records.length, 4 * 1319);
  const correct: Record<string, number> = {};
  for (const r of ds.records) {
    const model = r.meta!.model as string;
    correct[model] = (correct[model] ?? 0) + (r.meta!.isCorrect ? 1 : 0);
  }
  assert.deepEqual(correct, {
    "6b_finetuning": 286,
    "6b_verification": 515,
    "175b_finetuning": 458,
    "175b_verification": 742,
  });
  const r = ds.records.find((x) => x.id === "gsm8k-model-solutions-0-175b_verification")!;
  assert.equal(r.answer, "18");
  assert.equal(r.meta!.predictedAnswer, "18");
  assert.equal(r.meta!.isCorrect, true);
  assert.equal(r.steps!.length, 4);
  assert.equal(r.steps!.at(-1), "A: 18");
  assert.ok(!r.solution!.includes("<<"));
  // The model's own final line agrees with the published correctness on every solution.
  const disagree = ds.records.filter((x) =>
    (x.meta!.predictedAnswer === x.answer) !== x.meta!.isCorrect
  );
  assert.equal(disagree.length, 0);
  const one = await loadGsm8kModelSolutions(`${DATA}gsm8k/example_model_solutions.jsonl`, {
    models: ["6b_finetuning"],
  });
  assert.equal(one.records.length, 1319);
});

Deno.test({
  name: "BIG-Bench-Mistake step labels: before true, at false, after null, none all true",
  ignore: !hasSharedData("big-bench-mistake/multistep_arithmetic.jsonl"),
}, async () => {
  const ds = await loadBigBenchMistake(`${DATA}big-bench-mistake/multistep_arithmetic.jsonl`);
  assert.equal(ds.rows, 300);
  assert.equal(ds.records.filter((r) => r.stepLabels!.includes(false)).length, 238);
  const first = ds.records[0];
  assert.equal(first.answer, "-2116");
  assert.equal(first.meta!.traceAnswer, "1244");
  assert.equal(first.meta!.mistakeIndex, 3);
  assert.deepEqual(first.stepLabels, [true, true, true, false, null]);
  assert.equal(first.steps!.length, 5);
  for (const r of ds.records) {
    assert.equal(r.stepLabels!.length, r.steps!.length);
    if (r.meta!.mistakeIndex === null) assert.ok(r.stepLabels!.every((l) => l === true));
  }
});

Deno.test("BIG-Bench-Mistake rejects a bad mistake_index and reads Parquet with list columns", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/b.jsonl`;
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        input: "1+1",
        steps: ["a", "b"],
        answer: "2",
        target: "2",
        mistake_index: 2,
      }),
    );
    await assert.rejects(
      () => loadBigBenchMistake(path),
      /line 1 of .*b\.jsonl: expected field "mistake_index" to be null or an integer in \[0, 2\), got 2/,
    );
    const pq = parquetWriteBuffer({
      columnData: [
        { name: "input", data: ["1+2*3 =", "4-1 ="], type: "STRING" },
        { name: "steps", data: [["2*3=6", "1+6=8", "So 8"], ["4-1=3"]] },
        { name: "answer", data: ["8", "3"], type: "STRING" },
        { name: "target", data: ["7", "3"], type: "STRING" },
        { name: "mistake_index", data: [1n, null], type: "INT64" },
      ],
    });
    await Deno.writeFile(`${dir}/b.parquet`, new Uint8Array(pq));
    const ds = await loadBigBenchMistake(`${dir}/b.parquet`);
    assert.deepEqual(ds.records.map((r) => r.stepLabels), [[true, false, null], [true]]);
    assert.deepEqual(ds.records.map((r) => r.answer), ["7", "3"]);
  });
});

Deno.test("stripCalculatorNotes and lastBoxed", () => {
  assert.equal(stripCalculatorNotes("48/2 = <<48/2=24>>24 and <<1+1=2>>2"), "48/2 = 24 and 2");
  assert.equal(lastBoxed("a \\boxed{1} b \\boxed{x^{2}+\\frac{1}{2}} c"), "x^{2}+\\frac{1}{2}");
  assert.equal(lastBoxed("\\fbox{7}"), "7");
  assert.equal(lastBoxed("\\boxed{unclosed"), null);
  assert.equal(lastBoxed("nothing"), null);
});

Deno.test("saved synthetic splits load back identical, and a wrong stored answer is caught", async () => {
  await withTempDir(async (dir) => {
    const { test } = generateSyntheticTask({ seed: 3, trainSize: 0, validSize: 0, testSize: 30 });
    const path = `${dir}/test.jsonl`;
    await Deno.writeTextFile(path, test.map((p) => JSON.stringify(p)).join("\n") + "\n");
    const ds = await loadSyntheticProblems(path);
    assert.equal(ds.rows, 30);
    assert.deepEqual(
      ds.records.map((r) => ({ ...r, source: test[0].source })),
      test.map((p) => ({ ...p, source: test[0].source })),
    );
    assert.deepEqual(ds.records[4].source, { dataset: "synthetic", location: path, index: 4 });
    await Deno.writeTextFile(path, '{"question":"2+3","answer":"6"}\n{"question":"2/3"}\n');
    await assert.rejects(
      () => loadSyntheticProblems(path),
      /line 1 of .*: expected field "answer" to be 5 \(the value of 2\+3\), got "6"/,
    );
    const skipped = await loadSyntheticProblems(path, { skipBadRows: true });
    assert.deepEqual(skipped.skipped.map((s) => s.line), [1, 2]);
    assert.match(skipped.skipped[1].reason, /field "question"/);
  });
});
