/**
 * Structured equivalence of parsed answers: equations as `lhs − rhs` up to a
 * constant factor, tuples and intervals with bracket types, sets and unordered lists, unions,
 * matrices and inequalities (optionally as intervals). Scalars go to `_scalar.ts`.
 * @module
 */
import { type Parsed, type Scalar, textAsExpression } from "./_parse.ts";
import { magnitudeBound, MAX_LOG10 } from "./_math.ts";
import { parseDecimal, ratEqual } from "./_rational.ts";
import {
  closeComplex,
  compareScalar,
  compiledOf,
  constantValue,
  EQUAL,
  type FloatScalar,
  infinite,
  isScalar,
  NOT,
  samplePoints,
  srcOf,
  toComplex,
  UNSURE,
  varsOf,
  type Verdict,
} from "./_scalar.ts";
import type { VerifyOptions } from "./types.ts";

export type { Verdict };
const MAX_ITEMS = 200;

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
  // `y = 2x + 3` and `f(x) = 2x + 3` define the same function of x
  const dependent = (l: Scalar, r: Scalar) =>
    l.t === "expr" && (l.norm === "y" || DEFINED.test(l.norm)) &&
    (l.norm === "y" || r.t !== "expr" || r.vars.includes(DEFINED.exec(l.norm)![1]));
  if (dependent(al, ar) && dependent(bl, br) && al.norm !== bl.norm) {
    const rhs = compareScalar(ar, br, o);
    if (rhs.result === "equal") return rhs;
  }
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
  let da, db;
  try {
    da = compiledOf(`${srcOf(al)} - ${srcOf(ar)}`, cache);
    db = compiledOf(`${srcOf(bl)} - ${srcOf(br)}`, cache);
  } catch {
    return UNSURE("eval_error");
  }
  // Not a constant multiple: the same solutions may still be written another way
  // (`xy = 1` vs `y = 1/x`, `1/x + 1/y = 2` vs `y = x/(2x-1)`).
  const differs = () =>
    sameZeroSet(da, db, vars, o.seed ?? 0) ? EQUAL("equation") : NOT("value_differs");
  try {
    for (const p of samplePoints(vars, o.seed ?? 0, 8)) {
      const x = toComplex(da.evaluate(p));
      const y = toComplex(db.evaluate(p));
      if (!x || !y) continue;
      const xZero = Math.hypot(x.re, x.im) < 1e-12;
      const yZero = Math.hypot(y.re, y.im) < 1e-12;
      if (xZero || yZero) {
        if (xZero !== yZero) return differs();
        continue;
      }
      const den = y.re * y.re + y.im * y.im;
      const r = { re: (x.re * y.re + x.im * y.im) / den, im: (x.im * y.re - x.re * y.im) / den };
      if (ratio && !closeComplex(r, ratio, 1e-8)) return differs();
      ratio = r;
      agree++;
    }
  } catch {
    return UNSURE("eval_error");
  }
  return agree >= 3 ? EQUAL("equation") : UNSURE("inconclusive");
}

type Compiled = { evaluate(scope: Record<string, number>): unknown };

/**
 * True when `f = 0` and `g = 0` have the same real solutions as far as sampling shows: along each
 * variable (the others at positive sample values), every sign-change root of one side in
 * [-10, 10] is a root of the other, and each side shows at least 3 such roots. A root seen by
 * one side only, or too few roots, gives false.
 */
