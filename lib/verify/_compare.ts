/**
 * Equivalence of parsed answers (DESIGN §5, items 1, 3, 4): exact rationals first, 64-digit
 * BigNumber evaluation for constants, relative tolerance only for written decimals (scaled to their
 * stated precision), symbolic equality by simplify and then seeded random points with matching
 * variables, and structure-aware comparison of tuples, sets, intervals, matrices, equations and
 * inequalities.
 * @module
 */
import { createRng } from "../util/mod.ts";
import {
  big,
  type BigNumber,
  flt,
  magnitudeBound,
  MAX_LOG10,
  type MathNode,
  nodeCount,
} from "./_math.ts";
import type { Parsed, Scalar } from "./_parse.ts";
import { type Rational, ratEqual, ratMul, ratRound, ratToString } from "./_rational.ts";
import type { VerifyOptions, VerifyOutcome } from "./types.ts";

/** Outcome and reason code of one comparison. */
export interface Verdict {
  result: VerifyOutcome;
  reason: string;
}

const EQUAL = (reason: string): Verdict => ({ result: "equal", reason });
const NOT = (reason: string): Verdict => ({ result: "not_equal", reason });
const UNSURE = (reason: string): Verdict => ({ result: "unverifiable", reason });
const MAX_ITEMS = 200;

type BigValue = BigNumber;

function isScalar(p: Parsed): p is Scalar {
  return p.t === "num" || p.t === "expr";
}

function srcOf(s: Scalar): string {
  return s.t === "num" ? `(${ratToString(s.value)})` : `(${s.src})`;
}

function varsOf(s: Scalar): string[] {
  return s.t === "num" ? [] : s.vars;
}

/** Written decimal vs a value: equal when the value rounds to the decimal at its precision. */
function decimalMatch(a: Scalar, b: Scalar, bValue: Rational | null, bBig: BigValue | null) {
  if (a.t !== "num" || !a.lit?.isDecimal || a.lit.significant < 2) return false;
  const places = a.lit.decimals;
  if (b.t === "num" && b.lit?.isDecimal && b.lit.decimals < places) return false; // less precise
  if (bValue) return ratEqual(ratRound(bValue, places), a.value);
  if (bBig) {
    const lit = big.divide(big.bignumber(a.value.n.toString()), big.bignumber(a.value.d.toString()));
    return bBig.toDecimalPlaces(places, 4).equals(lit as unknown as BigValue); // 4: round half up
  }
  return false;
}

