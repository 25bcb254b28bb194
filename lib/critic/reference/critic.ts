/**
 * The reference critic: a symbolic step checker that finds the arithmetic claims in each step
 * (`a op b = c`, chains `a = b = c`, GSM8K's `<<48/2=24>>` notes) and checks them exactly, writing a
 * short analysis and the GenPRM verdict line like an LLM would. For the synthetic chain task it also
 * checks each step against the problem's true running values. Seeded false-flag / missed-flag noise,
 * independent per critique index, lets it stand in for an imperfect LLM judge (CAPO §3.2 voting).
 * @module
 */
import { canonicalJson, createRng, sha256Hex } from "../../util/mod.ts";
import { arithmeticClaimHolds } from "../../verify/arithmetic.ts";

/** An arithmetic claim found in a step. */
export interface ArithmeticClaim {
  /** The computed side. */
  lhs: string;
  /** The stated side. */
  rhs: string;
  /** Whether it holds; `null` when a side cannot be evaluated exactly. */
  holds: boolean | null;
}

/** The checker's verdict on one step. */
export interface StepCheck {
  /** The step is wrong. */
  wrong: boolean;
  /** One-line justification. */
  note: string;
}

/** Seeded noise: each step's verdict flips with these probabilities, per critique index. */
export interface CriticNoise {
  /** Probability that a correct step is flagged. @default 0 */
  falseFlagRate?: number;
  /** Probability that a wrong step is not flagged. @default 0 */
  missedFlagRate?: number;
  /** Noise seed. @default 0 */
  seed?: number;
}

const EXPR_CHAR = /[0-9+\-*/^().\s]/;
const OPERATOR = /[+\-*/^]/;

/**
 * Finds the arithmetic claims in a step: around every `=`, the longest plain-arithmetic text on each
 * side. Claims where neither side has an operator (`10 = 5` from "half of 10 = 5"), or where a side
 * continues into words or variables (`2x - 3 = 5`), are skipped as not plain arithmetic.
 *
 * @param text The step text.
 * @returns The claims, checked exactly.
 * @example
 * ```ts
 * findArithmeticClaims("So 48/2 = <<48/2=24>>24 and 24 + 3 = 28").map((c) => c.holds); // [true, false]
 * ```
 */
export function findArithmeticClaims(text: string): ArithmeticClaim[] {
  const t = normalizeMath(text);
  const claims: ArithmeticClaim[] = [];
  for (let p = t.indexOf("="); p !== -1; p = t.indexOf("=", p + 1)) {
    if (/[=<>!]/.test(t[p - 1] ?? "") || t[p + 1] === "=") continue;
    let a = p;
    while (a > 0 && EXPR_CHAR.test(t[a - 1])) a--;
    let b = p + 1;
    while (b < t.length && EXPR_CHAR.test(t[b])) b++;
    const lhs = balance(t.slice(a, p).trim(), "left");
    const rhs = balance(t.slice(p + 1, b).trim().replace(/\.+$/, ""), "right");
    if (!/\d/.test(lhs) || !/\d/.test(rhs)) continue;
    // "2x - 3 = 5": the left side continues a non-arithmetic term.
    if (a > 0 && /^[+*/^-]/.test(lhs) && /[\w}\]]/.test(t.slice(0, a).trimEnd().at(-1) ?? "")) {
      continue;
    }
    if (/^[+*/^]/.test(lhs)) continue;
    if (b < t.length && /[A-Za-z_\\{]/.test(t[b]) && !/\s$/.test(t.slice(p + 1, b))) continue;
    if (OPERATOR.test(rhs.at(-1) ?? "")) continue;
    if (
      !OPERATOR.test(lhs.replace(/^\s*[-+]/, "")) && !OPERATOR.test(rhs.replace(/^\s*[-+]/, ""))
    ) {
      continue;
    }
    // "3 / 6 = 50%": a percentage on the stated side (or, as in "45 + 21 + 28 = 94%", on both).
    const stated = t[b] === "%" ? `(${rhs})/100` : rhs;
    let holds = arithmeticClaimHolds(lhs, stated);
    if (holds === false && stated !== rhs) holds = arithmeticClaimHolds(lhs, rhs);
    // "3/2 = 1.50+3.00 = 4.50": a running computation that continues after the value; the claim
    // is about the leading number, and the next "=" checks the rest.
    const lead = /^\s*-?\d+(?:\.\d+)?(?=\s*[+\-*/])/.exec(rhs)?.[0];
    if (holds === false && lead !== undefined && arithmeticClaimHolds(lhs, lead)) holds = null;
    claims.push({ lhs, rhs: stated, holds });
  }
  return claims;
}