function sameZeroSet(f: Compiled, g: Compiled, vars: string[], seed: number): boolean {
  const real = (c: Compiled, p: Record<string, number>): number | null => {
    try {
      const z = toComplex(c.evaluate(p));
      return z && Math.abs(z.im) <= 1e-12 * Math.max(1, Math.abs(z.re)) ? z.re : null;
    } catch {
      return null;
    }
  };
  // A root, not a pole or jump: tiny next to the values a step away.
  const isRoot = (c: Compiled, p: Record<string, number>, v: string): boolean => {
    const at = real(c, p);
    const left = real(c, { ...p, [v]: p[v] - 1e-3 });
    const right = real(c, { ...p, [v]: p[v] + 1e-3 });
    if (at === null || left === null || right === null) return false;
    return Math.abs(at) <= 1e-6 * Math.max(Math.abs(left), Math.abs(right));
  };
  // Same multiplicity: the sides' ratio settles near the root (`x = 1` vs `(x-1)^3 = 0` does not).
  const sameOrder = (c: Compiled, d: Compiled, p: Record<string, number>, v: string): boolean => {
    const ratios = [1e-3, 1e-5].map((h) => {
      const x = real(c, { ...p, [v]: p[v] + h });
      const y = real(d, { ...p, [v]: p[v] + h });
      return x === null || y === null || y === 0 ? NaN : Math.abs(x / y);
    });
    const [r1, r2] = ratios;
    return r1 > 0 && r2 > 0 && Number.isFinite(r1) && Number.isFinite(r2) &&
      Math.max(r1, r2) / Math.min(r1, r2) < 10;
  };
  const counts = [0, 0];
  for (const [k, [one, other]] of [[f, g], [g, f]].entries()) {
    for (const v of vars) {
      const rest = vars.filter((w) => w !== v);
      for (const base of samplePoints(rest, seed, 3)) {
        let prev: number | null = null;
        let prev2: number | null = null;
        for (let i = 0; i <= 400; i++) {
          const x = -10 + i * 0.05 + 1e-7;
          const y = real(one, { ...base, [v]: x });
          if (
            y !== null && prev !== null && prev2 !== null && Math.sign(y) === Math.sign(prev) &&
            Math.abs(prev) < Math.abs(y) && Math.abs(prev) < Math.abs(prev2)
          ) {
            // a touching root (`(y - x - 1)^2 = 0`) shows as a dip of |f| without a sign change
            let lo = x - 0.1;
            let hi = x;
            for (let it = 0; it < 80; it++) {
              const m1 = lo + (hi - lo) / 3;
              const m2 = hi - (hi - lo) / 3;
              const f1 = real(one, { ...base, [v]: m1 });
              const f2 = real(one, { ...base, [v]: m2 });
              if (f1 === null || f2 === null) break;
              if (Math.abs(f1) < Math.abs(f2)) hi = m2;
              else lo = m1;
            }
            const dip = { ...base, [v]: (lo + hi) / 2 };
            if (isRoot(one, dip, v) && !(isRoot(other, dip, v) && sameOrder(one, other, dip, v))) {
              return false;
            }
          }
          if (y !== null && prev !== null && y !== 0 && Math.sign(y) !== Math.sign(prev)) {
            let lo = x - 0.05;
            let hi = x;
            const loSign = Math.sign(prev);
            for (let it = 0; it < 60; it++) {
              const mid = (lo + hi) / 2;
              const m = real(one, { ...base, [v]: mid });
              if (m === null) break;
              if (Math.sign(m) === loSign) lo = mid;
              else hi = mid;
            }
            const root = { ...base, [v]: (lo + hi) / 2 };
            if (isRoot(one, root, v)) {
              if (!isRoot(other, root, v) || !sameOrder(one, other, root, v)) return false;
              counts[k]++;
            }
          }
          prev2 = prev;
          prev = y;
        }
      }
    }
  }
  return counts[0] >= 3 && counts[1] >= 3;
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
  return unsure
    ? UNSURE("inconclusive")
    : NOT(a.length === b.length ? "value_differs" : "length_differs");
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
  // Bare lists stay ordered by default: the MATH grader's own tests assert `10, 4, -2` differs
  // from `4, 10, -2`.
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
  if (!terms.every(isScalar) || ops.some((x) => x === "≠") || ops.length > 2) return null;
  const flip: Record<string, string> = { ">": "<", "≥": "≤", "<": ">", "≤": "≥" };
  if (ops.every((x) => x === ">" || x === "≥")) {
    terms = [...terms].reverse();
    ops = [...ops].reverse().map((x) => flip[x]);
  }
  if (!ops.every((x) => x === "<" || x === "≤")) return null;
  const isVar = (s: Parsed) =>
    s.t === "expr" && s.node.type === "SymbolNode" && s.vars.length === 1;
  const idx = terms.findIndex(isVar);
  if (idx < 0 || (ops.length === 2 && idx !== 1)) return null;
  const variable = (terms[idx] as Scalar & { t: "expr" }).vars[0];
  const lo = idx > 0 ? terms[idx - 1] as Scalar : null;
  const hi = idx < terms.length - 1 ? terms[idx + 1] as Scalar : null;
  return {
    variable,
    lo,
    hi,
    loClosed: idx > 0 && ops[idx - 1] === "≤",
    hiClosed: idx < ops.length && ops[idx] === "≤",
  };
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
    // `[[1,2],[3,4]]`: a list of equal-length rows is a matrix
    if (
      p.t === "seq" && p.kind !== "set" && p.items.length > 1 &&
      p.items.every((r) => r.t === "seq" && r.kind !== "set")
    ) {
      const rows = (p.items as (Parsed & { t: "seq" })[]).map((r) => r.items);
      if (rows.every((r) => r.length === rows[0].length)) return rows;
    }
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
  if (isChoice(a) && isChoice(b) && a.norm.toLowerCase() === b.norm.toLowerCase()) {
    return EQUAL("choice"); // multiple-choice letters: `c` vs `C`
  }
  if (isScalar(a) && isScalar(b)) return compareScalar(a, b, options);
  const comma = decimalComma(a, b) ?? decimalComma(b, a);
  if (comma) return comma;
  if (a.t === "text" || b.t === "text") {
    // `xyz` vs `x y z`, `abx + aby` vs `ab(x+y)`: letters read as variables when the other side
    // is an expression.
    const ea = a.t === "text" ? textAsExpression(a) : a;
    const eb = b.t === "text" ? textAsExpression(b) : b;
    if (ea && eb && isScalar(ea) && isScalar(eb)) {
      const v = compareScalar(ea, eb, options);
      if (v.result === "equal") return v;
    }
    return a.t === b.t ? NOT("value_differs") : NOT("type_mismatch");
  }
  const regions = a.t === "logic" || b.t === "logic" || (a.t === "union") !== (b.t === "union");
  if (regions && (options.inequalityAsInterval ?? true)) {
    // `x < -3 or x > 1` vs `(-\infty, -3) \cup (1, \infty)`, `x \ne 2` vs `(-\infty,2)\cup(2,\infty)`
    const ra = regionOf(a);
    const rb = regionOf(b);
    if (ra && rb) return compareRegions(ra, rb, options);
  }
  if (a.t === "eq" && b.t === "eq") return compareEquations(a, b, options);
  if (a.t === "eq" || b.t === "eq") {
    const eq = (a.t === "eq" ? a : b) as Parsed & { t: "eq" };
    const other = a.t === "eq" ? b : a;
    // `x = 3`, `f(x) = 2x + 1`, `(p, q) = (3, 2)` (a name on the left) or `\sqrt{4} = 2` (a
    // derivation with a constant left side): the right side is the value. `x^2 = 4` stays whole.
    if ((options.assignmentAsValue ?? true) && other.t !== "eq") {
      // `2 = x`: the name on the right, the value on the left.
      const value = isReversedAssignment(eq)
        ? eq.lhs
        : isAssignment(eq) || isDerivation(eq)
        ? eq.rhs
        : null;
      if (value) {
        return a.t === "eq"
          ? compareParsed(value, other, options)
          : compareParsed(other, value, options);
      }
    }
    return NOT("equation_vs_value");
  }
  if (a.t === "logic" || b.t === "logic") return compareLogic(a, b, options);
  if (a.t === "ineq" || b.t === "ineq") return compareInequality(a, b, options);
  if (a.t === "matrix" || b.t === "matrix") return compareMatrix(a, b, options);
  if (a.t === "seq" && b.t === "seq") {
    const values = (options.assignmentAsValue ?? true) ? assignedValues(a, b) : null;
    if (values) {
      // `x = 2, x = -3` (roots of one unknown) is a set of values; `x = 1, y = 2` is ordered.
      const roots = [a, b].some((s) =>
        s.items.length > 1 && s.items.every(isAssignment) &&
        new Set(s.items.map((x) => (x as Parsed & { t: "eq" }).lhs.norm)).size === 1
      );
      return roots
        ? unordered(values[0], values[1], options, false)
        : ordered(values[0], values[1], options);
    }
    return compareSeqs(a, b, options);
  }
  if (a.t === "union" && b.t === "union") return unordered(a.parts, b.parts, options, false);
  return NOT("type_mismatch");
}

