/**
 * Fuzz: thousands of random and adversarial strings (deep braces, huge exponents, long inputs,
 * broken LaTeX) through `extractAnswer` and `verifyAnswer`: no throw, a well-formed result, and a
 * bounded time per case.
 */
import assert from "node:assert/strict";
import { createRng, type Rng } from "../../lib/util/mod.ts";
import { extractAnswer, verifyAnswer } from "../../lib/verify/mod.ts";

const PIECES = [
  "\\frac",
  "\\dfrac",
  "\\sqrt",
  "\\sqrt[3]",
  "\\boxed{",
  "\\fbox",
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  "\\{",
  "\\}",
  "^",
  "_",
  "!",
  "|",
  "\\left(",
  "\\right)",
  "\\pi",
  "e",
  "i",
  "x",
  "y",
  "=",
  "<",
  "\\le",
  ",",
  ".",
  "-",
  "+",
  "*",
  "/",
  "\\cdot",
  "\\%",
  "^\\circ",
  "\\text{cm}",
  "\\infty",
  "\\cup",
  "\\pm",
  "0",
  "1",
  "2",
  "9",
  "99999999999999999999",
  "10^{10^{10}}",
  "!",
  "\\begin{pmatrix}",
  "\\end{pmatrix}",
  "&",
  "\\\\",
  " ",
  "\n",
  "####",
  "The answer is",
  "<|im_end|>",
  "\u2212",
  "\\overline{3}",
  "\\log_",
  "\\sin",
  "$",
  "\\",
];

function randomText(rng: Rng): string {
  const n = 1 + rng.int(24);
  let s = "";
  for (let k = 0; k < n; k++) s += PIECES[rng.int(PIECES.length)];
  return s;
}

function adversarial(): string[] {
  const deep = (n: number) => "{".repeat(n) + "1" + "}".repeat(n);
  return [
    "\\boxed{" + deep(5000) + "}",
    deep(100000),
    "(".repeat(20000) + "1" + ")".repeat(20000),
    "\\frac{".repeat(3000) + "1",
    "2^{2^{2^{49}}}",
    "2^2^2^2^2^2^2^2^2^2",
    "9^{9^{9^{9}}}",
    "1000000!",
    "(10^{100})!",
    "10^{-10^{10}}",
    "e^{e^{e^{e^{100}}}}",
    "\\binom{10^{9}}{10^{8}}",
    "x^{10^{9}} + y",
    "\\sqrt{".repeat(2000),
    "1".repeat(200000),
    "1,".repeat(50000) + "1",
    ".".repeat(100000) + "x",
    "\\boxed{" + "a".repeat(100000) + "}",
    "The answer is " + "5 ".repeat(40000),
    "#### " + "9".repeat(5000),
    "\\boxed{" + "1+".repeat(400) + "1}",
    "5 " + "a".repeat(60) + "1",
    "\\text{" + "word ".repeat(2000) + "}",
    "|".repeat(1001),
    "\\left|".repeat(500),
    "x_".repeat(500),
    "0.\\overline{" + "9".repeat(500) + "}",
    "\\begin{pmatrix}" + "1&".repeat(3000) + "1\\end{pmatrix}",
    "\\{" + "1,".repeat(300) + "1\\}",
    "(" + "x,".repeat(300) + "x)",
    "\\tan(e^{9000})",
    "\\sin(10^{10000})",
    "e^{10^{4}}",
    "10^{19999}+\\pi",
    "2999!+2999!+2999!+2999!+2999!+2999!+2999!+2999!+2999!+2999!",
    "1000!".repeat(100),
    "\\frac{1}{3^{19000}}+\\frac{1}{7^{19000}}+\\frac{1}{11^{19000}}+\\frac{1}{13^{19000}}",
    "10^{19999}".repeat(40),
    "(1+10^{-19999})^{10^{4}}",
    "\\sin(x^{20})+10^{19000}x",
  ];
}

const BUDGET_MS = 1000;

function checkResult(pred: string, gold: string) {
  const t = performance.now();
  const r = verifyAnswer(pred, gold);
  const ms = performance.now() - t;
  assert.ok(["equal", "not_equal", "unverifiable"].includes(r.result), r.result);
  assert.equal(typeof r.reason, "string");
  assert.equal(r.pred.raw, pred);
  assert.equal(r.gold.raw, gold);
  assert.ok(
    ms < BUDGET_MS,
    `took ${ms.toFixed(0)} ms on ${JSON.stringify([pred, gold]).slice(0, 200)}`,
  );
}

Deno.test("verifyAnswer survives thousands of random LaTeX fragments within the time budget", () => {
  const rng = createRng("verify-fuzz");
  const golds = ["5", "\\frac{1}{2}", "(1,2)", "x^2+1", "[0,1)", "x=3", "\\{1,2\\}", "10\\%"];
  for (let k = 0; k < 3000; k++) {
    const pred = randomText(rng);
    const gold = rng.next() < 0.5 ? golds[rng.int(golds.length)] : randomText(rng);
    checkResult(pred, gold);
    checkResult(gold, pred);
  }
});

Deno.test("verifyAnswer answers adversarial inputs quickly and never throws", () => {
  const inputs = adversarial();
  for (const a of inputs) {
    checkResult(a, "5");
    checkResult("5", a);
    checkResult(a, a);
    const e = extractAnswer(a);
    assert.ok(e.answer === null || typeof e.answer === "string");
  }
});

Deno.test("verifyAnswer decides huge towers without computing them", () => {
  const tower = verifyAnswer("2^{2^{2^{49}}}", "5");
  assert.equal(tower.result, "unverifiable");
  assert.equal(tower.reason, "too_large");
  assert.equal(verifyAnswer("2^{2^{2^{49}}}", "2^{2^{2^{49}}}").result, "equal");
  const fact = verifyAnswer("1000000!", "3");
  assert.equal(fact.result, "unverifiable");
  assert.equal(fact.reason, "too_large");
});

Deno.test("verifyAnswer tolerates non-string inputs", () => {
  // deno-lint-ignore no-explicit-any
  const loose = verifyAnswer as (p: any, g: any) => ReturnType<typeof verifyAnswer>;
  assert.equal(loose(5, "5").result, "equal");
  assert.equal(loose(undefined, "5").result, "not_equal");
  assert.equal(loose("5", null).result, "unverifiable");
});
