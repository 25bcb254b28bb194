/**
 * Metamorphic tests of `verifyAnswer`: seeded answers stay equal to themselves under every rewriting
 * a model produces, and stop being equal when one digit, sign or bound changes. Plus a property
 * test of plain-text and TeX exponents.
 */
import assert from "node:assert/strict";
import { verifyAnswer } from "../../lib/verify/mod.ts";
import { createRng } from "../../lib/util/mod.ts";

type Rng = ReturnType<typeof createRng>;

/** An answer in its plain gold form, the same value written TeX-style, and its kind. */
interface Answer {
  gold: string;
  tex: string;
  kind: "int" | "decimal" | "fraction" | "surd" | "power" | "tuple" | "interval" | "set" | "poly";
}

function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng.next() * (hi - lo + 1));
}

function answerOf(rng: Rng): Answer {
  const sign = rng.next() < 0.3 ? "-" : "";
  switch (int(rng, 0, 8)) {
    case 0: {
      const n = `${sign}${int(rng, 0, 9_999_999)}`;
      return { gold: n, tex: n, kind: "int" };
    }
    case 1: {
      const d = `${sign}${int(rng, 0, 999)}.${String(int(rng, 1, 999)).padStart(3, "0")}`;
      return { gold: d, tex: d, kind: "decimal" };
    }
    case 2: {
      const [a, b] = [int(rng, 1, 97), int(rng, 2, 89)];
      return { gold: `${sign}${a}/${b}`, tex: `${sign}\\frac{${a}}{${b}}`, kind: "fraction" };
    }
    case 3: {
      const [a, b] = [int(rng, 2, 9), [2, 3, 5, 6, 7][int(rng, 0, 4)]];
      return { gold: `${sign}${a}*sqrt(${b})`, tex: `${sign}${a}\\sqrt{${b}}`, kind: "surd" };
    }
    case 4: {
      const [b, e] = [int(rng, 2, 9), int(rng, 10, 40)];
      return { gold: (BigInt(b) ** BigInt(e)).toString(), tex: `${b}^{${e}}`, kind: "power" };
    }
    case 5: {
      const [a, b] = [int(rng, -50, 50), int(rng, -50, 50)];
      return { gold: `(${a}, ${b})`, tex: `\\left(${a}, ${b}\\right)`, kind: "tuple" };
    }
    case 6: {
      const a = int(rng, -20, 20);
      const b = a + int(rng, 1, 30);
      return { gold: `[${a}, ${b})`, tex: `\\left[${a}, ${b}\\right)`, kind: "interval" };
    }
    case 7: {
      const [a, b] = [int(rng, -9, 0), int(rng, 1, 9)];
      return { gold: `{${a}, ${b}}`, tex: `\\{${b}, ${a}\\}`, kind: "set" };
    }
    default: {
      const [a, b] = [int(rng, 1, 9), int(rng, 1, 9)];
      return { gold: `x^2 + ${a}x + ${b}`, tex: `x^{2}+${a}x+${b}`, kind: "poly" };
    }
  }
}