/** A lone letter A–E, read as a multiple-choice answer. */
function isChoice(p: Parsed): boolean {
  return p.t === "expr" && /^[a-eA-E]$/.test(p.norm);
}

/**
 * `1,22` or `1000,99` (a decimal comma) vs the number 1.22: a bare list of two integers whose
 * second part is not a thousands group reads as that decimal.
 */
function decimalComma(list: Parsed, num: Parsed): Verdict | null {
  if (list.t !== "seq" || list.kind !== "list" || !list.raw || num.t !== "num") return null;
  const m = /^\s*([+-]?\d+),(\d+)\s*$/.exec(list.raw);
  if (!m || (m[2].length === 3 && m[1] !== "0")) return null;
  const value = parseDecimal(`${m[1]}.${m[2]}`);
  return value && ratEqual(value.value, num.value) ? EQUAL("decimal_comma") : null;
}

/** `f(x)` as the parser names it (`f__x_`): a one-letter function of one variable. */
const DEFINED = /^[a-zA-Z]__([a-z])_$/;
// A name: `x`, `f__x_` (f(x)), `a_n`, a segment `A * B` (AB), or `abs(A * B)` (|AB|).
const NAME =
  /^(?:[a-zA-Z]\w*(?: \* \(\w+(?:, \w+)*\))?|[A-Z](?: \* [A-Z])+|abs\([A-Z](?: \* [A-Z])+\))$/;