/**
 * Checks every step of a solution. Steps are judged on their own arithmetic; when the problem is a
 * synthetic left-to-right chain (`7+5*3-4`), each step must also be the next operation applied to
 * the true running value, and the final `\boxed{}` must hold the true answer.
 *
 * @param problem The problem statement.
 * @param steps The step texts.
 * @returns One verdict per step.
 * @example
 * ```ts
 * checkSteps("7+5*3", ["7+5=12", "12*3=37", "\\boxed{37}"]).map((c) => c.wrong); // [false, true, true]
 * ```
 */
export function checkSteps(problem: string, steps: readonly string[]): StepCheck[] {
  const chain = parseChain(problem);
  return steps.map((text, i) => {
    const claims = findArithmeticClaims(text);
    const bad = claims.find((c) => c.holds === false);
    if (bad) {
      return { wrong: true, note: `claims ${bad.lhs} = ${bad.rhs}, which is false` };
    }
    if (chain) {
      const issue = chainIssue(chain, i, text);
      if (issue) return { wrong: true, note: issue };
    }
    if (claims.length === 0) {
      return { wrong: false, note: "no arithmetic claim to check; accepted" };
    }
    return { wrong: false, note: `${claims.map((c) => `${c.lhs} = ${c.rhs}`).join("; ")} holds` };
  });
}

/** Options for {@linkcode referenceCritique}. */
export interface ReferenceCritiqueOptions {
  /** Noise to apply; none by default. @default undefined */
  noise?: CriticNoise;
  /** Which critique of this response this is (noise is independent per index). @default 0 */
  critiqueIndex?: number;
  /** Step verdicts already computed for these steps (a server writing n critiques checks once). @default checkSteps(problem, steps) */
  checks?: StepCheck[];
}

/**
 * Writes a reference critique: one analysis line per step and the final `Wrong steps: [...]` line.
 * With noise, the flips replay exactly from (noise seed, content hash, critique index).
 *
 * @param problem The problem statement.
 * @param steps The step texts.
 * @param options See {@linkcode ReferenceCritiqueOptions}.
 * @returns The critique text and the wrong steps it names.
 * @throws {RangeError} When a noise rate is outside [0, 1].
 * @example
 * ```ts
 * const { text } = await referenceCritique("7+5", ["7+5=13", "\\boxed{13}"]);
 * text.endsWith("Wrong steps: [0, 1]"); // true
 * ```
 */
export async function referenceCritique(
  problem: string,
  steps: readonly string[],
  options: ReferenceCritiqueOptions = {},
): Promise<{ text: string; wrongSteps: number[] }> {
  const { critiqueIndex = 0 } = options;
  const { falseFlagRate = 0, missedFlagRate = 0, seed = 0 } = options.noise ?? {};
  for (
    const [name, rate] of [["falseFlagRate", falseFlagRate], ["missedFlagRate", missedFlagRate]]
  ) {
    if (!(Number(rate) >= 0 && Number(rate) <= 1)) {
      throw new RangeError(`Cannot add critic noise: expected ${name} in [0, 1], got ${rate}`);
    }
  }
  const checks = options.checks ?? checkSteps(problem, steps);
  let rng = undefined;
  if (falseFlagRate > 0 || missedFlagRate > 0) {
    const content = await sha256Hex(canonicalJson({ problem, steps }));
    rng = createRng(`${seed}/${content}/${critiqueIndex}`);
  }
  const lines: string[] = [];
  const wrongSteps: number[] = [];
  checks.forEach((check, i) => {
    let { wrong, note } = check;
    // One draw per step whatever the verdict, so flips at one step never shift another's.
    const u = rng?.next() ?? 1;
    if (!wrong && u < falseFlagRate) {
      wrong = true;
      note = "the step does not look justified";
    } else if (wrong && u < missedFlagRate) {
      wrong = false;
      note = "looks fine";
    }
    if (wrong) wrongSteps.push(i);
    lines.push(`Step ${i}: ${note}. ${wrong ? "Incorrect" : "Correct"}.`);
  });
  lines.push("", `Wrong steps: [${wrongSteps.join(", ")}]`);
  return { text: lines.join("\n"), wrongSteps };
}

