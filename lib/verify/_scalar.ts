/**
 * Scalar equivalence (DESIGN §5, items 1 and 3): exact rationals first, 64-digit BigNumber
 * evaluation for constants, relative tolerance only for written decimals (scaled to their stated
 * precision), a written `%` read both ways, degrees vs radians, and symbolic equality by seeded
 * random points (then simplify) with matching variables.
 * @module
 */
import { createRng } from "../util/mod.ts";
import {
  big,
  type BigNumber,
  flt,
  magnitudeBound,
  type MathNode,
  MAX_LOG10,
  nodeCount,
} from "./_math.ts";
import type { Parsed, Scalar } from "./_parse.ts";
import { ratEqual, type Rational, ratMul, ratRound, ratToString } from "./_rational.ts";
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

export function isScalar(p: Parsed): p is Scalar {
  return p.t === "num" || p.t === "expr";
}

export function srcOf(s: Scalar): string {
  return s.t === "num" ? `(${ratToString(s.value)})` : `(${s.src})`;
}

export function varsOf(s: Scalar): string[] {
  return s.t === "num" ? [] : s.vars;
}

/** Written decimal vs a value: equal when the value rounds to the decimal at its precision. */
function decimalMatch(a: Scalar, b: Scalar, bValue: Rational | null, bBig: BigValue | null) {
  if (a.t !== "num" || !a.lit?.isDecimal || a.lit.significant < 3) return false;
  const places = a.lit.decimals;
  if (b.t === "num" && b.lit?.isDecimal && b.lit.decimals < places) return false; // less precise
  if (bValue) return ratEqual(ratRound(bValue, places), a.value);
  if (bBig) {
    const lit = big().divide(
      big().bignumber(a.value.n.toString()),
      big().bignumber(a.value.d.toString()),
    );
    return bBig.toDecimalPlaces(places, 4).equals(lit as unknown as BigValue); // 4: round half up
  }
  return false;
}

function bigOf(s: Scalar, degreeToRadian: boolean): BigValue | { re: number; im: number } | null {
  let value: unknown;
  if (s.t === "num") {
    value = big().divide(
      big().bignumber(s.value.n.toString()),
      big().bignumber(s.value.d.toString()),
    );
  } else {
    value = s.node.evaluate({});
  }
  if (degreeToRadian) {
    value = big().multiply(value as BigValue, big().divide(big().pi, 180) as unknown as BigValue);
  }
  if (big().isBigNumber(value)) return value as unknown as BigValue;
  if (typeof value === "number") return big().bignumber(value);
  if (big().isComplex(value)) {
    const c = value as unknown as { re: number; im: number };
    return { re: c.re, im: c.im };
  }
  return null;
}

function closeBig(x: BigValue, y: BigValue): boolean {
  if (!x.isFinite() || !y.isFinite()) return x.equals(y);
  const diff = x.minus(y).abs();
  const scale = x.abs().gt(y.abs()) ? x.abs() : y.abs();
  return diff.lte(scale.times("1e-40")) || diff.lt("1e-60");
}

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

function hasPi(s: Scalar): boolean {
  return s.t === "expr" && /\bpi\b/.test(s.src);
}

function compareConstants(a: Scalar, b: Scalar, percent: boolean): Verdict {
  const aDeg = a.flags.degree && !b.flags.degree && hasPi(b);
  const bDeg = b.flags.degree && !a.flags.degree && hasPi(a);
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
    if (closeBig(bx, by)) return EQUAL("numeric");
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
  return closeComplex(asComplex(x), asComplex(y), 1e-12) ? EQUAL("numeric") : NOT("value_differs");
}

export interface FloatScalar {
  compiled?: { evaluate(scope: Record<string, number>): unknown };
}

export function compiledOf(src: string, cache: Map<string, FloatScalar>) {
  let entry = cache.get(src);
  if (!entry) {
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

/** Symbolic equality: simplify(a − b) = 0, else agreement at seeded random points. */
function compareSymbolic(a: Scalar, b: Scalar, options: VerifyOptions, vars: string[]): Verdict {
  const { seed = 0 } = options;
  // Real roots (nthRoot) and principal powers differ for negative inputs: judge those on the
  // positive points only.
  const branchy = [a, b].some((s) => s.t === "expr" && /nthRoot|\^\s*\(?[^)]*\//.test(s.src));
  const cache = new Map<string, FloatScalar>();
  let agree = 0;
  try {
    const fa = compiledOf(srcOf(a), cache);
    const fb = compiledOf(srcOf(b), cache);
    for (const p of samplePoints(vars, seed, 8)) {
      if (branchy && Object.values(p).some((x) => x < 0)) continue;
      const x = toComplex(fa.evaluate(p));
      const y = toComplex(fb.evaluate(p));
      if (!x || !y) continue;
      if (!closeComplex(x, y, 1e-9)) {
        if (closeComplex(x, y, 1e-6)) continue; // float noise near cancellation: not decisive
        return NOT("value_differs");
      }
      agree++;
    }
  } catch {
    return UNSURE("eval_error");
  }
  if (agree >= 3) return EQUAL("symbolic");
  return simplifiesToZero(`${srcOf(a)} - ${srcOf(b)}`) ? EQUAL("symbolic") : UNSURE("inconclusive");
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
