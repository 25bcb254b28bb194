/**
 * Exact rationals on BigInt for the verifier's fast path and exact evaluator:
 * integers and rationals compare exactly, big integers never pass through floats).
 * @module
 */

/** A reduced rational `n / d` with `d > 0`. */
export interface Rational {
  n: bigint;
  d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Builds a reduced rational; `null` when the denominator is zero. */
export function rat(n: bigint, d: bigint = 1n): Rational | null {
  if (d === 0n) return null;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  return g > 1n ? { n: n / g, d: d / g } : { n, d };
}

/** Exact equality. */
export function ratEqual(a: Rational, b: Rational): boolean {
  return a.n === b.n && a.d === b.d;
}

/** a + b */
export function ratAdd(a: Rational, b: Rational): Rational {
  return rat(a.n * b.d + b.n * a.d, a.d * b.d) as Rational;
}

/** a × b */
export function ratMul(a: Rational, b: Rational): Rational {
  return rat(a.n * b.n, a.d * b.d) as Rational;
}

/** a ÷ b, `null` on division by zero. */
export function ratDiv(a: Rational, b: Rational): Rational | null {
  return rat(a.n * b.d, a.d * b.n);
}

/** a^k for an integer k (negative allowed unless a = 0). */
export function ratPow(a: Rational, k: bigint): Rational | null {
  if (k >= 0n) return { n: a.n ** k, d: a.d ** k };
  if (a.n === 0n) return null;
  return rat(a.d ** -k, a.n ** -k);
}

/** Approximate log10 |a| from digit counts (exact enough for magnitude caps). */
export function ratLog10(a: Rational): number {
  if (a.n === 0n) return -Infinity;
  const digits = (x: bigint) => {
    const s = (x < 0n ? -x : x).toString();
    return s.length - 1 + Math.log10(Number(s.slice(0, 15)) / 10 ** Math.min(14, s.length - 1));
  };
  return digits(a.n) - digits(a.d);
}

/** The value as a float (for tolerance checks on decimals only). */
export function ratToNumber(a: Rational): number {
  const l = ratLog10(a);
  if (Math.abs(l) < 300 && a.n.toString().length < 300 && a.d.toString().length < 300) {
    return Number(a.n) / Number(a.d);
  }
  return a.n === 0n ? 0 : (a.n < 0n ? -1 : 1) * 10 ** l;
}

/** Parsed numeric literal: exact value plus the number of decimal places written (0 for integers). */
export interface NumericLiteral {
  value: Rational;
  decimals: number;
  /** Significant digits written (used to refuse tolerance on one-digit decimals like `0.3`). */
  significant: number;
  isDecimal: boolean;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;

/**
 * Parses `12`, `-0.35`, `.5`, `1e-3` exactly.
 *
 * @param text A numeric literal without separators.
 * @returns The literal, or `null` when the text is not one.
 */
export function parseDecimal(text: string): NumericLiteral | null {
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === "" && (m[3] === undefined || m[3] === ""))) return null;
  const [, sign, int, frac = "", exp] = m;
  const digits = (int + frac).replace(/^0+/, "");
  let n = BigInt(int + frac || "0");
  let d = 10n ** BigInt(frac.length);
  const e = exp ? Number(exp) : 0;
  if (e > 0) n *= 10n ** BigInt(e);
  if (e < 0) d *= 10n ** BigInt(-e);
  if (sign === "-") n = -n;
  const value = rat(n, d) as Rational;
  const isDecimal = frac.length > 0 || e < 0;
  return {
    value,
    decimals: Math.max(0, frac.length - e),
    significant: Math.max(1, digits.length),
    isDecimal,
  };
}

/** Rounds `x` to `places` decimal places (half away from zero), exactly. */
export function ratRound(x: Rational, places: number): Rational {
  const scale = 10n ** BigInt(places);
  const scaled = x.n * scale;
  const twice = (2n * (scaled < 0n ? -scaled : scaled) + x.d) / (2n * x.d);
  return rat(scaled < 0n ? -twice : twice, scale) as Rational;
}

/** Canonical text: `p/q` or an integer. */
export function ratToString(x: Rational): string {
  return x.d === 1n ? x.n.toString() : `${x.n}/${x.d}`;
}
