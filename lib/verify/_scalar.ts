/**
 * Scalar equivalence: exact rationals first, 64-digit BigNumber
 * evaluation for constants, relative tolerance only for written decimals (scaled to their stated
 * precision), a written `%` read both ways, degrees vs radians, and symbolic equality by seeded
 * random points (then simplify) with matching variables.
 * @module
 */
import { createRng } from "../util/mod.ts";
import {
  big,
  bigHigh,
  type BigNumber,
  flt,
  magnitudeBound,
  type MathNode,
  MAX_LOG10,
  nodeCount,
} from "./_math.ts";
import type { Parsed, Scalar } from "./_parse.ts";
import {
  ratEqual,
  type Rational,
  ratMul,
  ratRound,
  ratToNumber,
  ratToString,
} from "./_rational.ts";
import type { VerifyOptions, VerifyOutcome } from "./types.ts";

/** Outcome and reason code of one comparison. */
export interface Verdict {
  result: VerifyOutcome;
  reason: string;
}

/** An `equal` verdict. */
export const EQUAL = (reason: string): Verdict => ({ result: "equal", reason });
/** A `not_equal` verdict. */
export const NOT = (reason: string): Verdict => ({ result: "not_equal", reason });
/** An `unverifiable` verdict. */
export const UNSURE = (reason: string): Verdict => ({ result: "unverifiable", reason });

type BigValue = BigNumber;

/** True for numeric leaves (`num`, `expr`). */
export function isScalar(p: Parsed): p is Scalar {
  return p.t === "num" || p.t === "expr";
}

/** mathjs source of a scalar, parenthesised. */
export function srcOf(s: Scalar): string {
  return s.t === "num" ? `(${ratToString(s.value)})` : `(${s.src})`;
}

/** Free variables of a scalar, sorted. */
export function varsOf(s: Scalar): string[] {
  return s.t === "num" ? [] : s.vars;
}

/** An exact rational as a 64-digit BigNumber. */
function ratBig(r: Rational): BigValue {
  return big().divide(big().bignumber(r.n.toString()), big().bignumber(r.d.toString())) as BigValue;
}

/** Written decimal vs a value: equal when the value rounds to the decimal at its precision. */
function decimalMatch(a: Scalar, b: Scalar, bValue: Rational | null, bBig: BigValue | null) {
  if (a.t !== "num" || !a.lit?.isDecimal || a.lit.significant < 3) return false;
  const places = a.lit.decimals;
  // Two written decimals are both stated values: `2.232` vs `2.23` differ either way round.
  if (b.t === "num" && b.lit?.isDecimal) return false;
  // A decimal may round the exact value, or truncate it when it is long (5+ digits: 125.663 for
  // 40π = 125.6637…); a short cut-off like 0.666 for 2/3 stays wrong.
  const cut = a.lit.significant >= 5;
  if (bValue) {
    return ratEqual(ratRound(bValue, places), a.value) ||
      (cut && truncates(bValue, places, a.value)) || floatOfRational(a, ratBig(bValue));
  }
  if (bBig) {
    const lit = ratBig(a.value);
    return bBig.toDecimalPlaces(places, 4).equals(lit) || // 4: half up
      (cut && bBig.toDecimalPlaces(places, 1).equals(lit)) || // 1: to zero
      floatPrintout(a, bBig);
  }
  return false;
}

/**
 * Units in the last place a float64 printout may be off from the exact value: half an ulp from
 * printing, up to one from the computation (a libm function), rounded up to two.
 */
const FLOAT_ULPS = 2;
/** Significant digits from which a written decimal reads as a float64 printout (17 round-trip). */
const FLOAT_DIGITS = 16;

/** One ulp of the float64 nearest to `x` (normal range), or 0. */
function ulpOf(x: number): number {
  if (!Number.isFinite(x) || x === 0) return 0;
  return 2 ** (Math.floor(Math.log2(Math.abs(x))) - 52);
}

/**
 * A decimal of 16+ significant digits is a float64 printout (Python's `math.sqrt(2)` is
 * `1.4142135623730951`): equal to a value within {@linkcode FLOAT_ULPS} ulps of it.
 */
function floatPrintout(a: Scalar, value: BigValue): boolean {
  if (a.t !== "num" || !a.lit?.isDecimal || a.lit.significant < FLOAT_DIGITS) return false;
  const ulp = ulpOf(ratToNumber(a.value));
  if (ulp === 0 || !value.isFinite()) return false;
  return ratBig(a.value).minus(value).abs().lte(big().bignumber(String(FLOAT_ULPS * ulp)));
}