/** Thousands separators a model writes for a plain integer (`1,234,567`, `1{,}234`, `1\,234`). */
function grouped(n: string, sep: string): string {
  const [, sign, digits] = /^(-?)(\d+)$/.exec(n)!;
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

/** Every rewriting of an answer that must keep it equal to its gold. */
function rewrites(a: Answer): string[] {
  const t = a.tex;
  const out = [
    t,
    `$${t}$`,
    `\\boxed{${t}}`,
    `The answer is $${t}$.`,
    `<answer>${t}</answer>`,
    `<think>first try 17</think>So the final answer is $\\boxed{${t}}$.`,
    `We work it out step by step.\n\n**Answer:** $${t}$`,
    `Some reasoning here.\n#### ${a.gold}`,
    `${t}.`,
    t.replace(/\\/g, "\\\\"), // doubly escaped, as in JSON or Python source
    `$${t.replace(/\\frac/g, "\\dfrac")}$`,
  ];
  if (a.kind === "int" && Math.abs(Number(a.gold)) >= 1000) {
    out.push(grouped(a.gold, ","), grouped(a.gold, "{,}"), grouped(a.gold, ",\\!"));
  }
  if (a.kind === "power") {
    out.push(t.replace(/\{(\d+)\}/, "$1"), t.replace("^", "**").replace(/[{}]/g, ""));
  }
  if (a.kind === "fraction") out.push(a.gold);
  return out;
}

/** Changes that must make the answer differ: one digit, the sign, or an interval bound. */
function perturbations(a: Answer, rng: Rng): string[] {
  const out: string[] = [];
  const digits = [...a.tex.matchAll(/\d/g)].map((m) => m.index!);
  if (digits.length > 0 && a.kind !== "power") {
    const k = digits[int(rng, 0, digits.length - 1)];
    const d = Number(a.tex[k]);
    const changed = a.tex.slice(0, k) + String((d + int(rng, 1, 8)) % 10) + a.tex.slice(k + 1);
    // `x^2` → `x^3` and `\frac{1}{b}` → `\frac{0}{b}` are genuine changes too
    out.push(changed);
  }
  if (["int", "decimal", "fraction", "surd"].includes(a.kind) && !/^-?0(?:\.0+)?$/.test(a.gold)) {
    out.push(a.tex.startsWith("-") ? a.tex.slice(1) : `-${a.tex}`);
  }
  if (a.kind === "interval") out.push(a.tex.replace("\\left[", "\\left(")); // open the bound
  if (a.kind === "power") out.push(a.tex.replace(/\{(\d+)\}/, (_m, e) => `{${Number(e) + 1}}`));
  return out;
}

Deno.test("an answer stays equal to itself under every rewriting a model produces", () => {
  const rng = createRng(11);
  const failures: string[] = [];
  let checked = 0;
  for (let k = 0; k < 400; k++) {
    const a = answerOf(rng);
    for (const pred of rewrites(a)) {
      const r = verifyAnswer(pred, a.gold);
      checked++;
      if (r.result !== "equal") {
        failures.push(`${a.kind} ${JSON.stringify(pred)} vs ${a.gold}: ${r.reason}`);
      }
    }
  }
  assert.ok(checked >= 4000, `only ${checked} pairs`);
  assert.deepEqual(failures.slice(0, 20), []);
});

Deno.test("changing one digit, sign or bound keeps an answer not equal", () => {
  const rng = createRng(12);
  const failures: string[] = [];
  let checked = 0;
  for (let k = 0; k < 1500; k++) {
    const a = answerOf(rng);
    for (const pred of perturbations(a, rng)) {
      if (pred === a.tex) continue;
      for (const wrapped of [pred, `\\boxed{${pred}}`]) {
        const r = verifyAnswer(wrapped, a.gold);
        checked++;
        if (r.result === "equal") {
          failures.push(`${a.kind} ${JSON.stringify(wrapped)} vs ${a.gold}`);
        }
      }
    }
  }
  assert.ok(checked >= 2000, `only ${checked} pairs`);
  assert.deepEqual(failures.slice(0, 20), []);
});

Deno.test("plain-text and TeX exponents of 2 to 6 digits evaluate to the true power", () => {
  const rng = createRng(13);
  for (let k = 0; k < 300; k++) {
    const digits = int(rng, 2, 6);
    const e = int(rng, 10 ** (digits - 1), 10 ** digits - 1);
    // (-1)^e is exact at any size: the parity of the whole exponent decides it.
    const sign = e % 2 === 0 ? "1" : "-1";
    for (const pred of [`(-1)^${e}`, `(-1)^{${e}}`, `(-1)**${e}`]) {
      assert.equal(verifyAnswer(pred, sign).result, "equal", `${pred} vs ${sign}`);
      assert.equal(verifyAnswer(pred, sign === "1" ? "-1" : "1").result, "not_equal", pred);
    }
    // A power is never its one-token misreading 2^d·rest, and never 0.
    for (const pred of [`2^${e}`, `x^${e}`]) {
      assert.notEqual(verifyAnswer(pred, "0").result, "equal", `${pred} vs 0`);
    }
    if (digits === 4) {
      // 2^e has up to 3,011 digits here, past the answer-length cap: compare exact forms instead.
      assert.equal(verifyAnswer(`2^${e}`, `2^{${e - 1}} \\cdot 2`).result, "equal", `2^${e}`);
      assert.equal(verifyAnswer(`2^${e}`, `2^{${e + 1}}`).result, "not_equal", `2^${e}`);
    }
    if (digits <= 3) {
      const exact = (2n ** BigInt(e)).toString();
      assert.equal(verifyAnswer(`2^${e}`, exact).result, "equal", `2^${e}`);
      assert.equal(verifyAnswer(`2^{${e}}`, exact).result, "equal", `2^{${e}}`);
      const head = Number(String(e)[0]);
      const misread = (2n ** BigInt(head)).toString() + "*" + String(e).slice(1);
      assert.notEqual(verifyAnswer(`2^${e}`, misread).result, "equal", `2^${e} vs ${misread}`);
    }
  }
});

Deno.test("a function application is never read as a product", () => {
  for (const [pred, gold] of [["-g(0)", "0"], ["f(2)", "2f"], ["h(x)", "hx"], ["f(x)", "f(y)"]]) {
    assert.notEqual(verifyAnswer(pred, gold).result, "equal", `${pred} vs ${gold}`);
  }
  assert.equal(verifyAnswer("f(x) = 2x+3", "2x+3").result, "equal");
});