/**
 * A geometric name: `\angle APC`, `m\angle A`, `\overline{AB}`, `\widehat{ABC}` (capital points,
 * or one lowercase letter or digit after `\angle`).
 */
const GEOMETRIC_NAME =
  /^(?:m\s*)?\\(?:angle|measuredangle|overline|overarc|widehat|arc)\s*(?:\{\s*)?(?:[A-Z]{1,4}|[a-z]|\d)(?:\s*\})?$/;

const isConstant = (x: Parsed) => x.t === "num" || (x.t === "expr" && x.vars.length === 0);

/**
 * `x = 3`, `f(x) = 2x + 1`, `(p, q) = (3, 2)`: a name, or a tuple of names, on the left; or a
 * geometric name (`\angle APC = 74^\circ`) with a constant on the right.
 */
function isAssignment(p: Parsed): p is Parsed & { t: "eq" } {
  if (p.t !== "eq") return false;
  const l = p.lhs;
  if (l.t === "expr") return NAME.test(l.norm);
  if (l.t === "text") return GEOMETRIC_NAME.test((l.src ?? l.text).trim()) && isConstant(p.rhs);
  return l.t === "seq" && l.kind !== "set" && l.items.length > 0 &&
    l.items.every((x) => x.t === "expr" && NAME.test(x.norm));
}

/** `2 = x`: a constant assigned to a lone name written on the right (`7 = 11a + c` is not). */
function isReversedAssignment(p: Parsed & { t: "eq" }): boolean {
  return isConstant(p.lhs) && p.rhs.t === "expr" &&
    p.rhs.node.type === "SymbolNode" && p.rhs.vars.length === 1;
}

/**
 * `\sqrt{4} = 2`, `3 + 4 = 7`: both sides constant, so the equation states a value. (`7 = 11a + c`
 * is a constraint, not a value.)
 */