/**
 * A float64 printout of an exact rational value: it must print that value's own float64
 * (`12345678987654320.0` for 12345678987654321, which float64 cannot hold). A value float64 holds
 * exactly, such as 2, prints as itself, so `1.9999999999999998` is computation noise, not 2.
 */
function floatOfRational(a: Scalar, value: BigValue): boolean {
  if (a.t !== "num" || !a.lit?.isDecimal || a.lit.significant < FLOAT_DIGITS) return false;
  return Number(ratBig(a.value).toString()) === Number(value.toString());
}

/**
 * A float64 printout (16+ significant digits) inside an expression, such as
 * `74689676.31109099*sqrt(5578547747455547)`: its rounding error travels through the expression,
 * so the two sides may differ by a few ulps (relative {@linkcode FLOAT_EXPR_REL}).
 */
function hasFloatPrintout(s: Scalar): boolean {
  for (const m of (s.t === "expr" ? s.src : s.norm).matchAll(/(?<![\d.])(\d*)\.(\d+)(?![\d.])/g)) {
    if ((m[1] + m[2]).replace(/^0+/, "").length >= FLOAT_DIGITS) return true;
  }
  return false;
}
const FLOAT_EXPR_REL = "1.8e-15"; // 8 ulps

/** True when `x` cut (toward zero) to `places` decimals is `written`. */
function truncates(x: Rational, places: number, written: Rational): boolean {
  const scale = 10n ** BigInt(places);
  const cut = (x.n * scale) / x.d; // BigInt division truncates toward zero
  return ratEqual({ n: cut, d: 1n }, ratMul(written, { n: scale, d: 1n }));
}

/** Float evaluation, where `n!` of a non-integer is `gamma(n + 1)` (`(-7/2)!`). */
function floatValue(src: string): unknown {
  const m = flt();
  const gammaOf = (arg: MathNode) =>
    new m.FunctionNode("gamma", [new m.OperatorNode("+", "add", [arg, new m.ConstantNode(1)])]);
  return m.parse(src).transform((n) => {
    const node = n as MathNode & { fn?: unknown; args?: MathNode[] };
    const isFactorial = (node.type === "OperatorNode" && node.fn === "factorial") ||
      (node.type === "FunctionNode" && String(node.fn) === "factorial");
    return isFactorial && node.args?.length === 1 ? gammaOf(node.args[0]) : n;
  }).evaluate({});
}

/** Value of a constant scalar with the 64-digit instance, or with the 128-digit one when `high`. */
function bigOf(
  s: Scalar,
  degreeToRadian: boolean,
  high = false,
): BigValue | { re: number; im: number } | null {
  const m = high ? bigHigh() : big();
  let value: unknown;
  if (s.t === "num") {
    value = m.divide(m.bignumber(s.value.n.toString()), m.bignumber(s.value.d.toString()));
  } else {
    try {
      value = high ? m.evaluate(s.src) : s.node.evaluate({});
    } catch (e) {
      // BigNumbers have no `gamma` of a non-integer (`(1/2)!`): floats do.
      if (high) throw e;
      value = floatValue(s.src);
    }
    if (!high && m.isBigNumber(value) && (value as unknown as BigValue).isNaN()) {
      value = floatValue(s.src); // `acosh(1/2)` is complex: NaN in BigNumbers
    }
  }
  if (degreeToRadian) {
    value = m.multiply(value as BigValue, m.divide(m.pi, 180) as unknown as BigValue);
  }
  if (m.isBigNumber(value)) return value as unknown as BigValue;
  // A plain number came through a complex step (`abs(1+exp(i*pi/3))`): a float, compared as one.
  if (typeof value === "number") return { re: value, im: 0 };
  if (m.isComplex(value)) {
    const c = value as unknown as { re: number; im: number };
    return { re: c.re, im: c.im };
  }
  return null;
}

/**
 * Two values that agree to 40 digits at 64-digit precision: equal when they also agree to 75
 * digits at 100 (rounding noise shrinks), not equal when the gap stays (`\pi + 10^{-50}`).
 */
function confirmHigh(a: Scalar, b: Scalar, aDeg: boolean, bDeg: boolean): boolean {
  try {
    const x = bigOf(a, aDeg, true);
    const y = bigOf(b, bDeg, true);
    if (!x || !y || !bigHigh().isBigNumber(x) || !bigHigh().isBigNumber(y)) return true;
    const bx = x as BigValue;
    const by = y as BigValue;
    const scale = bx.abs().gt(by.abs()) ? bx.abs() : by.abs();
    return bx.minus(by).abs().lte(scale.times("1e-75"));
  } catch {
    return true; // the 64-digit agreement stands
  }
}

