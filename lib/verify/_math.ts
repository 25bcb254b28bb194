/**
 * The verifier's mathjs side (the only place capo imports mathjs): a BigNumber instance for exact
 * and high-precision evaluation, a float instance for complex values and random-point checks, an
 * exact BigInt rational evaluator, and a magnitude bound computed before anything is evaluated.
 * @module
 */
import { all, type BigNumber, create, type MathNode } from "mathjs";
import { rat, ratAdd, ratDiv, type Rational, ratLog10, ratMul, ratPow } from "./_rational.ts";

type MathJs = ReturnType<typeof create>;
let bigInstance: MathJs | undefined;
let fltInstance: MathJs | undefined;
let bigHighInstance: MathJs | undefined;

/**
 * The 64-digit BigNumber instance (constants keep every digit, `pi` and `e` are precise), created
 * on first use so that integer-only work never pays for it.
 */
export function big(): MathJs {
  return bigInstance ??= withRound(
    create(all, { number: "BigNumber", precision: 64, ...EXACT(64) }),
  );
}

/** A 100-digit BigNumber instance, used only to tell a true zero from a tiny value. */
export function bigHigh(): MathJs {
  return bigHighInstance ??= withRound(
    create(all, { number: "BigNumber", precision: 100, ...EXACT(100) }),
  );
}

/**
 * Comparison tolerances a few digits short of the precision: mathjs's defaults (1e-12 relative)
 * would make `max(99.9999999999999, 100)` return the first argument and `floor` round up a value
 * just under an integer, which is float noise in doubles but a real digit at 64 digits.
 */
function EXACT(digits: number) {
  return { relTol: 10 ** -(digits - 4), absTol: 10 ** -(digits + 36) };
}

/** The plain float instance (complex-aware) for random-point evaluation, created on first use. */
export function flt(): MathJs {
  return fltInstance ??= withRound(create(all, {}));
}

/**
 * Adds `roundHalfEven`, the plain-text `round` of answers: a half goes to the even neighbour
 * (`round(2.5)` = 2, `round(-0.5)` = 0), as Python, SymPy and Maxima (STACK) round; mathjs's own
 * `round` goes away from zero (3).
 */
function withRound(m: MathJs): MathJs {
  const halfEven = (x: number) => Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x);
  m.import({
    roundHalfEven: m.typed("roundHalfEven", {
      number: halfEven,
      BigNumber: (x: BigNumber) => x.toDecimalPlaces(0, 6), // Decimal.ROUND_HALF_EVEN
    }),
    // `\binom{n}{k}`: exact for integers, `Γ(n+1)/(Γ(k+1)Γ(n-k+1))` between them, so that
    // `\binom{n}{2}` = `n(n-1)/2` can be sampled like any expression.
    binomial: m.typed("binomial", {
      "number, number": (n: number, k: number) =>
        Number.isInteger(n) && Number.isInteger(k) && n >= 0 && k >= 0
          ? (k > n ? 0 : m.combinations(n, k) as number)
          : (m.gamma(n + 1) as number) /
            ((m.gamma(k + 1) as number) * (m.gamma(n - k + 1) as number)),
      "BigNumber, BigNumber": (n: BigNumber, k: BigNumber) =>
        n.isInteger() && k.isInteger() && !n.isNeg() && !k.isNeg()
          ? (k.gt(n) ? m.bignumber(0) : m.combinations(n, k))
          : m.bignumber(NaN), // non-integers: the float path takes over
    }),
    // `a^(p/q)` with q odd (see realRoots): the real root of a negative base, as `\sqrt[3]{-8}`.
    realPow: m.typed("realPow", {
      "number, number, number": (a: number, p: number, q: number) =>
        a < 0 && Math.abs(q % 2) === 1
          ? (p % 2 === 0 ? 1 : -1) * Math.pow(-a, p / q)
          : m.pow(a, p / q),
      "BigNumber, BigNumber, BigNumber": (a: BigNumber, p: BigNumber, q: BigNumber) =>
        a.isNeg() && q.mod(2).abs().eq(1)
          ? m.multiply(p.mod(2).isZero() ? 1 : -1, m.pow(a.neg(), p.div(q)))
          : m.pow(a, p.div(q)),
      "any, any, any": (a: unknown, p: unknown, q: unknown) =>
        m.pow(a as number, m.divide(p as number, q as number) as number),
    }),
  });
  return m;
}

