import assert from "node:assert/strict";
import {
  formatSyntheticPrompt,
  generateSftTraces,
  generateSyntheticTask,
  labelSyntheticSteps,
  makeSftTrace,
  parseSyntheticQuestion,
  type SyntheticProblem,
} from "../../lib/data/mod.ts";
import { createRng } from "../../lib/util/mod.ts";

const TASK = generateSyntheticTask({ seed: 7, trainSize: 400, validSize: 50, testSize: 100 });
const ALL = [...TASK.train, ...TASK.valid, ...TASK.test];

function evalLeftToRight(question: string): number {
  const tokens = question.match(/\d+|[+\-*]/g)!;
  let value = Number(tokens[0]);
  for (let i = 1; i < tokens.length; i += 2) {
    const b = Number(tokens[i + 1]);
    value = tokens[i] === "+" ? value + b : tokens[i] === "-" ? value - b : value * b;
  }
  return value;
}

Deno.test("synthetic task replays exactly from its seed and changes with it", () => {
  const again = generateSyntheticTask({ seed: 7, trainSize: 400, validSize: 50, testSize: 100 });
  assert.deepEqual(again, TASK);
  const other = generateSyntheticTask({ seed: 8, trainSize: 400, validSize: 50, testSize: 100 });
  assert.notDeepEqual(
    other.train.map((p) => p.question),
    TASK.train.map((p) => p.question),
  );
});

Deno.test("synthetic test split does not depend on the train size", () => {
  const small = generateSyntheticTask({ seed: 7, trainSize: 3, validSize: 50, testSize: 100 });
  assert.deepEqual(small.test, TASK.test);
  assert.deepEqual(small.valid, TASK.valid);
});

Deno.test("synthetic splits have the asked sizes and are disjoint by question", () => {
  assert.equal(TASK.train.length, 400);
  assert.equal(TASK.valid.length, 50);
  assert.equal(TASK.test.length, 100);
  const questions = ALL.map((p) => p.question);
  assert.equal(new Set(questions).size, questions.length);
  assert.equal(new Set(ALL.map((p) => p.id)).size, ALL.length);
});

Deno.test("synthetic problems follow the format, op range and 0..99 value range", () => {
  const opCounts = new Set<number>();
  for (const p of ALL) {
    assert.match(p.question, /^[1-9]([+\-*][1-9]){3,5}$/);
    assert.equal(p.ops.length, p.values.length);
    opCounts.add(p.ops.length);
    assert.ok(p.start >= 1 && p.start <= 9);
    for (const v of p.values) assert.ok(Number.isInteger(v) && v >= 0 && v <= 99, `${v}`);
    assert.equal(String(evalLeftToRight(p.question)), p.answer);
    assert.equal(p.steps!.length, p.ops.length + 1);
    assert.equal(p.solution, p.steps!.join("\n\n"));
    assert.equal(p.steps!.at(-1), `\\boxed{${p.answer}}`);
    assert.deepEqual(p.stepLabels, p.steps!.map(() => true));
    assert.equal(p.source.dataset, "synthetic");
  }
  assert.deepEqual([...opCounts].sort(), [3, 4, 5]);
});

Deno.test("synthetic gold solution has the exact documented shape", () => {
  const p: SyntheticProblem = {
    id: "x",
    question: "7+5*3-4",
    answer: "32",
    source: { dataset: "synthetic", location: "x", index: 0 },
    start: 7,
    ops: [{ op: "+", operand: 5 }, { op: "*", operand: 3 }, { op: "-", operand: 4 }],
    values: [12, 36, 32],
  };
  const clean = makeSftTrace(p, "clean", createRng(0));
  assert.equal(clean.response, "7+5=12\n\n12*3=36\n\n36-4=32\n\n\\boxed{32}");
  assert.equal(formatSyntheticPrompt(p), "Q: 7+5*3-4\n");
  // A generated problem's solution matches the same shape.
  const g = TASK.test[0];
  assert.equal(makeSftTrace(g, "clean", createRng(0)).response, g.solution);
});

Deno.test("synthetic op range is configurable and validated", () => {
  const t = generateSyntheticTask({
    seed: 1,
    trainSize: 20,
    validSize: 0,
    testSize: 0,
    minOps: 2,
    maxOps: 2,
  });
  for (const p of t.train) assert.equal(p.ops.length, 2);
  assert.throws(
    () =>
      generateSyntheticTask({
        seed: 1,
        trainSize: 1,
        validSize: 0,
        testSize: 0,
        minOps: 4,
        maxOps: 3,
      }),
    RangeError,
  );
  assert.throws(
    () => generateSyntheticTask({ seed: 1, trainSize: -1, validSize: 0, testSize: 0 }),
    /trainSize/,
  );
  // One op gives at most 9 * 27 distinct questions: asking for more is an error, not a hang.
  assert.throws(
    () =>
      generateSyntheticTask({
        seed: 1,
        trainSize: 300,
        validSize: 0,
        testSize: 0,
        minOps: 1,
        maxOps: 1,
      }),
    /distinct train questions/,
  );
});