function closeBig(x: BigValue, y: BigValue): boolean {
  if (!x.isFinite() || !y.isFinite()) return x.equals(y);
  const diff = x.minus(y).abs();
  const scale = x.abs().gt(y.abs()) ? x.abs() : y.abs();
  // Relative only: an absolute floor would make 1/2004! equal 1/2006! (zero is handled by the
  // caller at higher precision).
  if (x.isZero() || y.isZero()) return x.isZero() && y.isZero();
  return diff.lte(scale.times("1e-40"));
}

/** Complex closeness: relative `rel`, with a 1e-12 floor for values near zero. */
export function closeComplex(
  x: { re: number; im: number },
  y: { re: number; im: number },
  rel: number,
) {
  if (![x.re, x.im, y.re, y.im].every(Number.isFinite)) return x.re === y.re && x.im === y.im;
  const diff = Math.hypot(x.re - y.re, x.im - y.im);
  const scale = Math.max(Math.hypot(x.re, x.im), Math.hypot(y.re, y.im));
  return diff <= rel * scale || diff < 1e-12;
}

function asComplex(v: BigValue | { re: number; im: number }): { re: number; im: number } {
  return big().isBigNumber(v)
    ? { re: Number((v as BigValue).toString()), im: 0 }
    : v as { re: number; im: number };
}

/** Compares two scalars; `a` is the prediction, `b` the gold. */
export function compareScalar(a: Scalar, b: Scalar, options: VerifyOptions): Verdict {
  const verdict = compareScalarExactly(a, b, options);
  return verdict.result === "not_equal" && withinTolerance(a, b, options.relativeTolerance ?? 0)
    ? EQUAL("tolerance")
    : verdict;
}

/**
 * The `relativeTolerance` option: two constants, one of them written with a decimal point, that
 * differ by at most that fraction of the larger (`3.1401` vs `3.14` at 1e-4).
 */
function withinTolerance(a: Scalar, b: Scalar, tolerance: number): boolean {
  if (!(tolerance > 0)) return false;
  const decimal = (s: Scalar) => s.t === "num" ? s.lit?.isDecimal === true : /\d\.\d/.test(s.src);
  if (!decimal(a) && !decimal(b)) return false;
  const x = constantValue(a);
  const y = constantValue(b);
  if (x === null || y === null || !Number.isFinite(x) || !Number.isFinite(y)) return false;
  return Math.abs(x - y) <= tolerance * Math.max(Math.abs(x), Math.abs(y));
}

function compareScalarExactly(a: Scalar, b: Scalar, options: VerifyOptions): Verdict {
  const { percent = false } = options;
  if (a.t === "num" && b.t === "num") {
    if (ratEqual(a.value, b.value)) return EQUAL("exact");
    if (decimalMatch(a, b, b.value, null) || decimalMatch(b, a, a.value, null)) {
      return EQUAL("decimal_precision");
    }
    const hundred = { n: 100n, d: 1n };
    const [aUp, bUp] = percentDirections(a, b, percent);
    if (
      (aUp && ratEqual(a.value, ratMul(b.value, hundred))) ||
      (bUp && ratEqual(ratMul(a.value, hundred), b.value))
    ) return EQUAL("percent");
    return NOT("value_differs");
  }
  const verdict = compareValues(a, b, options);
  if (verdict.result === "equal" || (a.t === "num" && b.t === "num")) return verdict;
  // `x%` = `x/100`, read both ways like a written `50%` (`x%` = `x` is the other reading).
  const [aUp, bUp] = percentDirections(a, b, percent);
  for (const [up, s, other, flip] of [[aUp, a, b, false], [bUp, b, a, true]] as const) {
    if (!up || s.t !== "expr") continue;
    const src = `(${s.src}) / 100`;
    const scaled: Scalar = { ...s, src, node: flt().parse(src), norm: src };
    const v = flip ? compareValues(other, scaled, options) : compareValues(scaled, other, options);
    if (v.result === "equal") return EQUAL("percent");
  }
  return verdict;
}

/** A division by a written zero (`1/0`, `\frac{x}{0}`): undefined, not infinity. */
const BY_ZERO = /\/\s*\(*\s*[+-]?0+(?:\.0*)?\s*\)*(?![\d.])/;