const ODD_ROOT = /\^\s*\(?\s*-?\s*(?:\(?\s*\d+\s*\)?\s*\/\s*\(?\s*\d*[13579]\s*\)?(?!\d)|\d*\.\d)/;

/**
 * Rewrites each power whose exponent is a fraction with an odd denominator, `a^(p/q)`, as
 * `realPow(a, p, q)`: a negative base takes its real root (`(-8)^(1/3)` = -2, `(-1)^(2/9)` = 1),
 * as `\sqrt[3]{-8}` already does, instead of the principal complex one.
 *
 * @example
 * ```ts
 * realRoots("(-8)^(1/3)"); // "realPow(-8, 1, 3)"
 * ```
 */
export function realRoots(src: string): string {
  if (!ODD_ROOT.test(src)) return src;
  const m = big(); // BigNumber constants, so that evalRational reads `0.2` as 1/5
  return m.parse(src).transform((n) => {
    const x = n as MathNode & { fn?: unknown; args?: MathNode[] };
    if (x.type !== "OperatorNode" || x.fn !== "pow" || x.args?.length !== 2) return n;
    const r = evalRational(x.args[1]);
    if (!r || r.d % 2n === 0n || r.d === 1n) return n;
    return new m.FunctionNode("realPow", [
      x.args[0],
      new m.ConstantNode(Number(r.n)),
      new m.ConstantNode(Number(r.d)),
    ]);
  }).toString();
}

export type { BigNumber, MathNode };

/** Largest |log10| of a value the verifier will compute (10^20000 is quick in BigInt). */
export const MAX_LOG10 = 20000;
const PERIODIC = new Set(["sin", "cos", "tan", "sec", "csc", "cot"]);
const CONSTANTS = new Set(["pi", "e", "i", "Infinity", "E", "PI"]);

/** Free variables of an expression (constants `pi`, `e`, `i` excluded), sorted. */
export function freeVariables(node: MathNode): string[] {
  const vars = new Set<string>();
  node.traverse((n, _path, parent) => {
    if (n.type === "SymbolNode") {
      const name = (n as unknown as { name: string }).name;
      const isFn = parent?.type === "FunctionNode" &&
        (parent as unknown as { fn: MathNode }).fn === n;
      if (!isFn && !CONSTANTS.has(name)) vars.add(name);
    }
  });
  return [...vars].sort();
}

/** Number of nodes (a size cap for simplify). */
export function nodeCount(node: MathNode): number {
  let n = 0;
  node.traverse(() => n++);
  return n;
}

interface Any {
  type: string;
  op?: string;
  fn?: string | { name?: string };
  name?: string;
  args?: MathNode[];
  content?: MathNode;
  value?: unknown;
}

function constLog10(value: unknown): number {
  const v = Math.abs(Number(value));
  if (Number.isFinite(v)) return v === 0 ? -Infinity : Math.log10(v);
  const s = String(value);
  const m = /e\+?(-?\d+)/.exec(s);
  return m ? Number(m[1]) + 1 : s.replace(/[^0-9]/g, "").length;
}

/**
 * Upper bound of log10 |value| over the expression, with variables taken near 3; `Infinity` when
 * evaluating could blow up (towers like `2^{2^{2^{49}}}`, `1000000!`).
 */
export function magnitudeBound(node: MathNode): number {
  const n = node as unknown as Any;
  const args = n.args ?? [];
  const b = (x: MathNode) => magnitudeBound(x);
  switch (n.type) {
    case "ConstantNode":
      return Math.max(0, constLog10(n.value));
    case "SymbolNode":
      return 0.5;
    case "ParenthesisNode":
      return b(n.content as MathNode);
    case "OperatorNode": {
      const [x, y] = args.map(b);
      if (args.length === 1) {
        if (n.fn === "factorial") {
          if (x > 5) return Infinity;
          const k = 10 ** x;
          return k * Math.log10(Math.max(k, 2));
        }
        return x;
      }
      if (n.op === "+" || n.op === "-") return Math.max(x, y) + 0.31;
      if (n.op === "*" || n.op === "/") return x + y;
      if (n.op === "^") {
        if (isUnit(args[0])) return 0; // (-1)^n and 1^n stay ±1 at any size
        if (y > 6) return Infinity;
        return Math.max(x, 0.31) * 10 ** y;
      }
      return Math.max(x, y ?? 0);
    }
    case "FunctionNode": {
      const name = typeof n.fn === "object" ? n.fn?.name : n.fn;
      const xs = args.map(b);
      const x = Math.max(0, ...xs);
      if (name === "exp" || name === "sinh" || name === "cosh") {
        return x > 6 ? Infinity : 0.44 * 10 ** x;
      }
      // Periodic functions reduce their argument modulo π at the argument's full size: only small
      // arguments are evaluated (`\tan(e^{9000})` would need π to thousands of digits).
      if (name !== undefined && PERIODIC.has(name)) return x > 15 ? Infinity : 1;
      if (
        name === "combinations" || name === "binomial" || name === "factorial" || name === "gamma"
      ) {
        if (x > 5) return Infinity;
        const k = 10 ** x;
        return k * Math.log10(Math.max(k, 2));
      }
      if (name === "sqrt" || name === "nthRoot") return xs[0] ?? 0;
      if (name === "realPow") return (xs[0] ?? 0) * Math.max(1, 10 ** (xs[1] ?? 0));
      return x;
    }
    default:
      return args.reduce((m, a) => Math.max(m, b(a)), 0);
  }
}

/** `1`, `-1`, `(-1)`: a base whose powers never grow. */
function isUnit(node: MathNode): boolean {
  const n = node as unknown as Any;
  if (n.type === "ParenthesisNode") return isUnit(n.content as MathNode);
  if (n.type === "OperatorNode" && n.fn === "unaryMinus" && n.args?.length === 1) {
    return isUnit(n.args[0]);
  }
  return n.type === "ConstantNode" && Number(n.value) === 1;
}

const MAX_HEX_DIGITS = Math.ceil(MAX_LOG10 / Math.log10(16));

/** Drops results whose numerator and denominator together outgrow the magnitude cap. */
function capped(x: Rational | null): Rational | null {
  if (x === null) return null;
  const size = (v: bigint) => (v < 0n ? -v : v).toString(16).length;
  return size(x.n) + size(x.d) > MAX_HEX_DIGITS ? null : x;
}

/** Exact value of a rational-closed expression (+ − × ÷, integer powers, factorial), else null. */
export function evalRational(node: MathNode, budget = { steps: 20000 }): Rational | null {
  const n = node as unknown as Any;
  const args = n.args ?? [];
  switch (n.type) {
    case "ConstantNode": {
      const v = n.value as { toFixed?: () => string; isFinite?: () => boolean } | number;
      if (typeof v === "number") return Number.isInteger(v) ? rat(BigInt(v)) : null;
      if (!v || typeof v.toFixed !== "function" || !v.isFinite?.()) return null;
      const s = v.toFixed();
      const [int, frac = ""] = s.split(".");
      return rat(BigInt(int + frac), 10n ** BigInt(frac.length));
    }
    case "ParenthesisNode":
      return evalRational(n.content as MathNode, budget);
    case "OperatorNode": {
      const xs = args.map((x) => evalRational(x, budget));
      if (xs.some((x) => x === null)) return null;
      const [a, b] = xs as Rational[];
      if (args.length === 1) {
        if (n.fn === "unaryMinus") return { n: -a.n, d: a.d };
        if (n.fn === "unaryPlus") return a;
        if (n.fn === "factorial") {
          // 3000! has 9131 digits; the budget bounds chains of big factorials.
          if (a.d !== 1n || a.n < 0n || a.n > 3000n) return null;
          budget.steps -= Number(a.n);
          if (budget.steps < 0) return null;
          let f = 1n;
          for (let k = 2n; k <= a.n; k++) f *= k;
          return rat(f);
        }
        return null;
      }
      if (n.op === "+") return capped(ratAdd(a, b));
      if (n.op === "-") return capped(ratAdd(a, { n: -b.n, d: b.d }));
      if (n.op === "*") return capped(ratMul(a, b));
      if (n.op === "/") return capped(ratDiv(a, b));
      if (n.fn === "mod") return ratMod(a, b);
      if (n.op === "^") {
        if (b.d !== 1n || b.n > 100000n || b.n < -100000n) return null;
        if (a.n === 0n) return b.n > 0n ? rat(0n) : null; // 0^k (log10 0 is -∞ below)
        if (Math.abs(ratLog10(a) * Number(b.n)) > MAX_LOG10) return null;
        return ratPow(a, b.n);
      }
      return null;
    }
    case "FunctionNode":
      return evalCall(n, args, budget);
    default:
      return null;
  }
}

const bigAbs = (v: bigint) => (v < 0n ? -v : v);
const bigGcd = (x: bigint, y: bigint): bigint => {
  for (let a = bigAbs(x), b = bigAbs(y);; [a, b] = [b, a % b]) if (b === 0n) return a;
};

/** `a mod b` with the divisor's sign (Python's `%`, mathjs's `mod`); null for a zero divisor. */
function ratMod(a: Rational, b: Rational): Rational | null {
  if (b.n === 0n) return null;
  const q = ratDiv(a, b);
  if (!q) return null;
  let floor = q.n / q.d;
  if (q.n < 0n && floor * q.d !== q.n) floor -= 1n;
  const r = ratAdd(a, ratMul(b, { n: -floor, d: 1n }));
  return r ? capped(r) : null;
}

/** Exact `gcd`, `lcm` (integers, non-negative results), `max` and `min` of rational arguments. */
function evalCall(n: Any, args: MathNode[], budget: { steps: number }): Rational | null {
  const name = typeof n.fn === "object" ? n.fn?.name : n.fn;
  if (name !== "gcd" && name !== "lcm" && name !== "max" && name !== "min") return null;
  if (args.length === 0) return null;
  const xs = args.map((x) => evalRational(x, budget));
  if (xs.some((x) => x === null)) return null;
  const vs = xs as Rational[];
  const cmp = (x: Rational, y: Rational) => x.n * y.d - y.n * x.d; // denominators are positive
  if (name === "max") return vs.reduce((m, x) => (cmp(x, m) > 0n ? x : m));
  if (name === "min") return vs.reduce((m, x) => (cmp(x, m) < 0n ? x : m));
  if (vs.some((x) => x.d !== 1n)) return null;
  if (name === "gcd") return rat(vs.reduce((g, x) => bigGcd(g, x.n), 0n));
  let l = 1n;
  for (const x of vs) {
    if (x.n === 0n) return rat(0n);
    l = bigAbs(l / bigGcd(l, x.n) * x.n);
  }
  return capped(rat(l));
}