function isDerivation(p: Parsed & { t: "eq" }): boolean {
  return (isConstant(p.lhs) || p.opaque === true || isAskedQuantity(p.lhs)) && isConstant(p.rhs);
}

/**
 * `m + n`, `a + b + c`, `m n`: a sum or product of distinct names, the quantity a problem asks for
 * ("find m + n"), so `m + n = 256 + 37 = 293` states 293. `2x = 4` and `x^2 = 4` are equations.
 */
function isAskedQuantity(l: Parsed): boolean {
  if (l.t !== "expr") return false;
  const parts = l.norm.split(/ [+*] /);
  return parts.length > 1 && (!l.norm.includes("+") || !l.norm.includes("*")) &&
    parts.every((x) => /^[a-zA-Z](?:_\w+)?$/.test(x)) && new Set(parts).size === parts.length;
}

/** `x = 1, y = 2` vs `(1, 2)` under `assignmentAsValue`: the assigned values, in order. */
function assignedValues(a: Seq, b: Seq): [Parsed[], Parsed[]] | null {
  const values = (s: Seq) =>
    s.items.every(isAssignment) ? s.items.map((x) => (x as Parsed & { t: "eq" }).rhs) : null;
  const plain = (s: Seq) => s.kind !== "set" && s.items.every((x) => x.t !== "eq");
  if (values(a) && plain(b)) return [values(a)!, b.items];
  if (values(b) && plain(a)) return [a.items, values(b)!];
  return null;
}

function compareInequality(a: Parsed, b: Parsed, o: VerifyOptions): Verdict {
  if (a.t === "ineq" && b.t === "ineq") {
    const ia = ineqInterval(a);
    const ib = ineqInterval(b);
    if (ia && ib) {
      if (ia.variable !== ib.variable) return NOT("variables_differ");
      return compareIntervals(ia, ib, o);
    }
    const same = a.ops.join() === b.ops.join() ? ordered(a.terms, b.terms, o) : null;
    if (same?.result === "equal") return same;
    return compareRelations(a, b, o) ?? same ?? NOT("value_differs");
  }
  const ineq = (a.t === "ineq" ? a : b) as Parsed & { t: "ineq" };
  const other = a.t === "ineq" ? b : a;
  if (!(o.inequalityAsInterval ?? true)) return NOT("type_mismatch");
  const ia = ineqInterval(ineq);
  const it = other.t === "seq" ? tupleInterval(other) : null;
  if (!ia || !it) return NOT("type_mismatch");
  return a.t === "ineq" ? compareIntervals(ia, it, o) : compareIntervals(it, ia, o);
}

/**
 * A relation or chain as single relations `d op 0` with `op` in `<`, `≤`, in ascending order:
 * `2x ≥ x^2` becomes `x^2 - 2x ≤ 0`; `66 ≥ 6x > 0` becomes `0 - 6x < 0`, `6x - 66 ≤ 0`.
 */
function asRelations(p: Parsed & { t: "ineq" }): Relation[] | null {
  if (p.ops.length > 2 || !p.terms.every(isScalar)) return null;
  if (p.ops.includes("≠")) {
    // `x ≠ 1`, `1 ≠ x`: one relation `d ≠ 0`, its sign free.
    if (p.ops.length !== 1) return null;
    const [l, r] = p.terms as Scalar[];
    return [{ src: `${srcOf(l)} - ${srcOf(r)}`, strict: true, ne: true }];
  }
  const up = ascending(p);
  if (!up) return null;
  const { ops } = up;
  const terms = up.terms as Scalar[];
  return ops.map((op, k) => ({
    src: `${srcOf(terms[k])} - ${srcOf(terms[k + 1])}`,
    strict: op === "<",
    ne: false,
  }));
}

/**
 * A relation or chain written with `<`/`≤` (and `≠`): `3 \ge x > 1` turned round into `1 < x \le 3`.
 * Null when it mixes directions.
 */