function compareValues(a: Scalar, b: Scalar, options: VerifyOptions): Verdict {
  const { percent = false } = options;
  const byZero = [a, b].map((s) => s.t === "expr" && BY_ZERO.test(s.src));
  if (byZero[0] || byZero[1]) {
    // Undefined against a finite value differs; against infinity or another `…/0` it is unknown.
    const other = byZero[0] ? b : a;
    const v = byZero[0] && byZero[1] ? null : constantValue(other);
    return v !== null && Number.isFinite(v) ? NOT("value_differs") : UNSURE("undefined");
  }
  const av = varsOf(a);
  const bv = varsOf(b);
  for (const s of [a, b]) {
    if (s.t === "expr" && !(magnitudeBound(s.node) <= MAX_LOG10)) return UNSURE("too_large");
  }
  if (av.join(",") !== bv.join(",")) {
    // Different free variables: equal only when the difference vanishes identically
    // (sin^2 x + cos^2 x vs 1); f(x) vs f(y) stays not_equal.
    const vars = [...new Set([...av, ...bv])].sort();
    const v = compareSymbolic(a, b, options, vars);
    return v.result === "equal" ? v : NOT("variables_differ");
  }
  return av.length === 0 ? compareConstants(a, b, percent) : compareSymbolic(a, b, options, av);
}

/**
 * Which side may be read as 100× the other: a side written with `%` (`25\%` = 0.25, stated, not
 * guessed), or either side under the `percent` option.
 */
function percentDirections(a: Scalar, b: Scalar, percent: boolean): [boolean, boolean] {
  return [
    percent || (a.flags.percent && !b.flags.percent),
    percent || (b.flags.percent && !a.flags.percent),
  ];
}

/** A side in radians: `pi` in it, or an inverse trig function's value (`arctan(1)` vs `45°`). */
function inRadians(s: Scalar): boolean {
  return s.t === "expr" && /\b(?:pi|asin|acos|atan|atan2|asec|acsc|acot)\b/.test(s.src);
}

// mathjs's BigNumber tan/cot keep about half the digits: `\cot(\pi/2)` leaves 1e-37.
const RESIDUE_MAX = "1e-30";

/**
 * A rounding residue: tiny at 64 digits (`lo`) and 15 orders smaller at 100 (`hi`), where a
 * genuine value (`e^{-300}`) stays put.
 */
function isResidue(lo: BigValue, hi: BigValue): boolean {
  return lo.abs().lt(RESIDUE_MAX) && hi.abs().lt(lo.abs().times("1e-15"));
}

/**
 * Exact zero vs a tiny value: `\sin\pi` leaves a 1e-64 residue at 64 digits, `e^{-300}` is a real
 * 5e-131. Re-evaluating at 100 digits shrinks a residue (by 15 orders at least) and leaves a value
 * unchanged.
 */
function compareWithZero(a: Scalar, b: Scalar, x: BigValue, y: BigValue): Verdict | null {
  if (x.isZero() === y.isZero()) return null;
  const [other, v] = x.isZero() ? [b, y] : [a, x];
  if (!v.abs().lt(RESIDUE_MAX) || other.t !== "expr") return null;
  try {
    const high = bigHigh().evaluate(other.src) as unknown;
    if (!bigHigh().isBigNumber(high)) return UNSURE("precision_limit");
    return isResidue(v, high as BigValue) ? EQUAL("numeric") : NOT("value_differs");
  } catch {
    return UNSURE("eval_error");
  }
}