interface Chain {
  values: number[];
  ops: { op: string; operand: number }[];
}

function parseChain(problem: string): Chain | undefined {
  const text = problem.replace(/^Q:\s*/, "").trim();
  if (!/^\d+(?:[+\-*]\d+)+$/.test(text)) return undefined;
  const [first, ...rest] = text.split(/(?=[+\-*])/);
  const values = [Number(first)];
  const ops = rest.map((piece) => ({ op: piece[0], operand: Number(piece.slice(1)) }));
  for (const { op, operand } of ops) values.push(apply(values.at(-1)!, op, operand));
  return { values, ops };
}

function apply(a: number, op: string, b: number): number {
  return op === "+" ? a + b : op === "-" ? a - b : a * b;
}

function chainIssue(chain: Chain, i: number, text: string): string | undefined {
  const { values, ops } = chain;
  if (i === ops.length) {
    const boxed = /\\boxed\{\s*(-?\d+)\s*\}/.exec(text)?.[1];
    if (boxed === undefined) return "expected the final answer in \\boxed{}";
    if (Number(boxed) !== values.at(-1)) {
      return `boxes ${boxed}, but the chain gives ${values.at(-1)}`;
    }
    return undefined;
  }
  if (i > ops.length) return "an extra step after the final answer";
  const m = /^\s*(-?\d+)\s*([+\-*])\s*(\d+)\s*=\s*(-?\d+)\s*$/.exec(text);
  const want = `${values[i]}${ops[i].op}${ops[i].operand}=${values[i + 1]}`;
  if (!m) return `expected the step ${want}`;
  if (Number(m[1]) !== values[i]) {
    return `starts from ${m[1]}, but the running value is ${values[i]}`;
  }
  if (m[2] !== ops[i].op || Number(m[3]) !== ops[i].operand) {
    return `applies ${m[2]}${m[3]}, but the next operation is ${ops[i].op}${ops[i].operand}`;
  }
  if (Number(m[4]) !== values[i + 1]) return `states ${m[4]}, but ${want}`;
  return undefined;
}

function normalizeMath(text: string): string {
  return text
    .replace(/(\d),(?=\d{3}\b)/g, "$1")
    .replaceAll("$", "")
    .replace(/\\(times|cdot)/g, "*")
    .replace(/\\div/g, "/")
    .replace(/\\frac\{(\d+)\}\{(\d+)\}/g, "($1)/($2)")
    .replaceAll("¼", "(1/4)")
    .replaceAll("½", "(1/2)")
    .replaceAll("¾", "(3/4)")
    .replace(/([\d)])\s*[x×]\s*(?=[\d(])/g, "$1*")
    .replaceAll("×", "*")
    .replaceAll("÷", "/")
    .replace(/[−–]/g, "-");
}

/** Drops unmatched leading "(" (left side) or trailing ")" (right side). */
function balance(expr: string, side: "left" | "right"): string {
  let s = expr;
  const depth = (x: string) => [...x].reduce((d, c) => d + (c === "(" ? 1 : c === ")" ? -1 : 0), 0);
  if (side === "left") { while (depth(s) > 0 && s.startsWith("(")) s = s.slice(1).trim(); }
  else while (depth(s) < 0 && s.endsWith(")")) s = s.slice(0, -1).trim();
  return s;
}