function ascending(p: Parsed & { t: "ineq" }): { terms: Parsed[]; ops: string[] } | null {
  const down = (x: string) => x === ">" || x === "≥";
  if (!p.ops.some(down)) return { terms: p.terms, ops: p.ops };
  if (!p.ops.every(down)) return null;
  return {
    terms: [...p.terms].reverse(),
    ops: [...p.ops].reverse().map((x) => (x === ">" ? "<" : "≤")),
  };
}

/** `d < 0`, `d ≤ 0` or (`ne`) `d ≠ 0`. */
interface Relation {
  src: string;
  strict: boolean;
  ne: boolean;
}

/**
 * Relations written either way round or scaled by a positive constant (`2x ≥ x^2` vs `x^2 ≤ 2x`,
 * `4 > 2x` vs `x < 2`, `-10 < 6x + 14 ≤ 44` vs `-5 < 3x + 7 ≤ 22`): equal when each `d_a = k·d_b`
 * with one constant `k > 0` at every sample point (any `k ≠ 0` for `≠`: `x ≠ 1` vs `1 ≠ x`,
 * `(x+1)^2 ≠ 0` vs `0 ≠ x^2+2x+1`). Null when they cannot be read this way.
 */
function compareRelations(
  a: Parsed & { t: "ineq" },
  b: Parsed & { t: "ineq" },
  o: VerifyOptions,
): Verdict | null {
  const constant = [...a.terms, ...b.terms].every((t) => isScalar(t) && varsOf(t).length === 0);
  if (constant) return constantRelations(a, b, o);
  const ra = asRelations(a);
  const rb = asRelations(b);
  if (!ra || !rb || ra.length !== rb.length) return null;
  const verdicts = ra.map((r, k) => scaledRelation(r, rb[k], a, b, o));
  if (verdicts.some((v) => v === null)) return null;
  return combine(verdicts as Verdict[], "relation");
}

/**
 * Relations between numbers alone (`1 < 2` vs `2 > 1`, `-1 \le 2 \le 3` vs `3 \ge 2 \ge -1`,
 * `3 \ne 2` vs `2 \ne 3`): the same statement written either way round, term by term; two
 * different true statements (`1 < 2`, `1 < 3`) are not the same answer. Null when a side mixes
 * directions.
 */
function constantRelations(
  a: Parsed & { t: "ineq" },
  b: Parsed & { t: "ineq" },
  o: VerifyOptions,
): Verdict | null {
  const ua = ascending(a);
  const ub = ascending(b);
  if (!ua || !ub) return null;
  if (ua.ops.join() !== ub.ops.join()) return NOT("value_differs");
  const terms = (x: Parsed[], y: Parsed[]) => combine(x.map((t, k) => compareParsed(t, y[k], o)));
  const same = terms(ua.terms, ub.terms);
  if (same.result === "equal" || ua.ops.join() !== "≠") return same;
  return terms(ua.terms, [...ub.terms].reverse()); // `≠` reads both ways
}

function scaledRelation(
  ra: Relation,
  rb: Relation,
  a: Parsed & { t: "ineq" },
  b: Parsed & { t: "ineq" },
  o: VerifyOptions,
): Verdict | null {
  if (ra.strict !== rb.strict || ra.ne !== rb.ne) return NOT("value_differs");
  const vars = [...new Set([...a.terms, ...b.terms].flatMap((t) => varsOf(t as Scalar)))].sort();
  if (vars.length === 0) return null;
  for (const t of [...a.terms, ...b.terms] as Scalar[]) {
    if (t.t === "expr" && !(magnitudeBound(t.node) <= MAX_LOG10)) return UNSURE("too_large");
  }
  const cache = new Map<string, FloatScalar>();
  let ratio: number | null = null;
  let agree = 0;
  try {
    const da = compiledOf(ra.src, cache);
    const db = compiledOf(rb.src, cache);
    for (const p of samplePoints(vars, o.seed ?? 0, 8)) {
      const x = toComplex(da.evaluate(p));
      const y = toComplex(db.evaluate(p));
      if (!x || !y || Math.abs(x.im) > 1e-12 || Math.abs(y.im) > 1e-12) continue;
      const xZero = Math.abs(x.re) < 1e-12;
      const yZero = Math.abs(y.re) < 1e-12;
      if (xZero || yZero) {
        if (xZero !== yZero) return NOT("value_differs");
        continue;
      }
      const r = x.re / y.re;
      if ((r <= 0 && !ra.ne) || (ratio !== null && Math.abs(r - ratio) > 1e-8 * Math.abs(ratio))) {
        return NOT("value_differs");
      }
      ratio = r;
      agree++;
    }
  } catch {
    return UNSURE("eval_error");
  }
  return agree >= 3 ? EQUAL("relation") : null;
}