Deno.test("every gold solution labels all-correct", () => {
  for (const p of ALL) {
    const l = labelSyntheticSteps(p, p.solution!);
    assert.deepEqual(l.steps, p.steps!.map(() => true));
    assert.equal(l.answerCorrect, true);
    assert.equal(l.processCorrect, true);
    assert.equal(l.lucky, false);
  }
});

Deno.test("wrong traces have a wrong answer, a wrong step and in-range values", () => {
  for (const [i, p] of TASK.train.entries()) {
    const t = makeSftTrace(p, "wrong", createRng(i));
    const l = labelSyntheticSteps(p, t.response);
    assert.equal(l.answerCorrect, false, t.response);
    assert.equal(l.processCorrect, false);
    assert.equal(l.lucky, false);
    assert.deepEqual(t.stepLabels, l.steps);
    assert.equal(t.stepLabels.length, p.ops.length + 1);
    // Labels: a correct prefix, then wrong from the planted step on.
    const first = t.stepLabels.indexOf(false);
    assert.ok(first >= 0 && first < p.ops.length);
    assert.ok(t.stepLabels.slice(0, first).every((x) => x));
    assert.ok(t.stepLabels.slice(first).every((x) => !x));
    // Each step is internally consistent arithmetic except the planted one.
    const steps = t.response.split("\n\n");
    for (const [k, s] of steps.slice(0, -1).entries()) {
      const [lhs, rhs] = s.split("=");
      const v = Number(rhs);
      assert.ok(v >= 0 && v <= 99, s);
      if (k !== first) assert.equal(evalLeftToRight(lhs), v, s);
      else assert.notEqual(evalLeftToRight(lhs), v, s);
    }
  }
});

Deno.test("lucky traces have the right answer but exactly one wrong non-final step", () => {
  for (const [i, p] of TASK.train.entries()) {
    const t = makeSftTrace(p, "lucky", createRng(i));
    const l = labelSyntheticSteps(p, t.response);
    assert.equal(l.answerCorrect, true);
    assert.equal(l.processCorrect, false);
    assert.equal(l.lucky, true);
    assert.deepEqual(t.stepLabels, l.steps);
    const wrong = t.stepLabels.flatMap((ok, k) => (ok ? [] : [k]));
    assert.equal(wrong.length, 1);
    assert.ok(wrong[0] < p.ops.length - 1, "the wrong step is not the last op");
    const v = Number(t.response.split("\n\n")[wrong[0]].split("=")[1]);
    assert.ok(v >= 0 && v <= 99 && v !== p.values[wrong[0]]);
  }
});

Deno.test("lucky trace on a one-op problem is refused", () => {
  const t = generateSyntheticTask({
    seed: 2,
    trainSize: 1,
    validSize: 0,
    testSize: 0,
    minOps: 1,
    maxOps: 1,
  });
  assert.throws(() => makeSftTrace(t.train[0], "lucky", createRng(0)), RangeError);
  const traces = generateSftTraces(t.train, { seed: 0, wrongRate: 0, luckyRate: 1 });
  assert.equal(traces[0].kind, "wrong");
});

Deno.test("SFT trace rates are respected, seeded and labelled", () => {
  const traces = generateSftTraces(TASK.train, { seed: 3, wrongRate: 0.3, luckyRate: 0.2 });
  assert.deepEqual(
    generateSftTraces(TASK.train, { seed: 3, wrongRate: 0.3, luckyRate: 0.2 }),
    traces,
  );
  const count = (k: string) => traces.filter((t) => t.kind === k).length;
  // 400 draws: binomial sd ≈ 9 for 0.3, 8 for 0.2.
  assert.ok(Math.abs(count("wrong") - 120) < 40, `${count("wrong")}`);
  assert.ok(Math.abs(count("lucky") - 80) < 35, `${count("lucky")}`);
  for (const t of traces) {
    const l = labelSyntheticSteps(t.problem, t.response);
    assert.deepEqual(t.stepLabels, l.steps);
    assert.equal(l.answerCorrect, t.kind !== "wrong");
    assert.equal(l.processCorrect, t.kind === "clean");
  }
  const none = generateSftTraces(TASK.train.slice(0, 50), { seed: 3, wrongRate: 0, luckyRate: 0 });
  assert.ok(none.every((t) => t.kind === "clean" && t.response === t.problem.solution));
  assert.throws(
    () => generateSftTraces([], { seed: 0, wrongRate: 0.7, luckyRate: 0.5 }),
    RangeError,
  );
  assert.throws(() => generateSftTraces([], { seed: 0, wrongRate: -0.1 }), RangeError);
});

