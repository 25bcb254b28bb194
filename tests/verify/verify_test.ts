/** Table-driven tests of `verifyAnswer` (tests/verify/_table.ts) plus GSM8K golds. */
import assert from "node:assert/strict";
import { verifyAnswer } from "../../lib/verify/mod.ts";
import { TABLE } from "./_table.ts";
import { hasSharedData, sharedDataPath } from "../_shared_data.ts";

Deno.test("the verifier table has at least 300 cases, at least 30% negative", () => {
  assert.ok(TABLE.length >= 300, `only ${TABLE.length} cases`);
  const negative = TABLE.filter((c) => c[2] !== "equal").length;
  assert.ok(negative / TABLE.length >= 0.3, `only ${negative} negative cases`);
});

Deno.test("verifyAnswer matches every table case", () => {
  const failures: string[] = [];
  for (const [pred, gold, expected, options] of TABLE) {
    const r = verifyAnswer(pred, gold, options ?? {});
    if (r.result !== expected) {
      failures.push(
        `${JSON.stringify(pred)} vs ${JSON.stringify(gold)}: expected ${expected}, got ` +
          `${r.result} (${r.reason}; ${r.pred.normalized} | ${r.gold.normalized})`,
      );
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("verifyAnswer results carry extracted and normalized forms for audit", () => {
  const r = verifyAnswer("So the answer is $\\boxed{\\dfrac{6}{8}}$.", "#### 0.75");
  assert.equal(r.result, "equal");
  assert.equal(r.pred.extracted, "\\dfrac{6}{8}");
  assert.equal(r.pred.normalized, "3/4");
  assert.equal(r.gold.extracted, "0.75");
  assert.equal(r.gold.normalized, "3/4");
  const bad = verifyAnswer("5", "\\frac{1}{");
  assert.equal(bad.result, "unverifiable");
  assert.equal(bad.reason, "gold_unparseable");
  assert.equal(bad.gold.normalized, null);
});

Deno.test("verifyAnswer reports missing and truncated predictions as not_equal with a reason", () => {
  assert.equal(verifyAnswer("I am not sure.", "5").reason, "no_answer");
  assert.equal(verifyAnswer("so \\boxed{\\frac{1}{2", "5").reason, "truncated");
  assert.equal(verifyAnswer("", "5").result, "not_equal");
});

Deno.test("verifyAnswer symbolic checks replay from the seed", () => {
  for (const seed of [0, 1, 99]) {
    assert.equal(verifyAnswer("(x+1)^3", "x^3+3x^2+3x+1", { seed }).result, "equal");
    assert.equal(verifyAnswer("(x+1)^3", "x^3+3x^2+3x+2", { seed }).result, "not_equal");
  }
});

Deno.test({
  name: "verifyAnswer agrees with GSM8K '#### N' golds in varied forms and rejects wrong ones",
  ignore: !hasSharedData("gsm8k/test.jsonl"),
}, () => {
  const lines = Deno.readTextFileSync(sharedDataPath("gsm8k/test.jsonl"))
    .trim().split("\n").slice(0, 400);
  let checked = 0;
  for (const line of lines) {
    const { answer } = JSON.parse(line) as { answer: string };
    const n = /#### (.*)$/.exec(answer)![1].replace(/,/g, "").trim();
    const v = BigInt(n);
    const grouped = v.toLocaleString("en-US");
    const right = [
      `Adding it up gives ${n}.\n#### ${n}`,
      `The answer is ${grouped}.`,
      `So the total is $\\boxed{${n}}$.`,
      `\\boxed{${n}.00}`,
      `Final Answer: The final answer is $${n}$. I hope it is correct.<|im_end|>`,
      `**Answer:** \\$${grouped}`,
    ];
    const wrong = [`#### ${v + 1n}`, `The answer is ${v * 10n + 1n}.`, `\\boxed{-${v + 1n}}`];
    for (const pred of right) {
      const r = verifyAnswer(pred, answer);
      assert.equal(r.result, "equal", `${pred} vs ${n}: ${r.reason}`);
    }
    for (const pred of wrong) {
      const r = verifyAnswer(pred, answer);
      assert.equal(r.result, "not_equal", `${pred} vs ${n}: ${r.reason}`);
    }
    checked++;
  }
  assert.equal(checked, 400);
});

function readJsonl(path: string): Record<string, unknown>[] {
  return Deno.readTextFileSync(sharedDataPath(path)).trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test({
  name: "verifyAnswer agrees with the is_correct labels of real GSM8K model solutions",
  ignore: !hasSharedData("gsm8k/example_model_solutions.jsonl"),
}, () => {
  let n = 0;
  const misses: string[] = [];
  for (const row of readJsonl("gsm8k/example_model_solutions.jsonl")) {
    for (
      const key of ["6b_finetuning", "6b_verification", "175b_finetuning", "175b_verification"]
    ) {
      const s = row[key] as { solution: string; is_correct: boolean };
      const r = verifyAnswer(s.solution, row.ground_truth as string);
      if ((r.result === "equal") !== s.is_correct) {
        misses.push(`${key}: ${r.reason} ${r.pred.extracted}`);
      }
      n++;
    }
  }
  assert.equal(n, 5276);
  assert.ok(misses.length <= n * 0.005, misses.slice(0, 10).join("\n"));
});

Deno.test({
  name: "MATH-500 reference solutions verify against their answers and not against others",
  ignore: !hasSharedData("math500/test.jsonl"),
}, () => {
  const rows = readJsonl("math500/test.jsonl") as { solution: string; answer: string }[];
  const wrongEqual: string[] = [];
  let equal = 0;
  for (let i = 0; i < rows.length; i++) {
    if (verifyAnswer(rows[i].solution, rows[i].answer).result === "equal") equal++;
    const other = rows[(i + 1) % rows.length].answer;
    const r = verifyAnswer(rows[i].solution, other);
    // An assignment states its value (`x=5` is 5), so only the values need to differ.
    const value = (t: string) => t.replace(/\s/g, "").replace(/^[a-z]=/, "");
    const same = value(rows[i].answer) === value(other);
    if (r.result === "equal" && !same) wrongEqual.push(`${rows[i].answer} vs ${other}`);
  }
  assert.ok(equal >= 495, `only ${equal} of 500`);
  assert.deepEqual(wrongEqual, []);
});

Deno.test({
  name: "verifyAnswer reads the final answers of BIG-Bench-Mistake arithmetic traces",
  ignore: !hasSharedData("big-bench-mistake/multistep_arithmetic.jsonl"),
}, () => {
  const rows = readJsonl("big-bench-mistake/multistep_arithmetic.jsonl") as {
    steps: string[];
    answer: string;
    target: string;
  }[];
  for (const r of rows) {
    const v = verifyAnswer(r.steps.join("\n"), r.target);
    assert.equal(v.result === "equal", r.answer.trim() === r.target.trim(), r.steps.at(-1) ?? "");
  }
});