const STEP_FUNCTION = /\b(?:floor|ceil|roundHalfEven|round|max|min|fix)\(/;

/**
 * True when two constants differ by far more than any rounding (1e-6 relative in floats) and no
 * reading could still make them equal (no written decimal, `%` or degrees): the 64-digit
 * evaluation is then skipped.
 */
function clearlyDifferent(a: Scalar, b: Scalar, percent: boolean): boolean {
  if (percent) return false;
  for (const s of [a, b]) {
    if (s.flags.percent || s.flags.degree || (s.t === "num" && s.lit?.isDecimal)) return false;
    // Floats round `floor(2.9999999999999)` up (mathjs's 1e-12 tolerance): steps need the digits.
    if (s.t === "expr" && STEP_FUNCTION.test(s.src)) return false;
  }
  // The gold's compiled form is memoised; the prediction's is compiled afresh.
  const floatOf = (s: Scalar, cache: Map<string, FloatScalar>): number | null => {
    if (s.t === "num") return Number(s.value.n) / Number(s.value.d);
    const v = toComplex(compiledOf(s.src, cache).evaluate({}));
    return v && v.im === 0 ? v.re : null;
  };
  try {
    const x = floatOf(a, new Map());
    const y = floatOf(b, GOLD_CONSTANTS);
    if (x === null || y === null || !Number.isFinite(x) || !Number.isFinite(y)) return false;
    return Math.abs(x - y) > 1e-6 * Math.max(Math.abs(x), Math.abs(y), 1); // near 0: slow path
  } catch {
    return false;
  }
}

function compareConstants(a: Scalar, b: Scalar, percent: boolean): Verdict {
  if (clearlyDifferent(a, b, percent)) return NOT("value_differs");
  const aDeg = a.flags.degree && !b.flags.degree && inRadians(b);
  const bDeg = b.flags.degree && !a.flags.degree && inRadians(a);
  let x, y;
  try {
    x = bigOf(a, aDeg);
    y = bigOf(b, bDeg);
  } catch {
    return UNSURE("eval_error");
  }
  if (!x || !y) return UNSURE("eval_error");
  if (big().isBigNumber(x) && big().isBigNumber(y)) {
    const bx = x as BigValue;
    const by = y as BigValue;
    if (bx.isNaN() || by.isNaN()) return UNSURE("eval_error");
    const zeroVerdict = compareWithZero(a, b, bx, by);
    if (zeroVerdict) return zeroVerdict;
    if (closeBig(bx, by)) {
      if (!bx.isFinite()) return EQUAL("numeric");
      // 64 digits cannot tell X from X + 1 once |X| ≥ 1e30: not a proof of equality there.
      if (bx.abs().gte("1e30")) return UNSURE("precision_limit");
      return bx.equals(by) || confirmHigh(a, b, aDeg, bDeg)
        ? EQUAL("numeric")
        : NOT("value_differs");
    }
    if (
      (hasFloatPrintout(a) || hasFloatPrintout(b)) &&
      bx.minus(by).abs().lte((bx.abs().gt(by.abs()) ? bx : by).abs().times(FLOAT_EXPR_REL))
    ) {
      return EQUAL("decimal_precision");
    }
    const aRat = a.t === "num" ? a.value : null;
    const bRat = b.t === "num" ? b.value : null;
    if (decimalMatch(a, b, bRat, by) || decimalMatch(b, a, aRat, bx)) {
      return EQUAL("decimal_precision");
    }
    const [aUp, bUp] = percentDirections(a, b, percent);
    if ((aUp && closeBig(bx, by.times(100))) || (bUp && closeBig(bx.times(100), by))) {
      return EQUAL("percent");
    }
    return NOT("value_differs");
  }
  const cx = asComplex(x);
  const cy = asComplex(y);
  if (cx.im === 0 && cy.im === 0 && Number.isFinite(cx.re) && Number.isFinite(cy.re)) {
    // A real float (through a complex step) against a written decimal that rounds it
    const bigRe = (v: number) => big().bignumber(v) as unknown as BigValue;
    if (decimalMatch(a, b, null, bigRe(cy.re)) || decimalMatch(b, a, null, bigRe(cx.re))) {
      return EQUAL("decimal_precision");
    }
  }
  if (!closeComplex(cx, cy, 1e-12)) return NOT("value_differs");
  // Complex values are floats: past 1e12 a unit difference hides below the tolerance.
  const big12 = Math.max(Math.hypot(cx.re, cx.im), Math.hypot(cy.re, cy.im)) >= 1e12;
  return big12 && (cx.re !== cy.re || cx.im !== cy.im)
    ? UNSURE("precision_limit")
    : EQUAL("numeric");
}

export interface FloatScalar {
  compiled?: { evaluate(scope: Record<string, number>): unknown };
}

/**
 * Compiled gold expressions, a bounded pure memo (same source → same function) like the gold
 * parse cache: a group's responses share one gold. Predictions are compiled afresh.
 */
const GOLD_COMPILED = new Map<string, FloatScalar>();
/** `\infty`, `+\infty` (sign 1) or `-\infty` (sign -1). */
export function infinite(s: Parsed, sign: number): boolean {
  if (s.t !== "expr") return false;
  const src = s.src.replace(/[()\s]/g, "");
  return sign < 0 ? src === "-Infinity" : src === "Infinity" || src === "+Infinity";
}

/** The real value of a constant scalar (±Infinity for infinities), or null. */
export function constantValue(s: Scalar): number | null {
  if (s.t === "num") return ratToNumber(s.value);
  if (s.vars.length > 0) return null;
  if (infinite(s, 1)) return Infinity;
  if (infinite(s, -1)) return -Infinity;
  try {
    const c = toComplex(compiledOf(s.src, new Map()).evaluate({}));
    return c && Math.abs(c.im) < 1e-12 ? c.re : null;
  } catch {
    return null;
  }
}

/** Compiled gold constants for the float pre-check (pure memo, bounded like the others). */
const GOLD_CONSTANTS = new Map<string, FloatScalar>();
const GOLD_COMPILED_LIMIT = 5000;

export function compiledOf(src: string, cache: Map<string, FloatScalar>) {
  let entry = cache.get(src);
  if (!entry) {
    if (cache.size >= GOLD_COMPILED_LIMIT) cache.clear(); // bounds the shared memos
    entry = { compiled: flt().compile(src) };
    cache.set(src, entry);
  }
  return entry.compiled!;
}

export function toComplex(v: unknown): { re: number; im: number } | null {
  if (typeof v === "number") return Number.isFinite(v) ? { re: v, im: 0 } : null;
  if (flt().isComplex(v)) {
    const c = v as unknown as { re: number; im: number };
    return Number.isFinite(c.re) && Number.isFinite(c.im) ? { re: c.re, im: c.im } : null;
  }
  return null;
}

/** Seeded sample points: positive values first (safe domains), then signed ones. */
export function samplePoints(
  vars: string[],
  seed: number,
  count: number,
): Record<string, number>[] {
  const rng = createRng(seed);
  const points: Record<string, number>[] = [];
  for (let k = 0; k < count; k++) {
    const p: Record<string, number> = {};
    for (const v of vars) {
      const magnitude = 0.25 + 2.5 * rng.next();
      p[v] = k >= count - 3 && rng.next() < 0.5 ? -magnitude : magnitude;
    }
    points.push(p);
  }
  return points;
}

/**
 * Points far from the small sample range, where sides that agree near 0 can part
 * (`abs(x+100)-100` vs `abs(x+101)-101` differ only below -100): every variable at ±1.37·10^k for
 * k = 1, 2, 3, and at ±(1.5|c| + 1.37) for up to 4 of the constants c (|c| ≥ 2) written in either
 * side. Variables get slightly different values (×(1 + 0.1i)) so `x - y` is not 0 there. Fixed,
 * not random: the seed's sample points stay as they were.
 */
export function widePoints(srcs: string[], vars: string[]): Record<string, number>[] {
  const constants = [
    ...new Set(
      srcs.flatMap((s) => s.match(/(?<![a-zA-Z_\d.])\d+(?:\.\d+)?/g) ?? []).map(Number)
        .filter((c) => c >= 2 && c <= 1e6),
    ),
  ].sort((x, y) => y - x).slice(0, 4);
  const magnitudes = [13.7, 137, 1370, ...constants.map((c) => 1.5 * c + 1.37)];
  return magnitudes.flatMap((m) =>
    [m, -m].map((x) => Object.fromEntries(vars.map((v, i) => [v, x * (1 + 0.1 * i)])))
  );
}

/**
 * Both sides' values at a point as finite complex numbers; a side outside its domain there
 * (`n!` at negative n), or not finite, gives null.
 */
function valuesAt(
  fa: ReturnType<typeof compiledOf>,
  fb: ReturnType<typeof compiledOf>,
  p: Record<string, number>,
): [{ re: number; im: number } | null, { re: number; im: number } | null] {
  try {
    return [toComplex(fa.evaluate(p)), toComplex(fb.evaluate(p))];
  } catch {
    return [null, null];
  }
}

/** Functions whose values at large arguments are exact enough for {@linkcode gapAtWidePoints}. */
const WIDE_SAFE = new Set([
  "abs",
  "sign",
  "sqrt",
  "cbrt",
  "nthRoot",
  "floor",
  "ceil",
  "roundHalfEven",
]);

/**
 * True when the sides, agreeing at the small sample points, differ at a {@linkcode widePoints}
 * point (only for sides built from arithmetic and {@linkcode WIDE_SAFE} functions), and a 64-digit
 * evaluation there confirms it (so float cancellation at large values,
 * `(x+1)^2 - x^2` vs `2x+1`, is never taken for a difference). Points where a side is not a
 * finite real float, or where roots and logs make negatives unsafe, decide nothing.
 */
function gapAtWidePoints(
  a: Scalar,
  b: Scalar,
  vars: string[],
  branchy: boolean,
  tolerance: number,
  cache: Map<string, FloatScalar>,
): boolean {
  // Periodic and transcendental functions are left out: their float (and 64-digit) values at
  // large arguments are noise (`sin(exp(sqrt(2x)))`), and inverse trig identities hold only on a
  // branch (`2 atan(sin x/(cos x + 1))` = x on (-π, π)).
  const calls = [srcOf(a), srcOf(b)].flatMap((s) => s.match(/[a-zA-Z_]\w*(?=\s*\()/g) ?? []);
  if (calls.some((f) => !WIDE_SAFE.has(f))) return false;
  // A name in an exponent (`x^x`, `2^n`) grows past what 64 digits resolve at wide points.
  if ([srcOf(a), srcOf(b)].some((s) => /\^\s*[(\s-]*[a-zA-Z_]/.test(s))) return false;
  try {
    // The small points' check compiled both sides into `cache` and GOLD_COMPILED already.
    const fa = compiledOf(srcOf(a), cache);
    const fb = compiledOf(srcOf(b), GOLD_COMPILED);
    for (const p of widePoints([srcOf(a), srcOf(b)], vars)) {
      if (branchy && Object.values(p).some((x) => x < 0)) continue;
      const [x, y] = valuesAt(fa, fb, p);
      if (!x || !y || x.im !== 0 || y.im !== 0) continue;
      if (closeComplex(x, y, Math.max(1e-6, tolerance))) continue;
      if (gapAtHighPrecision(a, b, vars, [p], tolerance)) return true;
    }
  } catch {
    // no wide check possible; the small points' agreement stands
  }
  return false;
}

/** Symbolic equality: simplify(a − b) = 0, else agreement at seeded random points. */
function compareSymbolic(a: Scalar, b: Scalar, options: VerifyOptions, vars: string[]): Verdict {
  const { seed = 0, signedVariables = false } = options;
  // Roots, logs and fractional powers differ between branches for negative inputs
  // (`\sqrt{V}/\sqrt{c}` vs `\sqrt{V/c}`): judged on positive values only, as answers assume,
  // unless `signedVariables` asks for every sign (then any difference, real or complex, counts).
  const branchy = !signedVariables &&
    [a, b].some((s) => s.t === "expr" && /nthRoot|sqrt|log|\^\s*\(?[^)]*\//.test(s.src));
  const cache = new Map<string, FloatScalar>();
  const tolerance = writtenTolerance(a, b);
  let agree = 0;
  let approximate = false;
  // Real agreement, and a gap seen only where a side is complex (a log's argument negative at a
  // positive point: `\ln\frac{x+1}{1-x}` vs `-\ln\frac{1-x}{x+1}` differ there by 2πi).
  let realAgree = 0;
  let branchGap = false;
  const complex = (z: { re: number; im: number }) =>
    Math.abs(z.im) > 1e-12 * Math.max(1, Math.abs(z.re));
  try {
    const fa = compiledOf(srcOf(a), cache);
    const fb = compiledOf(srcOf(b), GOLD_COMPILED);
    const points = samplePoints(vars, seed, 8);
    // Every variable negative at once, where a random draw may never put them all.
    if (signedVariables) points.push(Object.fromEntries(vars.map((v, k) => [v, -0.7 - 0.3 * k])));
    for (const p of points) {
      if (branchy && Object.values(p).some((x) => x < 0)) continue;
      const [x, y] = valuesAt(fa, fb, p);
      if (!x || !y) continue; // outside a side's domain or not finite: this point decides nothing
      // Both below 1e-150: float underflow (`x^{8542}` at x < 1 is 0), not evidence of equality.
      if (Math.hypot(x.re, x.im) < 1e-150 && Math.hypot(y.re, y.im) < 1e-150) continue;
      if (!closeComplex(x, y, 1e-9)) {
        if (tolerance > 0 && closeComplex(x, y, tolerance)) {
          approximate = true; // `x + 1.414i` vs `x + \sqrt2 i`: within the written precision
          agree++;
          continue;
        }
        if (closeComplex(x, y, 1e-6)) continue; // float noise near cancellation: not decisive
        if (branchy && (complex(x) || complex(y))) {
          branchGap = true; // a branch cut, not a different value: real points decide
          continue;
        }
        return NOT("value_differs");
      }
      agree++;
      if (!complex(x) && !complex(y)) realAgree++;
    }
  } catch {
    return UNSURE("eval_error");
  }
  if (branchGap && realAgree < 3) return NOT("value_differs");
  if (agree >= 3 && gapAtWidePoints(a, b, vars, branchy, tolerance, cache)) {
    return NOT("value_differs");
  }
  if (agree >= 3 && approximate) return EQUAL("decimal_precision");
  if (agree >= 3) {
    // Floats can hide a gap only past ~1e8 (`10^{20}x + 1` vs `10^{20}x`) or below 1e-6
    // (`x + 0.0000001`): only then re-check at 64 digits.
    const fine = [a, b].every((s) =>
      s.t === "num" || (magnitudeBound(s.node) <= 8 && !/\d{7,}|\.\d{6,}|e-/.test(s.src))
    );
    if (fine) return EQUAL("symbolic");
    // At 64 digits only a float64 printout keeps its tolerance (`0.9092974268256817 + x` for
    // `\sin 2 + x`); a shorter long decimal that is not exact stays apart (`0.333333333333333x^2`
    // vs `x^2/3`, as STACK's answer tests have it).
    return gapAtHighPrecision(
        a,
        b,
        vars,
        samplePoints(vars, seed, 2).map((p) =>
          Object.fromEntries(Object.entries(p).map(([v, x]) => [v, Math.abs(x)]))
        ),
        writtenTolerance(a, b, true),
      )
      ? NOT("value_differs")
      : EQUAL("symbolic");
  }
  // Few informative float points (exact zeros, underflow): the difference at 64 and 100 digits
  // decides, and a symbolic simplification to 0 stands only where those do not contradict it.
  const difference = `(${srcOf(a)}) - (${srcOf(b)})`;
  const vanish = vanishes(difference, vars, seed);
  if (vanish === false) return UNSURE("inconclusive");
  return vanish || simplifiesToZero(difference) ? EQUAL("symbolic") : UNSURE("inconclusive");
}

/**
 * Whether an expression is zero at three positive sample points, judged at 64 and 100 digits:
 * `\sin^2 x + \cos^2 x - 1` and `1/(x-1) + 1/(1-x)` leave a residue that shrinks with the extra
 * digits (by 15 orders at least, or below 1e-95), where a real value such as `0.5^{8542} x`
 * (which floats round to 0) stays put. Null when the expression cannot be evaluated so.
 */
function vanishes(src: string, vars: string[], seed: number): boolean | null {
  try {
    for (const p of samplePoints(vars, seed, 3)) {
      const at = (m: ReturnType<typeof big>) =>
        m.evaluate(src, Object.fromEntries(vars.map((v) => [v, m.bignumber(Math.abs(p[v]))])));
      const lo = at(big());
      const hi = at(bigHigh());
      if (!big().isBigNumber(lo) || !bigHigh().isBigNumber(hi)) return null;
      const [x, y] = [(lo as unknown as BigValue).abs(), (hi as unknown as BigValue).abs()];
      if (x.isNaN() || y.isNaN()) return null;
      if (x.isZero() && (y.isZero() || y.lt("1e-95"))) continue; // zero, or noise at 100 digits
      if (!isResidue(x, y)) return false;
    }
    return true;
  } catch {
    return null;
  }
}

/**
 * Relative tolerance granted by decimals written inside an expression: one side has only decimals
 * of 4+ significant digits (`1.414`), the other none; half a unit of the shortest one's last
 * digit, relative (at least {@linkcode FLOAT_ULPS} ulps for a float64 printout of 16+ digits).
 * 0 when no tolerance applies.
 */
function writtenTolerance(a: Scalar, b: Scalar, printoutsOnly = false): number {
  const decimals = (s: Scalar) => s.t === "expr" ? s.src.match(/\d*\.\d+/g) ?? [] : [];
  const [da, db] = [decimals(a), decimals(b)];
  if ((da.length > 0) === (db.length > 0)) return 0;
  const tolerances = [...da, ...db].map((d) => {
    const digits = d.replace(/^[0.]+/, "").replace(".", "").length;
    if (digits < (printoutsOnly ? FLOAT_DIGITS : 4)) return 0;
    const half = 0.5 * 10 ** (1 - digits);
    const x = Number(d);
    return digits >= FLOAT_DIGITS && x !== 0 ? Math.max(half, FLOAT_ULPS * ulpOf(x) / x) : half;
  });
  return Math.min(...tolerances);
}

/**
 * Floats agree to 1e-9; re-check the given points (two positive sample points, or a wide point)
 * with 64-digit BigNumbers so that `10^{20}x + 1` vs `10^{20}x` is told apart. True when a real
 * gap shows.
 */
function gapAtHighPrecision(
  a: Scalar,
  b: Scalar,
  vars: string[],
  points: Record<string, number>[],
  tolerance: number,
): boolean {
  try {
    const m = big();
    for (const p of points) {
      const scope: Record<string, unknown> = {};
      for (const v of vars) scope[v] = m.bignumber(p[v].toFixed(6));
      const x = m.evaluate(srcOf(a), scope) as unknown;
      const y = m.evaluate(srcOf(b), scope) as unknown;
      if (!m.isBigNumber(x) || !m.isBigNumber(y)) continue;
      const bx = x as BigValue;
      const by = y as BigValue;
      if (!bx.isFinite() || !by.isFinite() || bx.abs().gte("1e30")) continue;
      const gap = bx.minus(by).abs();
      // Within the precision of a written decimal (`0.9092974268256817 + x` for `\sin 2 + x`).
      const scale = bx.abs().gt(by.abs()) ? bx.abs() : by.abs();
      if (tolerance > 0 && gap.lte(scale.times(String(tolerance)))) continue;
      if (!closeBig(bx, by) && !gap.lt("1e-50")) return true;
    }
  } catch {
    // no high-precision check possible; the float agreement stands
  }
  return false;
}

function simplifiesToZero(src: string): boolean {
  try {
    const node = flt().parse(src) as MathNode;
    if (nodeCount(node) > 40) return false;
    return flt().simplify(node).toString() === "0";
  } catch {
    return false;
  }
}