Deno.test("labeller catches wrong op, operand, result, extra and missing steps", () => {
  const p: SyntheticProblem = {
    id: "x",
    question: "7+5*3-4",
    answer: "32",
    source: { dataset: "synthetic", location: "x", index: 0 },
    start: 7,
    ops: [{ op: "+", operand: 5 }, { op: "*", operand: 3 }, { op: "-", operand: 4 }],
    values: [12, 36, 32],
  };
  const label = (r: string) => labelSyntheticSteps(p, r);
  // Wrong op (result consistent with the wrong op).
  assert.deepEqual(label("7+5=12\n\n12+3=15\n\n15-4=11\n\n\\boxed{11}").steps, [
    true,
    false,
    false,
    false,
  ]);
  // Wrong operand.
  assert.deepEqual(label("7+5=12\n\n12*4=48\n\n48-16=32\n\n\\boxed{32}"), {
    steps: [true, false, false, true],
    answerCorrect: true,
    processCorrect: false,
    lucky: true,
  });
  // Wrong result only.
  assert.deepEqual(label("7+5=13\n\n12*3=36\n\n36-4=32\n\n\\boxed{32}").steps, [
    false,
    true,
    true,
    true,
  ]);
  // Extra step.
  const extra = label("7+5=12\n\n12*3=36\n\n36-4=32\n\n32+0=32\n\n\\boxed{32}");
  assert.deepEqual(extra.steps, [true, true, true, false, false]);
  assert.equal(extra.processCorrect, false);
  assert.equal(extra.lucky, true); // right answer, wrong process
  // Extra step after the answer keeps the answer from counting.
  const after = label("7+5=12\n\n12*3=36\n\n36-4=32\n\n\\boxed{32}\n\n1+1=2");
  assert.deepEqual(after.steps, [true, true, true, true, false]);
  assert.equal(after.answerCorrect, false);
  // Missing step: the boxed answer is right but the process is not.
  const missing = label("7+5=12\n\n12*3=36\n\n\\boxed{32}");
  assert.deepEqual(missing.steps, [true, true, false]);
  assert.equal(missing.processCorrect, false);
  assert.equal(missing.lucky, true);
  // Missing answer.
  const noAnswer = label("7+5=12\n\n12*3=36\n\n36-4=32");
  assert.equal(noAnswer.answerCorrect, false);
  assert.equal(noAnswer.processCorrect, false);
  // Surrounding whitespace and one trailing separator are tolerated; inner spaces are not.
  assert.equal(label("7+5=12\n\n12*3=36\n\n36-4=32\n\n\\boxed{32}\n\n").processCorrect, true);
  assert.equal(label(" 7+5=12 \n\n12*3=36\n\n36-4=32\n\n\\boxed{32}\n").processCorrect, true);
  assert.deepEqual(label("7 + 5 = 12\n\n12*3=36\n\n36-4=32\n\n\\boxed{32}").steps, [
    false,
    true,
    true,
    true,
  ]);
  // Blank pieces are not steps (as splitSteps sees them); an empty response has no steps.
  assert.deepEqual(label("\n\n7+5=12\n\n\n\n12*3=36\n\n36-4=32\n\n\\boxed{32}").steps, [
    true,
    true,
    true,
    true,
  ]);
  assert.deepEqual(label(""), {
    steps: [],
    answerCorrect: false,
    processCorrect: false,
    lucky: false,
  });
});

Deno.test("parseSyntheticQuestion rebuilds exactly the generated problem", () => {
  for (const p of TASK.test) {
    assert.deepEqual(parseSyntheticQuestion(p.question, { id: p.id, source: p.source }), p);
  }
  const p = parseSyntheticQuestion("7+5*3-4");
  assert.deepEqual(p.values, [12, 36, 32]);
  assert.equal(p.solution, "7+5=12\n\n12*3=36\n\n36-4=32\n\n\\boxed{32}");
  assert.throws(() => parseSyntheticQuestion("7+5*"), SyntaxError);
  assert.throws(() => parseSyntheticQuestion("7"), SyntaxError);
  assert.throws(() => parseSyntheticQuestion("7/5"), SyntaxError);
  assert.throws(
    () => parseSyntheticQuestion("9*9*9"),
    /expected running values in 0\.\.99, got 729/,
  );
  assert.throws(() => parseSyntheticQuestion("3-5"), RangeError);
});