/** One end of a span: `s` null for an infinite end, `v` its value for ordering. */
interface End {
  s: Scalar | null;
  v: number;
  closed: boolean;
}

/** A set of values of one variable (`null` when only intervals say it) as disjoint sorted spans. */
interface Region {
  variable: string | null;
  spans: { lo: End; hi: End }[];
}

const near = (x: number, y: number) =>
  x === y ||
  (Number.isFinite(x) && Number.isFinite(y) &&
    Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(x), Math.abs(y)));

function end(s: Scalar | null, sign: number, closed: boolean): End | null {
  if (s === null) return { s: null, v: sign * Infinity, closed: false };
  const v = constantValue(s);
  if (v === null) return null;
  return Number.isFinite(v) ? { s, v, closed } : { s: null, v, closed: false };
}

function span(
  variable: string | null,
  iv: Omit<IntervalForm, "variable">,
): Region | null {
  const lo = end(iv.lo, -1, iv.loClosed);
  const hi = end(iv.hi, 1, iv.hiClosed);
  return lo && hi ? { variable, spans: normalSpans([{ lo, hi }]) } : null;
}

/** Drops empty spans, sorts, and merges overlapping or touching ones. */
function normalSpans(spans: Region["spans"]): Region["spans"] {
  const live = spans.filter(({ lo, hi }) =>
    near(lo.v, hi.v) ? lo.closed && hi.closed && Number.isFinite(lo.v) : lo.v < hi.v
  ).sort((x, y) =>
    near(x.lo.v, y.lo.v) ? Number(y.lo.closed) - Number(x.lo.closed) : x.lo.v - y.lo.v
  );
  const out: Region["spans"] = [];
  for (const sp of live) {
    const cur = out[out.length - 1];
    if (
      cur && (sp.lo.v < cur.hi.v && !near(sp.lo.v, cur.hi.v) ||
        near(sp.lo.v, cur.hi.v) && (sp.lo.closed || cur.hi.closed))
    ) {
      if (near(sp.hi.v, cur.hi.v)) cur.hi = { ...cur.hi, closed: cur.hi.closed || sp.hi.closed };
      else if (sp.hi.v > cur.hi.v) cur.hi = sp.hi;
    } else out.push({ ...sp });
  }
  return out;
}

function joinVariables(a: Region, b: Region): string | null | undefined {
  if (a.variable !== null && b.variable !== null && a.variable !== b.variable) return undefined;
  return a.variable ?? b.variable;
}

function intersect(a: Region, b: Region): Region | null {
  const variable = joinVariables(a, b);
  if (variable === undefined) return null;
  const spans: Region["spans"] = [];
  for (const x of a.spans) {
    for (const y of b.spans) {
      const lo = near(x.lo.v, y.lo.v)
        ? { ...x.lo, closed: x.lo.closed && y.lo.closed }
        : x.lo.v > y.lo.v
        ? x.lo
        : y.lo;
      const hi = near(x.hi.v, y.hi.v)
        ? { ...x.hi, closed: x.hi.closed && y.hi.closed }
        : x.hi.v < y.hi.v
        ? x.hi
        : y.hi;
      spans.push({ lo, hi });
    }
  }
  return { variable, spans: normalSpans(spans) };
}

/**
 * The values a relation, a chain, `x = c`, an interval, a union or an `or` / `and` of these
 * allow, when every bound is a real constant; null otherwise.
 */