function bigOf(s: Scalar, degreeToRadian: boolean): BigValue | { re: number; im: number } | null {
  let value: unknown;
  if (s.t === "num") {
    value = big.divide(big.bignumber(s.value.n.toString()), big.bignumber(s.value.d.toString()));
  } else {
    value = s.node.evaluate({});
  }
  if (degreeToRadian) value = big.multiply(value as BigValue, big.divide(big.pi, 180) as unknown as BigValue);
  if (big.isBigNumber(value)) return value as unknown as BigValue;
  if (typeof value === "number") return big.bignumber(value);
  if (big.isComplex(value)) {
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

function closeComplex(x: { re: number; im: number }, y: { re: number; im: number }, rel: number) {
  const diff = Math.hypot(x.re - y.re, x.im - y.im);
  const scale = Math.max(Math.hypot(x.re, x.im), Math.hypot(y.re, y.im));
  return diff <= rel * scale || diff < 1e-12;
}

function asComplex(v: BigValue | { re: number; im: number }): { re: number; im: number } {
  return big.isBigNumber(v) ? { re: Number((v as BigValue).toString()), im: 0 } : v as { re: number; im: number };
}

/** Compares two scalars; `a` is the prediction, `b` the gold. */
export function compareScalar(a: Scalar, b: Scalar, options: VerifyOptions): Verdict {
  const { percent = false } = options;
  if (a.t === "num" && b.t === "num") {
    if (ratEqual(a.value, b.value)) return EQUAL("exact");
    if (decimalMatch(a, b, b.value, null) || decimalMatch(b, a, a.value, null)) {
      return EQUAL("decimal_precision");
    }
    if (percent) {
      const hundred = { n: 100n, d: 1n };
      if (ratEqual(ratMul(a.value, hundred), b.value) || ratEqual(a.value, ratMul(b.value, hundred))) {
        return EQUAL("percent");
      }
    }
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
  if (big.isBigNumber(x) && big.isBigNumber(y)) {
    const bx = x as BigValue;
    const by = y as BigValue;
    if (bx.isNaN() || by.isNaN()) return UNSURE("eval_error");
    if (closeBig(bx, by)) return EQUAL("numeric");
    const aRat = a.t === "num" ? a.value : null;
    const bRat = b.t === "num" ? b.value : null;
    if (decimalMatch(a, b, bRat, by) || decimalMatch(b, a, aRat, bx)) {
      return EQUAL("decimal_precision");
    }
    if (percent && (closeBig(bx.times(100), by) || closeBig(bx, by.times(100)))) {
      return EQUAL("percent");
    }
    return NOT("value_differs");
  }
  return closeComplex(asComplex(x), asComplex(y), 1e-12) ? EQUAL("numeric") : NOT("value_differs");
}

interface FloatScalar {
  compiled?: { evaluate(scope: Record<string, number>): unknown };
}

function compiledOf(src: string, cache: Map<string, FloatScalar>) {
  let entry = cache.get(src);
  if (!entry) {
    entry = { compiled: flt.compile(src) };
    cache.set(src, entry);
  }
  return entry.compiled!;
}

function toComplex(v: unknown): { re: number; im: number } | null {
  if (typeof v === "number") return Number.isFinite(v) ? { re: v, im: 0 } : null;
  if (flt.isComplex(v)) {
    const c = v as unknown as { re: number; im: number };
    return Number.isFinite(c.re) && Number.isFinite(c.im) ? { re: c.re, im: c.im } : null;
  }
  return null;
}

/** Seeded sample points: positive values first (safe domains), then signed ones. */
function samplePoints(vars: string[], seed: number, count: number): Record<string, number>[] {
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
    const node = flt.parse(src) as MathNode;
    if (nodeCount(node) > 80) return false;
    return flt.simplify(node).toString() === "0";
  } catch {
    return false;
  }
}

/** Equations compare as `lhs − rhs` up to a non-zero constant factor; never by their right sides. */
function compareEquations(a: Parsed & { t: "eq" }, b: Parsed & { t: "eq" }, o: VerifyOptions) {
  const sides = [a.lhs, a.rhs, b.lhs, b.rhs];
  if (!sides.every(isScalar)) {
    const direct = combine([compareParsed(a.lhs, b.lhs, o), compareParsed(a.rhs, b.rhs, o)]);
    return direct;
  }
  const [al, ar, bl, br] = sides as Scalar[];
  const same = combine([compareScalar(al, bl, o), compareScalar(ar, br, o)]);
  if (same.result === "equal") return same;
  const swapped = combine([compareScalar(al, br, o), compareScalar(ar, bl, o)]);
  if (swapped.result === "equal") return swapped;
  const vars = [...new Set([...varsOf(al), ...varsOf(ar)])].sort();
  const varsB = [...new Set([...varsOf(bl), ...varsOf(br)])].sort();
  if (vars.join(",") !== varsB.join(",")) return NOT("variables_differ");
  if (vars.length === 0) return same;
  for (const s of sides as Scalar[]) {
    if (s.t === "expr" && !(magnitudeBound(s.node) <= MAX_LOG10)) return UNSURE("too_large");
  }
  const cache = new Map<string, FloatScalar>();
  let ratio: { re: number; im: number } | null = null;
  let agree = 0;
  try {
    const da = compiledOf(`${srcOf(al)} - ${srcOf(ar)}`, cache);
    const db = compiledOf(`${srcOf(bl)} - ${srcOf(br)}`, cache);
    for (const p of samplePoints(vars, o.seed ?? 0, 8)) {
      const x = toComplex(da.evaluate(p));
      const y = toComplex(db.evaluate(p));
      if (!x || !y) continue;
      const xZero = Math.hypot(x.re, x.im) < 1e-12;
      const yZero = Math.hypot(y.re, y.im) < 1e-12;
      if (xZero || yZero) {
        if (xZero !== yZero) return NOT("value_differs");
        continue;
      }
      const den = y.re * y.re + y.im * y.im;
      const r = { re: (x.re * y.re + x.im * y.im) / den, im: (x.im * y.re - x.re * y.im) / den };
      if (ratio && !closeComplex(r, ratio, 1e-8)) return NOT("value_differs");
      ratio = r;
      agree++;
    }
  } catch {
    return UNSURE("eval_error");
  }
  return agree >= 3 ? EQUAL("equation") : UNSURE("inconclusive");
}

/** Combines item verdicts: any not_equal wins, then any unverifiable, else equal. */
function combine(vs: Verdict[], equalReason = "structure"): Verdict {
  const bad = vs.find((v) => v.result === "not_equal");
  if (bad) return bad;
  const unsure = vs.find((v) => v.result === "unverifiable");
  if (unsure) return unsure;
  return EQUAL(vs.length === 1 ? vs[0].reason : equalReason);
}

function ordered(a: Parsed[], b: Parsed[], o: VerifyOptions): Verdict {
  if (a.length !== b.length) return NOT("length_differs");
  const vs: Verdict[] = [];
  for (let k = 0; k < a.length; k++) {
    const v = compareParsed(a[k], b[k], o);
    if (v.result === "not_equal") return v;
    vs.push(v);
  }
  return combine(vs);
}

/** Unordered: multiset pairing (lists) or mutual coverage (sets, duplicates collapse). */
function unordered(a: Parsed[], b: Parsed[], o: VerifyOptions, multiset: boolean): Verdict {
  if (multiset && a.length !== b.length) return NOT("length_differs");
  if (a.length * b.length > MAX_ITEMS * MAX_ITEMS) return UNSURE("too_large");
  let unsure = false;
  const cover = (xs: Parsed[], ys: Parsed[], pred: boolean) => {
    const used = new Set<number>();
    for (const x of xs) {
      let found = -1;
      for (let j = 0; j < ys.length && found < 0; j++) {
        if (multiset && used.has(j)) continue;
        const v = pred ? compareParsed(x, ys[j], o) : compareParsed(ys[j], x, o);
        if (v.result === "equal") found = j;
        else if (v.result === "unverifiable") unsure = true;
      }
      if (found < 0) return false;
      used.add(found);
    }
    return true;
  };
  if (cover(a, b, true) && (multiset || cover(b, a, false))) return EQUAL("structure");
  return unsure ? UNSURE("inconclusive") : NOT(a.length === b.length ? "value_differs" : "length_differs");
}

type Seq = Parsed & { t: "seq" };

function compareSeqs(a: Seq, b: Seq, o: VerifyOptions): Verdict {
  if (a.kind === "set" || b.kind === "set") {
    const other = a.kind === "set" ? b : a;
    if (other.kind === "tuple") return NOT("type_mismatch");
    return unordered(a.items, b.items, o, false);
  }
  if (a.kind === "tuple" && b.kind === "tuple") {
    const items = ordered(a.items, b.items, o);
    if (items.result === "equal" && (a.open !== b.open || a.close !== b.close)) {
      return NOT("bracket_differs");
    }
    return items;
  }
  if (a.kind === "tuple" || b.kind === "tuple") {
    const t = a.kind === "tuple" ? a : b;
    if (t.open !== "(" || t.close !== ")") return NOT("type_mismatch");
  }
  const allEq = a.items.every((x) => x.t === "eq") && b.items.every((x) => x.t === "eq");
  return o.unordered || allEq ? unordered(a.items, b.items, o, true) : ordered(a.items, b.items, o);
}

interface IntervalForm {
  variable: string;
  lo: Scalar | null;
  hi: Scalar | null;
  loClosed: boolean;
  hiClosed: boolean;
}

function ineqInterval(p: Parsed & { t: "ineq" }): IntervalForm | null {
  let terms = p.terms as Parsed[];
  let ops = p.ops;
  if (!terms.every(isScalar) || ops.some((x) => x === "!=") || ops.length > 2) return null;
  if (ops.every((x) => x[0] === ">")) {
    terms = [...terms].reverse();
    ops = [...ops].reverse().map((x) => (x[0] === ">" ? "<" : ">") + x.slice(1));
  }
  if (!ops.every((x) => x[0] === "<")) return null;
  const isVar = (s: Parsed) => s.t === "expr" && s.node.type === "SymbolNode" && s.vars.length === 1;
  const idx = terms.findIndex(isVar);
  if (idx < 0 || (ops.length === 2 && idx !== 1)) return null;
  const variable = (terms[idx] as Scalar & { t: "expr" }).vars[0];
  const lo = idx > 0 ? terms[idx - 1] as Scalar : null;
  const hi = idx < terms.length - 1 ? terms[idx + 1] as Scalar : null;
  return {
    variable,
    lo,
    hi,
    loClosed: idx > 0 && ops[idx - 1] === "<=",
    hiClosed: idx < ops.length && ops[idx] === "<=",
  };
}

function infinite(s: Parsed, sign: number): boolean {
  return s.t === "expr" && s.src.replace(/[()\s]/g, "") === (sign < 0 ? "-Infinity" : "Infinity");
}

function tupleInterval(p: Seq): Omit<IntervalForm, "variable"> | null {
  if (p.kind !== "tuple" || p.items.length !== 2 || !p.items.every(isScalar)) return null;
  const [lo, hi] = p.items as Scalar[];
  return {
    lo: infinite(lo, -1) ? null : lo,
    hi: infinite(hi, 1) ? null : hi,
    loClosed: p.open === "[",
    hiClosed: p.close === "]",
  };
}

function compareIntervals(a: Omit<IntervalForm, "variable">, b: typeof a, o: VerifyOptions) {
  const bound = (x: Scalar | null, y: Scalar | null): Verdict =>
    x === null || y === null
      ? (x === y ? EQUAL("structure") : NOT("value_differs"))
      : compareScalar(x, y, o);
  const v = combine([bound(a.lo, b.lo), bound(a.hi, b.hi)]);
  if (v.result !== "equal") return v;
  const closedSame = (a.lo === null || a.loClosed === b.loClosed) &&
    (a.hi === null || a.hiClosed === b.hiClosed);
  return closedSame ? EQUAL("structure") : NOT("bracket_differs");
}

function compareMatrix(a: Parsed, b: Parsed, o: VerifyOptions): Verdict {
  const rowsOf = (p: Parsed): Parsed[][] | null => {
    if (p.t === "matrix") return p.rows;
    if (p.t === "seq" && p.kind !== "set") return [p.items];
    return null;
  };
  const ra = rowsOf(a);
  const rb = rowsOf(b);
  if (!ra || !rb) return NOT("type_mismatch");
  const flat = (r: Parsed[][]) =>
    r.length === 1 ? r[0] : r.every((row) => row.length === 1) ? r.map((row) => row[0]) : null;
  if (ra.length === rb.length && ra.every((row, k) => row.length === rb[k].length)) {
    return ordered(ra.flat(), rb.flat(), o);
  }
  const fa = flat(ra);
  const fb = flat(rb);
  if (fa && fb && (a.t !== "matrix" || b.t !== "matrix")) return ordered(fa, fb, o);
  return NOT("length_differs");
}

/**
 * Compares a parsed prediction with a parsed gold.
 *
 * @param a The prediction.
 * @param b The gold.
 * @param options Per-call options.
 * @returns The verdict with its reason.
 */
export function compareParsed(a: Parsed, b: Parsed, options: VerifyOptions): Verdict {
  if (a.norm === b.norm) return EQUAL("identical");
  if (isScalar(a) && isScalar(b)) return compareScalar(a, b, options);
  if (a.t === "text" || b.t === "text") {
    return a.t === b.t ? NOT("value_differs") : NOT("type_mismatch");
  }
  if (a.t === "eq" && b.t === "eq") return compareEquations(a, b, options);
  if (a.t === "eq" || b.t === "eq") {
    const eq = (a.t === "eq" ? a : b) as Parsed & { t: "eq" };
    const other = a.t === "eq" ? b : a;
    const lhsIsVar = eq.lhs.t === "expr" && eq.lhs.node.type === "SymbolNode";
    if (options.assignmentAsValue && lhsIsVar && other.t !== "eq") {
      return a.t === "eq" ? compareParsed(eq.rhs, other, options) : compareParsed(other, eq.rhs, options);
    }
    return NOT("equation_vs_value");
  }
  if (a.t === "ineq" || b.t === "ineq") return compareInequality(a, b, options);
  if (a.t === "matrix" || b.t === "matrix") return compareMatrix(a, b, options);
  if (a.t === "seq" && b.t === "seq") return compareSeqs(a, b, options);
  if (a.t === "union" && b.t === "union") return unordered(a.parts, b.parts, options, false);
  return NOT("type_mismatch");
}

function compareInequality(a: Parsed, b: Parsed, o: VerifyOptions): Verdict {
  if (a.t === "ineq" && b.t === "ineq") {
    const ia = ineqInterval(a);
    const ib = ineqInterval(b);
    if (ia && ib) {
      if (ia.variable !== ib.variable) return NOT("variables_differ");
      return compareIntervals(ia, ib, o);
    }
    if (a.ops.join() !== b.ops.join()) return NOT("value_differs");
    return ordered(a.terms, b.terms, o);
  }
  const ineq = (a.t === "ineq" ? a : b) as Parsed & { t: "ineq" };
  const other = a.t === "ineq" ? b : a;
  if (!o.inequalityAsInterval) return NOT("type_mismatch");
  const ia = ineqInterval(ineq);
  const it = other.t === "seq" ? tupleInterval(other) : null;
  if (!ia || !it) return NOT("type_mismatch");
  return a.t === "ineq" ? compareIntervals(ia, it, o) : compareIntervals(it, ia, o);
}
