/**
 * Exact evaluation of plain arithmetic claims (`48/2`, `(3 * 4) * (7 - -7)`) with mathjs Fractions,
 * used by the reference critic to check a step's `a op b = c` claims without floating-point error.
 * Only digits, `+ - * / ^`, parentheses, decimal points and spaces are accepted, so nothing but
 * arithmetic ever reaches mathjs' evaluator.
 * @module
 */
import { all, create } from "mathjs";

// One Fraction-typed mathjs instance: `0.1 + 0.2` is exactly 3/10 here.
const math = create(all, { number: "Fraction" });
const ARITHMETIC = /^[0-9+\-*/^().\s]+$/;
const MAX_LENGTH = 400;

/** An exact arithmetic value. */
export interface ArithmeticValue {
  /** The exact rational as `"p/q"` (lowest terms, sign on p) or an integer such as `"-14"`. */
  value: string;
}

/**
 * Evaluates a plain arithmetic expression exactly.
 *
 * @param expr Text such as `"(60 * (-21))"`, `"48/2"` or `"0.1 + 0.2"`; unicode `×`, `÷`, `−` are
 *   read as `*`, `/`, `-`; a trailing period (end of a sentence) is ignored.
 * @returns The exact value, or `null` when the text is not plain arithmetic, does not parse, divides
 *   by zero or has an irrational value.
 * @example
 * ```ts
 * evaluateArithmetic("7 - -7 * 4"); // { value: "35" }
 * evaluateArithmetic("2^-1");       // { value: "1/2" }
 * evaluateArithmetic("x + 1");      // null
 * ```
 */
export function evaluateArithmetic(expr: string): ArithmeticValue | null {
  const fraction = evaluateFraction(expr);
  return fraction === null ? null : { value: fraction.toFraction() };
}

/**
 * Whether two arithmetic expressions have exactly the same value.
 *
 * @param a One expression.
 * @param b The other.
 * @returns `true` / `false`, or `null` when either side cannot be evaluated exactly.
 * @example
 * ```ts
 * arithmeticEqual("48/2", "24");       // true
 * arithmeticEqual("0.1 + 0.2", "0.3"); // true
 * arithmeticEqual("12*3", "37");       // false
 * ```
 */
export function arithmeticEqual(a: string, b: string): boolean | null {
  const x = evaluateFraction(a);
  const y = evaluateFraction(b);
  if (x === null || y === null) return null;
  return x.equals(y);
}

/**
 * Whether a stated result matches an expression, allowing the rounding a written decimal implies:
 * `10/3 = 3.33` holds (3.33 has two decimals, so |10/3 − 3.33| ≤ 0.005 suffices), `10/3 = 3.4` does not.
 * A result without a decimal point must be exact; a float printout with 10 or more decimals
 * (`14.999999999999998`) is read to 1e-9 relative.
 *
 * @param expr The computed side, e.g. `"10/3"`.
 * @param stated The stated side, e.g. `"3.33"`.
 * @returns `true` / `false`, or `null` when either side cannot be evaluated exactly.
 * @example
 * ```ts
 * arithmeticClaimHolds("10/3", "3.33"); // true
 * arithmeticClaimHolds("7+5", "13");    // false
 * ```
 */
export function arithmeticClaimHolds(expr: string, stated: string): boolean | null {
  const x = evaluateFraction(expr);
  const y = evaluateFraction(stated);
  if (x === null || y === null) return null;
  if (x.equals(y)) return true;
  const decimals = /^\s*[-+]?\d*\.(\d+)\s*$/.exec(normalize(stated))?.[1].length;
  if (decimals === undefined) return false;
  // A float printout such as 14.999999999999998 (a calculator's output) is read to 1e-9 relative.
  const tolerance = decimals >= 10
    ? math.multiply(math.fraction(1, 1e9), math.max(math.fraction(1), math.abs(y)))
    : math.fraction(1, 2 * 10 ** decimals);
  return Number(math.compare(math.abs(math.subtract(x, y)), tolerance)) <= 0;
}

type Fraction = ReturnType<typeof math.fraction>;

function normalize(expr: string): string {
  return expr.replaceAll("×", "*").replaceAll("÷", "/").replaceAll("−", "-").replace(/\.\s*$/, "");
}

function evaluateFraction(expr: string): Fraction | null {
  const text = normalize(expr);
  if (text.length === 0 || text.length > MAX_LENGTH || !ARITHMETIC.test(text)) return null;
  if (!/\d/.test(text)) return null;
  // Huge powers would stall the evaluator; no written step needs an exponent over 999.
  if (/\^\s*\(?\s*-?\s*\d{4,}/.test(text)) return null;
  try {
    const value = math.evaluate(text);
    return math.typeOf(value) === "Fraction" ? value as Fraction : null;
  } catch {
    return null;
  }
}