function regionOf(p: Parsed): Region | null {
  const isVar = (s: Parsed): s is Scalar & { t: "expr" } =>
    s.t === "expr" && s.node.type === "SymbolNode" && s.vars.length === 1;
  if (p.t === "ineq") {
    const iv = ineqInterval(p);
    if (iv) return span(iv.variable, iv);
    if (p.ops.length !== 1 || p.ops[0] !== "≠" || !p.terms.every(isScalar)) return null;
    const k = p.terms.findIndex(isVar);
    if (k < 0) return null;
    const c = p.terms[1 - k] as Scalar;
    const variable = (p.terms[k] as Scalar & { t: "expr" }).vars[0];
    const below = span(variable, { lo: null, hi: c, loClosed: false, hiClosed: false });
    const above = span(variable, { lo: c, hi: null, loClosed: false, hiClosed: false });
    return below && above
      ? { variable, spans: normalSpans([...below.spans, ...above.spans]) }
      : null;
  }
  if (p.t === "eq" && isScalar(p.rhs) && isVar(p.lhs)) {
    return span(p.lhs.vars[0], { lo: p.rhs, hi: p.rhs, loClosed: true, hiClosed: true });
  }
  if (p.t === "seq" && p.kind === "set") {
    // `\{5\}`, `\emptyset`: points
    if (!p.items.every(isScalar)) return null;
    const points = (p.items as Scalar[]).map((c) =>
      span(null, { lo: c, hi: c, loClosed: true, hiClosed: true })
    );
    if (points.some((r) => r === null)) return null;
    return { variable: null, spans: normalSpans((points as Region[]).flatMap((r) => r.spans)) };
  }
  if (p.t === "seq") {
    const iv = tupleInterval(p);
    return iv ? span(null, iv) : null;
  }
  if (p.t === "union" || (p.t === "logic" && p.op === "or")) {
    const parts = p.parts.map(regionOf);
    if (parts.some((r) => r === null)) return null;
    let variable: string | null = null;
    for (const r of parts as Region[]) {
      if (r.variable !== null && variable !== null && r.variable !== variable) return null;
      variable ??= r.variable;
    }
    return { variable, spans: normalSpans((parts as Region[]).flatMap((r) => r.spans)) };
  }
  if (p.t === "logic") {
    let acc: Region | null = regionOf(p.parts[0]);
    for (const part of p.parts.slice(1)) {
      const r = regionOf(part);
      acc = acc && r ? intersect(acc, r) : null;
    }
    return acc;
  }
  return null;
}

function compareRegions(a: Region, b: Region, o: VerifyOptions): Verdict {
  if (joinVariables(a, b) === undefined) return NOT("variables_differ");
  if (a.spans.length !== b.spans.length) return NOT("value_differs");
  const ends = (x: End, y: End): Verdict => {
    if (x.s === null || y.s === null) {
      return x.s === y.s && x.v === y.v ? EQUAL("structure") : NOT("value_differs");
    }
    const v = compareScalar(x.s, y.s, o);
    if (v.result !== "equal") return v;
    return x.closed === y.closed ? v : NOT("bracket_differs");
  };
  return combine(
    a.spans.flatMap((x, k) => [ends(x.lo, b.spans[k].lo), ends(x.hi, b.spans[k].hi)]),
    "interval",
  );
}

/**
 * Relations joined by `or` / `and` that are not intervals of one variable: the same connective
 * over the same relations in any order (a comma list reads as `and`).
 */
function compareLogic(a: Parsed, b: Parsed, o: VerifyOptions): Verdict {
  const parts = (p: Parsed, op: string): Parsed[] | null =>
    p.t === "logic"
      ? (p.op === op ? p.parts : null)
      : p.t === "seq" && p.kind === "list" && op === "and"
      ? p.items
      : null;
  const op = a.t === "logic" ? a.op : (b as Parsed & { t: "logic" }).op;
  const pa = parts(a, op);
  const pb = parts(b, op);
  if (!pa || !pb) return NOT("type_mismatch");
  return unordered(pa, pb, o, false);
}
