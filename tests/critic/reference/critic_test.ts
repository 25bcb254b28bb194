import assert from "node:assert/strict";
import { hasSharedData, sharedDataPath } from "../../_shared_data.ts";
import {
  checkSteps,
  findArithmeticClaims,
  referenceCritique,
} from "../../../lib/critic/reference/mod.ts";
import { bigBenchMistakeItems, scoreCritiques } from "../../../lib/eval/mod.ts";
import {
  generateSftTraces,
  generateSyntheticTask,
  labelSyntheticSteps,
  loadBigBenchMistake,
} from "../../../lib/data/mod.ts";
import { splitSteps } from "../../../lib/steps/mod.ts";

const BBM = sharedDataPath("big-bench-mistake/multistep_arithmetic.jsonl");
const HAS_BBM = hasSharedData("big-bench-mistake/multistep_arithmetic.jsonl");
const HAS_GSM8K = hasSharedData("gsm8k/test.jsonl");

Deno.test("findArithmeticClaims reads equations, chains and GSM8K notes, skipping prose", () => {
  const holds = (text: string) => findArithmeticClaims(text).map((c) => c.holds);
  assert.deepEqual(holds("7+5=12"), [true]);
  assert.deepEqual(holds("12*3=37"), [false]);
  assert.deepEqual(holds("A = (-9 - 5 - 0) = (-9 - 5) = -14."), [true, true]);
  assert.deepEqual(holds("C = ((3 * 4 * 5) * (7 - -7 * 4)) = ((3 * 4 * 5) * (7 - 28))"), [false]);
  assert.deepEqual(holds("She sold 48/2 = <<48/2=24>>24 clips"), [true]);
  assert.deepEqual(holds("She sold <<48/2=25>>25 clips"), [false]);
  assert.deepEqual(holds("It costs $1,000 + $200 = $1,200 in total"), [true]);
  assert.deepEqual(holds("\\boxed{32}"), []);
  assert.deepEqual(holds("2x - 3 = 5, so x = 4"), [], "algebra is not plain arithmetic");
  assert.deepEqual(holds("half of 10 = 5"), [], "no operator on either side");
  assert.deepEqual(holds("so 10/3 = 3.33 each"), [true], "a written decimal may be rounded");
  assert.deepEqual(holds("(so 3 + 4 = 7)"), [true], "unmatched parentheses are dropped");
  assert.deepEqual(holds("the chance is 3 / 6 = 50%"), [true], "percent on the stated side");
  assert.deepEqual(holds("3 / 6 = 40%"), [false]);
  assert.deepEqual(holds("$3/2 = $1.50+$3.00=$4.50"), [null, true], "a running computation");
  assert.deepEqual(holds("2/3 x 4/4 = 8/12 and ¾ × 3/3 = 9/12"), [true, true]);
  assert.deepEqual(holds("1 – 3/4 = 1/4"), [true], "an en dash is a minus");
  assert.deepEqual(holds("<<4.20+9.45+1.35=14.999999999999998>>"), [true], "a float printout");
});

Deno.test({
  name: "the reference critic flags almost no step of GSM8K's gold solutions",
  ignore: !HAS_GSM8K,
}, async () => {
  const url = sharedDataPath("gsm8k/test.jsonl");
  const rows = (await Deno.readTextFile(url)).trim().split("\n").map((l) => JSON.parse(l));
  let steps = 0, flagged = 0;
  for (const row of rows) {
    const lines = (row.answer as string).split("\n").filter((l) => !l.startsWith("####"));
    steps += lines.length;
    flagged += checkSteps(row.question, lines).filter((c) => c.wrong).length;
  }
  assert.ok(steps > 4000);
  // One gold step really is wrong: "Suzzane has $32 - $20 = $300 left".
  assert.ok(flagged <= 1, `${flagged} of ${steps} gold steps flagged`);
});

Deno.test("the reference critic agrees with the synthetic task's gold step labels", () => {
  const { train } = generateSyntheticTask({ seed: 4, trainSize: 200, validSize: 0, testSize: 0 });
  const traces = generateSftTraces(train, { seed: 5, wrongRate: 0.4, luckyRate: 0.3 });
  assert.ok(traces.some((t) => t.kind === "lucky") && traces.some((t) => t.kind === "wrong"));
  for (const t of traces) {
    const steps = splitSteps(t.response).map((s) => s.text);
    const verdicts = checkSteps(t.problem.question, steps).map((c) => !c.wrong);
    assert.deepEqual(verdicts, labelSyntheticSteps(t.problem, t.response).steps, t.response);
  }
});

Deno.test("the reference critic writes an analysis ending in the verdict line", async () => {
  const { text, wrongSteps } = await referenceCritique("7+5*3", [
    "7+5=12",
    "12*3=37",
    "\\boxed{37}",
  ]);
  assert.deepEqual(wrongSteps, [1, 2]);
  assert.match(text, /^Step 0: .*Correct\.$/m);
  assert.match(text, /12\*3 = 37, which is false/);
  assert.ok(text.endsWith("\nWrong steps: [1, 2]"));
});

Deno.test("critic noise replays, is independent per critique index and has the set rates", async () => {
  const steps = Array.from({ length: 400 }, (_, i) => `${i}+1=${i + (i % 4 === 0 ? 2 : 1)}`);
  const truth = checkSteps("", steps).map((c) => c.wrong);
  const noise = { falseFlagRate: 0.2, missedFlagRate: 0.3, seed: 9 };
  const a = await referenceCritique("p", steps, { noise, critiqueIndex: 0 });
  const again = await referenceCritique("p", steps, { noise, critiqueIndex: 0 });
  const b = await referenceCritique("p", steps, { noise, critiqueIndex: 1 });
  assert.deepEqual(a.wrongSteps, again.wrongSteps);
  assert.notDeepEqual(a.wrongSteps, b.wrongSteps);
  const flagged = new Set(a.wrongSteps);
  const wrong = truth.filter((w) => w).length;
  const missed = truth.filter((w, i) => w && !flagged.has(i)).length / wrong;
  const falseFlags = truth.filter((w, i) => !w && flagged.has(i)).length / (truth.length - wrong);
  assert.ok(Math.abs(missed - 0.3) < 0.1, `missed rate ${missed}`);
  assert.ok(Math.abs(falseFlags - 0.2) < 0.07, `false-flag rate ${falseFlags}`);
});

Deno.test({
  name: "the reference critic finds BIG-Bench-Mistake's arithmetic mistakes (F1 >= 0.9)",
  ignore: !HAS_BBM,
}, async () => {
  const items = bigBenchMistakeItems((await loadBigBenchMistake(BBM)).records);
  assert.equal(items.length, 300);
  const lists = items.map((item) => {
    const steps = splitSteps(item.response).map((s) => s.text);
    return [checkSteps(item.problem, steps).flatMap((c, i) => (c.wrong ? [i] : []))];
  });
  const [row] = scoreCritiques(items, lists, { ks: [1], rules: ["majority"] });
  assert.ok(row.f1 >= 0.9, `F1 ${row.f1}`);
  assert.ok(row.first_error_accuracy >= 0.85, `first-error accuracy ${row.first_error_accuracy}`);
});
