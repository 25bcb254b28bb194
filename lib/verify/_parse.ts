/**
 * Answer text to a structured value: numbers (exact fast path), expressions,
 * tuples / intervals (bracket types kept), sets, bare lists, unions, matrices, equations,
 * inequalities and text; thousands separators told apart from tuples; units, `\text{}`, `%`,
 * degrees and `$` peeled off with flags kept.
 * @module
 */
import { CALL_ONLY, GREEK_NAMES, LatexError, latexToMathjs } from "./_latex.ts";
import {
  big,
  evalRational,
  freeVariables,
  magnitudeBound,
  type MathNode,
  MAX_LOG10,
  realRoots,
} from "./_math.ts";
import {
  type NumericLiteral,
  parseDecimal,
  rat,
  ratAdd,
  type Rational,
  ratToString,
} from "./_rational.ts";
import { constantValue, isScalar } from "./_scalar.ts";

/** Flags peeled off a scalar. */
export interface ScalarFlags {
  percent: boolean;
  degree: boolean;
}

/** A parsed answer. `norm` is its canonical text (shown as `normalized`). */
export type Parsed =
  | { t: "num"; value: Rational; lit?: NumericLiteral; flags: ScalarFlags; norm: string }
  | {
    t: "expr";
    node: MathNode;
    src: string;
    vars: string[];
    flags: ScalarFlags;
    norm: string;
    value?: Rational;
  }
  | {
    t: "seq";
    kind: "tuple" | "set" | "list";
    open: string;
    close: string;
    items: Parsed[];
    norm: string;
    /** The text of a bare list, kept to read `1,22` as a decimal comma when compared to 1.22. */
    raw?: string;
  }
  | { t: "union"; parts: Parsed[]; norm: string }
  /** Relations joined by `or` / `and` (`x < -3 or x > 1`). */
  | { t: "logic"; op: "or" | "and"; parts: Parsed[]; norm: string }
  | { t: "matrix"; rows: Parsed[][]; norm: string }
  | { t: "eq"; lhs: Parsed; rhs: Parsed; norm: string; chain?: boolean; opaque?: boolean }
  | { t: "ineq"; terms: Parsed[]; ops: string[]; norm: string }
  | { t: "text"; text: string; norm: string; src?: string };

/** Scalars are the numeric leaves. */
export type Scalar = Extract<Parsed, { t: "num" | "expr" }>;

const UNICODE: [RegExp, string][] = [
  [/π/g, "\\pi "],
  [/∞/g, "\\infty "],
  [/[×·⋅∙∗]/g, "\\cdot "],
  [/÷/g, "/"],
  [/−/g, "-"],
  [/±/g, "\\pm "],
  [/∓/g, "\\mp "],
  [/√(?=[a-zA-Z])/g, "\\sqrt "], // `2a/√a`: the radicand is the letter (not a `\sqrta` command)
  [/√/g, "\\sqrt"],
  [/∛/g, "\\sqrt[3]"],
  [/∪/g, "\\cup "],
  [/∩/g, "\\cap "],
  [/½/g, "\\frac12"],
  [/⅓/g, "\\frac13"],
  [/⅔/g, "\\frac23"],
  [/¼/g, "\\frac14"],
  [/¾/g, "\\frac34"],
  [/⅕/g, "\\frac15"],
  [/⅙/g, "\\frac16"],
  [/⅛/g, "\\frac18"],
  [/ⅈ/g, "i"], // SymPy's pretty printer writes the imaginary unit and e double-struck
  [/ⅇ/g, "e"],
  [/≈/g, "\\approx "],
  [/∈/g, "\\in "],
  [/∅/g, "\\emptyset "],
  [/≤|⩽/g, "≤"],
  [/≥|⩾/g, "≥"],
];

/** Unicode Greek letters and their names (`θ` is `\theta`, `Χ` is `Chi`, never the Latin `X`). */
const GREEK_LETTERS: Record<string, string> = {
  "α": "alpha",
  "β": "beta",
  "γ": "gamma",
  "δ": "delta",
  "ε": "epsilon",
  "ϵ": "epsilon",
  "ζ": "zeta",
  "η": "eta",
  "θ": "theta",
  "ϑ": "theta",
  "ι": "iota",
  "κ": "kappa",
  "λ": "lambda",
  "μ": "mu",
  "µ": "mu",
  "ν": "nu",
  "ξ": "xi",
  "ο": "omicron",
  "ρ": "rho",
  "σ": "sigma",
  "ς": "sigma",
  "τ": "tau",
  "υ": "upsilon",
  "φ": "phi",
  "ϕ": "phi",
  "χ": "chi",
  "ψ": "psi",
  "ω": "omega",
  "Α": "Alpha",
  "Β": "Beta",
  "Γ": "Gamma",
  "Δ": "Delta",
  "Ε": "Epsilon",
  "Ζ": "Zeta",
  "Η": "Eta",
  "Θ": "Theta",
  "Ι": "Iota",
  "Κ": "Kappa",
  "Λ": "Lambda",
  "Μ": "Mu",
  "Ν": "Nu",
  "Ξ": "Xi",
  "Ο": "Omicron",
  "Π": "Pi",
  "Ρ": "Rho",
  "Σ": "Sigma",
  "Τ": "Tau",
  "Υ": "Upsilon",
  "Φ": "Phi",
  "Χ": "Chi",
  "Ψ": "Psi",
  "Ω": "Omega",
};
const GREEK_CHAR = new RegExp(`[${Object.keys(GREEK_LETTERS).join("")}]`, "g");
const SUPERSCRIPT: Record<string, string> = {
  "⁰": "0",
  "¹": "1",
  "²": "2",
  "³": "3",
  "⁴": "4",
  "⁵": "5",
  "⁶": "6",
  "⁷": "7",
  "⁸": "8",
  "⁹": "9",
  "⁻": "-",
  "⁺": "+",
};

/**
 * Unicode maths as models write it: `²`, `x⁻¹` (superscript runs are exponents), `x₁` (subscripts),
 * Greek letters as commands (`ε₀` keeps its subscript), `10 μA` (a micro prefix on a unit word).
 */
function unicodeMath(answer: string): string {
  let s = answer;
  if (!/[^ -~\s]/.test(s)) return s; // ASCII only
  for (const [re, to] of UNICODE) s = s.replace(re, to);
  s = s.replace(/[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+/g, (m) => {
    const power = [...m].map((c) => SUPERSCRIPT[c]).join("");
    return power.length === 1 ? `^${power}` : `^{${power}}`;
  });
  s = s.replace(
    /[₀₁₂₃₄₅₆₇₈₉]+/g,
    (m) => `_{${[...m].map((c) => c.charCodeAt(0) - 0x2080).join("")}}`,
  );
  s = s.replace(/(\d\s+)[μµ](?=(?:m|s|g|A|V|F|H|W|L|C|J|T|N|Pa|mol|Hz|eV)\s*$)/, "$1mu");
  return s.replace(
    GREEK_CHAR,
    (c, k: number, whole: string) =>
      `\\${GREEK_LETTERS[c]}${/[a-zA-Z0-9]/.test(whole[k + 1] ?? "") ? " " : ""}`,
  );
}

const UNIT_TOKEN = String.raw`[a-zA-Z]+\.?(?:\^\d)?(?:/[a-zA-Z]+(?:\^\d)?)?`;
const UNIT_WORDS = new RegExp(`^${UNIT_TOKEN}(?:\\s+${UNIT_TOKEN})*$`);
const GLUED_UNITS = /^(?:cm|mm|km|kg|mg|ft|in|yd|mi|lb|lbs|oz|hrs?|mins?|sec|mph|cents?)\^?\d?$/;
const SHORT_UNITS = new RegExp(
  "^(?:cm|mm|km|nm|um|kg|mg|ft|in|yd|mi|lb|lbs|oz|hr|hrs|min|mins|sec|mph|kph|rpm|ml|mL|cc|kW|MW|" +
    "Hz|kHz|MHz|GHz|eV|keV|MeV|mA|mV|kV|Pa|kPa|MPa|atm|mol|cal|ms|ns|us|sq|cu|yr|yrs|day|wk|deg|rad|" +
    "gal|qt|pt|pts|pct|ppm|ton|kJ|mJ|cent|per|mu[msgAVFHWLCJTN]|USD|EUR|CNY|RMB|yen|cny|usd|Rs|am|pm|AM|PM|cents?)$",
);
const KNOWN_WORDS = /^(?:pi|sin|cos|tan|log|ln|exp|sqrt|or|and|infty|i|e)$/;

const NUMBER_WORDS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALE_WORDS: Record<string, number> = { thousand: 3, million: 6, billion: 9, trillion: 12 };

/**
 * A whole answer spelled in English number words (`five`, `twenty-one`, `one hundred and two`,
 * `minus three`), as its integer; null when any word is not a number word.
 */
function numberWords(text: string): number | null {
  const words = text.toLowerCase().replace(/[.!]$/, "").split(/[\s-]+/).filter((w) => w !== "");
  if (words.length === 0 || words.length > 12) return null;
  let sign = 1;
  if (words[0] === "minus" || words[0] === "negative") {
    sign = -1;
    words.shift();
  }
  let total = 0;
  let current = 0;
  let seen = false;
  for (const w of words) {
    if (w in NUMBER_WORDS) {
      current += NUMBER_WORDS[w];
      seen = true;
    } else if (w === "hundred" && seen) current *= 100;
    else if (w in SCALE_WORDS && seen) {
      total += current * 10 ** SCALE_WORDS[w];
      current = 0;
    } else if (w !== "and" || !seen) return null;
  }
  return seen ? sign * (total + current) : null;
}

/**
 * Removes `$`, sizing and spacing commands and units (`\text{ cm}`, trailing "dollars"); maps
 * relations to single characters (`≤ ≥ ≠`) so that `=` splits equations only.
 */
export function preclean(answer: string): string {
  let s = unicodeMath(answer);
  // `Sin(x)`, `ArcTan(x)` (capitalised, as CAS output writes them) are the usual functions.
  s = s.replace(
    /\b(?:Arc)?(?:Sin|Cos|Tan|Sec|Csc|Cot)(?=\s*\()|\b(?:Log|Ln|Exp|Sqrt|Abs)(?=\s*\()/g,
    (m) => m.toLowerCase(),
  );
  // Maxima's constants: `%pi`, `%e`, `%i`.
  s = s.replace(/%(pi|e|i)(?![a-zA-Z])/g, (_m, c: string) => (c === "pi" ? "\\pi " : c));
  // SymPy's and Mathematica's imaginary unit (`2*I`, `I**2`, `-1 - I`): a lone capital I is `i`,
  // on both sides alike, so an `I` that names a quantity still compares with itself.
  s = s.replace(/(?<![A-Za-z_\\]|_\{)I(?![A-Za-z\d_(])/g, "i");
  // `11,\! 111,\! 100` and `\$15,\!000`: thousands groups, not a list.
  s = s.replace(/(\d)(?:\{,\}|,)\\!\s*(?=\d{3}(?!\d))/g, "$1");
  s = s.replace(
    /\\begin\{cases\}([\s\S]*?)\\end\{cases\}/g,
    (_m, body: string) => body.replace(/\\\\/g, ",").replace(/&/g, ""),
  );
  s = s.replace(/\s*(?:\\[lc]?dots|\.\.\.)\s*$/, "");
  s = s.replace(/\\(?:left|right)[.]/g, "")
    .replace(
      /\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![a-zA-Z])\s*/g,
      "",
    )
    .replace(/\\(?:displaystyle|textstyle|limits|mathstrut)(?![a-zA-Z])/g, "")
    .replace(
      /(?<!\\)\\[,;:! ]|\\(?:q?quad|(?:neg)?(?:thin|med|thick)space|enspace|enskip)(?![a-zA-Z])|~/g,
      " ",
    )
    .replace(/\\\$|\$|[£€¥]/g, "") // currency signs
    .replace(/\{,\}/g, ",")
    .replace(/\\(?:dfrac|tfrac|cfrac)(?![a-zA-Z])/g, "\\frac")
    .replace(/\\(?:le|leq|leqslant)(?![a-zA-Z])|<=/g, "≤")
    .replace(/\\(?:ge|geq|geqslant)(?![a-zA-Z])|>=/g, "≥")
    .replace(/\\(?:ne|neq)(?![a-zA-Z])|!=/g, "≠")
    .replace(/==/g, "=") // `L == 2V/(Ed)`: the equation sign of code-style answers
    .replace(/\\lt(?![a-zA-Z])/g, "<").replace(/\\gt(?![a-zA-Z])/g, ">")
    .replace(/\\(?:emptyset|varnothing)(?![a-zA-Z])/g, "\\{\\}")
    // "all real numbers (except -4)": the real line (without the points)
    .replace(
      /^all real(?: numbers)?(?:,?\s*(?:except(?: for)?|but)\s+(?:x\s*=\s*)?(.+))?$/i,
      (_m, but?: string) => but ? `\\mathbb{R}\\setminus\\{${but}\\}` : "\\mathbb{R}",
    )
    .replace(/^(?:all reals|the real line)$/i, "\\mathbb{R}")
    // the real line as the interval it is (`x \in \mathbb{R}`, `ℝ`); not `\mathbb{R}^2`
    .replace(
      /(?:\\mathbb\s*\{\s*R\s*\}|\\mathbb\s+R(?![a-zA-Z])|ℝ)(?!\s*[\^_])/g,
      "(-\\infty,\\infty)",
    )
    .replace(/^\s*<([^<>=]*,[^<>=]*)>\s*$/, "($1)") // a vector `<1, 2, 3>`
    .replace(/\\langle(?![a-zA-Z])/g, "(").replace(/\\rangle(?![a-zA-Z])/g, ")")
    .replace(/\\lbrack(?![a-zA-Z])\s*/g, "[").replace(/\\rbrack(?![a-zA-Z])\s*/g, "]")
    .replace(/\\lbrace(?![a-zA-Z])\s*/g, "\\{").replace(/\\rbrace(?![a-zA-Z])\s*/g, "\\}");
  // `1.2 million`, `\$3 billion`: a scale word multiplies the number before it (never a unit).
  s = s.replace(
    /(\d+(?:\.\d+)?)\s*(?:\\text\{\s*)?(thousand|million|billion|trillion)\b(?:\s*\})?/gi,
    (_m, n: string, w: string) => `${n}*10^(${SCALE_WORDS[w.toLowerCase()]})`,
  );
  // `33.5 percent`, `\frac12\text{ percent}`, `12 pct`: a percent word after a number is `%`.
  s = s.replace(
    /([\d}])\s*(?:\\(?:text|textrm|mathrm|mbox)\s*\{\s*)?(?:percent(?:age)?|per\s*cent|pct)\.?(?:\s*\})?\s*$/i,
    "$1\\%",
  );
  // \text{...}: a separator word becomes a comma, a unit is dropped, other content is unwrapped.
  s = s.replace(
    /\\(?:text|textrm|textnormal|mbox|mathrm|textbf|textit|mathit|operatorname)\s*\{([^{}]*)\}(\s*\^\s*\{?\d\}?)?/g,
    (_m, inner: string, power: string | undefined, offset: number, whole: string) => {
      const t = inner.trim();
      if (/^(?:or|and)$/i.test(t)) return ` ${t.toLowerCase()} `;
      const alone = whole.replace(/\\[a-zA-Z]+\s*\{[^{}]*\}/, "").trim() === "";
      if (!alone && offset > 0 && UNIT_WORDS.test(t) && !KNOWN_WORDS.test(t)) return " ";
      return t + (power ?? "");
    },
  );
  // Between relations, `or` and `and` are connectives (`x < -3 or x > 1` is a union of intervals);
  // elsewhere separators (`x = 2 or x = -2` lists roots).
  const connective = /[<>≤≥≠]/.test(s) ? (w: string) => ` \\l${w.toLowerCase()} ` : () => ", ";
  s = s.replace(/\s+(or|and)\s+/gi, (_m, w: string) => connective(w)).trim();
  // `(1, 2) U (3, 4)`: a capital U between intervals is a union (elsewhere it is a variable).
  s = s.replace(/([)\]])\s*U\s*(?=[(\[])/g, "$1\\cup ");
  s = s.replace(/^\s*[a-zA-Z]\s*\\in\s*/, "").replace(/^\s*\\approx\s*/, "");
  // `\frac{\sqrt3}{3} \approx 0.577`: the exact form before the approximation is the answer
  // (after a lone name, `x \approx 0.577`, the value after it).
  const approx = /^([\s\S]+?)\\approx([\s\S]+)$/.exec(s);
  if (approx) s = /^\s*[a-zA-Z]\s*$/.test(approx[1]) ? approx[2] : approx[1];
  // A speed or acceleration unit after a number and a space: "20 m/s", "9.8 m/s^2", "60 km/h".
  s = s.replace(/(\d)\s+(?:k?m|cm|mm|mi|ft|in)\/(?:s|h|hr|min)(?:\^?2|²)?\s*$/, "$1");
  // Trailing unit words after a number: "18 dollars", "5 sq ft" (not "2 x", not "3 pi"), or after
  // `\pi` and `^\circ` ("2\pi cm"). Glued units only from a short list ("5cm"); "2xy" is a
  // product, not 2 with a unit.
  const unit =
    /^(.*(?:[\d}]|\\pi|\\circ))(\s*)([a-zA-Z]{2,}\.?(?:\^\d)?(?:\s+[a-zA-Z]{2,}\.?(?:\^\d)?)*)\s*$/
      .exec(s.trim());
  // Words of two or three letters only from a list of units: "2 xy", "1/2 mv^2" are products.
  const words = unit?.[3].trim().split(/\s+/) ?? [];
  if (
    unit && (unit[2] !== "" || GLUED_UNITS.test(unit[3])) &&
    !words.some((w) => KNOWN_WORDS.test(w)) &&
    words.every((w) => /^[a-zA-Z]{4}/.test(w) || SHORT_UNITS.test(w.replace(/\.?(?:\^\d)?$/, "")))
  ) s = unit[1];
  return s.trim().replace(/(?<![.;])[.;]+$/, "").trim();
}

/** Index of the bracket matching the opener at `open` (any of `(`/`[` with any of `)`/`]`). */
function matchOuter(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === "\\" && (s[i + 1] === "{" || s[i + 1] === "}")) {
      depth += s[i + 1] === "{" ? 1 : -1;
      i++;
    } else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    if (depth === 0) return i;
  }
  return -1;
}

/** Splits at a top-level separator pattern (outside all brackets and braces). */
function splitTop(s: string, sep: RegExp): string[] {
  return splitTopMatches(s, sep, 8).parts;
}

/**
 * The parts between top-level matches of `sep` (tried on the next `window` characters at each
 * position outside all brackets and braces, `\{ \}` included), and the matches themselves.
 */
function splitTopMatches(
  s: string,
  sep: RegExp,
  window: number,
): { parts: string[]; seps: RegExpExecArray[] } {
  const parts: string[] = [];
  const seps: RegExpExecArray[] = [];
  let depth = 0;
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\" && (s[i + 1] === "{" || s[i + 1] === "}")) {
      depth += s[i + 1] === "{" ? 1 : -1;
      i++;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (depth === 0) {
      const m = sep.exec(s.slice(i, i + window));
      if (m && m.index === 0) {
        parts.push(s.slice(last, i));
        seps.push(m);
        i += m[0].length - 1;
        last = i + 1;
      }
    }
  }
  parts.push(s.slice(last));
  return { parts, seps };
}

// Plain-text calls (`floor(`, `root(`) are function names only before `(`; `re`/`im` are too short
// to look like words.
const CALL_WORDS = CALL_ONLY.filter((w) => w.length > 2).sort((x, y) => y.length - x.length);
const FUNCTION_WORDS = new RegExp(
  `(?:(?:${
    CALL_WORDS.join("|")
  })(?=\\s*\\()|arccoth|arcsech|arccsch|arcsin|arccos|arctan|arcsec|arccsc|arccot|sinh|cosh|tanh|sech|csch|cosech|coth|signum|sgn|cosec|sin|cos|tan|sec|csc|cot|log|ln|exp|abs|sqrt|factorial|pi|Infinity|alpha|beta|gamma|delta|epsilon|theta|lambda|mu|rho|sigma|tau|phi|chi|psi|omega|Gamma|Delta|Theta|Lambda|Sigma|Phi|Psi|Omega)`,
  "g",
);
/** Greek names as whole words (`Chi`, `nu`, `omicron`): symbols, not text. */
const GREEK_WORDS = new RegExp(
  `(?<![a-zA-Z])(?:${[...GREEK_NAMES].sort((a, b) => b.length - a.length).join("|")})(?![a-zA-Z])`,
  "g",
);
const ANSWER_WORDS = /^(?:no|yes|none|true|false|odd|even|neither|both|all)$/i;
const DEGREE_ANYWHERE = /(\d+(?:\.\d+)?)\s*(?:\^\s*\{?\s*\\circ\s*\}?|°|\\degree(?![a-zA-Z]))/g;
/** mathjs source of a TeX or plain-text expression, with odd-denominator powers as real roots. */
function toMathjs(s: string): string {
  return realRoots(latexToMathjs(s));
}

const FAST_INT = /^[+-]?\d+$/;
const FAST_DEC = /^[+-]?(?:\d+\.\d*|\.\d+|\d+(?:\.\d+)?[eE][+-]?\d{1,4})$/;
const FAST_FRAC = /^([+-]?)(?:(\d+)\/(\d+)|\\frac\{(\d+)\}\{(\d+)\}|\\frac(\d)(\d))$/;
const THOUSANDS = /^([+-]?[1-9]\d{0,2}(?:,\d{3})+)(\.\d+)?$/;
const SCIENTIFIC = /^([+-]?\d+(?:\.\d+)?)(?:\\times|\\cdot|\*)10\^\{?([+-]?\d{1,4})\}?$/;
const MIXED = /^([+-]?)(\d+)\s+(\d+)\/(\d+)$/;
const TIME = /^(\d{1,2}):(\d{2})\s*(?:([aApP])\.?\s*[mM]\.?)?$/;

function numFrom(lit: NumericLiteral, flags: ScalarFlags): Parsed {
  return { t: "num", value: lit.value, lit, flags, norm: ratToString(lit.value) };
}

/**
 * Parses a scalar: fast exact paths for integers, decimals and simple fractions, else LaTeX →
 * mathjs, with an exact rational evaluation when the expression allows one.
 */
export function parseScalar(text: string): Parsed {
  let s = text.trim();
  const flags: ScalarFlags = { percent: false, degree: false };
  if (/\\?%$/.test(s)) {
    flags.percent = true;
    s = s.replace(/\\?%$/, "").trim();
  }
  const deg = /\s*(?:\^\s*\{?\s*\\circ\s*\}?|°|\\degree)\s*$/;
  if (/\\(?:sin|cos|tan|sec|csc|cot)(?![a-zA-Z])/.test(s)) {
    // Degrees inside trig functions become radians: \cos 15^\circ = \cos(15π/180).
    s = s.replace(DEGREE_ANYWHERE, "{$1\\cdot\\frac{\\pi}{180}}");
  } else if (deg.test(s)) {
    flags.degree = true;
    s = s.replace(deg, "").trim();
  }
  const mixed = MIXED.exec(s);
  if (mixed) {
    // `1 1/2` (plain-text mixed number) = 3/2
    const [, sign, whole, n, d] = mixed;
    const value = rat(BigInt(whole) * BigInt(d) + BigInt(n), BigInt(d));
    if (value) {
      if (sign === "-") value.n = -value.n;
      return { t: "num", value, flags, norm: ratToString(value) };
    }
  }
  // Spaces inside a number only as thousands groups ("1 000 000"); "1 2" stays two numbers.
  const compact = /\d\s+\d/.test(s) && !/^[+-]?\d{1,3}(?: \d{3})+(?:\.\d+)?$/.test(s)
    ? s
    : s.replace(/\s+/g, "");
  const sci = SCIENTIFIC.exec(compact);
  if (sci) {
    const lit = parseDecimal(`${sci[1]}e${sci[2]}`);
    if (lit) return numFrom(lit, flags);
  }
  const based = /^(\d+)_\{?(\d{1,2})\}?$/.exec(compact);
  if (based) return baseValue(based[1], Number(based[2]), flags, s);
  if (FAST_INT.test(compact) || FAST_DEC.test(compact)) {
    return numFrom(parseDecimal(compact) as NumericLiteral, flags);
  }
  const rep = /^([+-]?)(\d*)\.(\d*)\\overline\{?(\d+)\}?$/.exec(compact);
  if (rep) {
    // 0.1\overline{6} = (16 - 1) / 90
    const [, sign, int, fixed, cycle] = rep;
    const whole = BigInt(int + fixed + cycle) - BigInt(int + fixed || "0");
    const d = (10n ** BigInt(cycle.length) - 1n) * 10n ** BigInt(fixed.length);
    const value = rat(sign === "-" ? -whole : whole, d)!;
    return { t: "num", value, flags, norm: ratToString(value) };
  }
  const th = THOUSANDS.exec(compact);
  if (th) return numFrom(parseDecimal(th[1].replace(/,/g, "") + (th[2] ?? ""))!, flags);
  const fr = FAST_FRAC.exec(compact);
  if (fr) {
    const n = BigInt(fr[2] ?? fr[4] ?? fr[6]);
    const d = BigInt(fr[3] ?? fr[5] ?? fr[7]);
    const value = rat(fr[1] === "-" ? -n : n, d);
    if (value) return { t: "num", value, flags, norm: ratToString(value) };
  }
  const sum = SUM.exec(s);
  if (sum) return sumValue(sum, flags);
  if (
    ANSWER_WORDS.test(s) ||
    /[a-zA-Z]{3,}/.test(
      s.replace(/\\[a-zA-Z]+/g, " ").replace(/_\{?[a-zA-Z0-9]+\}?/g, "_").replace(
        GREEK_WORDS,
        "",
      ).replace(FUNCTION_WORDS, ""),
    )
  ) {
    return textValue(s);
  }
  const src = toMathjs(s);
  const node = big().parse(src);
  const vars = freeVariables(node);
  const small = vars.length === 0 && magnitudeBound(node) <= MAX_LOG10;
  const value = small ? evalRational(node) ?? undefined : undefined;
  if (value) return { t: "num", value, flags, norm: ratToString(value) };
  return { t: "expr", node, src, vars, flags, norm: node.toString() };
}

/** `\sum_{n=1}^{10} body`: an index, integer bounds (braced, or one digit above) and the body. */
const SUM =
  /^\\sum\s*_\s*\{\s*([a-zA-Z])\s*=\s*(-?\d+)\s*\}\s*\^\s*(?:\{\s*(-?\d+)\s*\}|(\d))\s*([\s\S]+)$/;
/** Most terms a finite sum is expanded to (exact rational terms); symbolic bodies get fewer. */
const MAX_SUM_TERMS = 10000;
const MAX_SYMBOLIC_SUM_TERMS = 100;

/**
 * A finite sum with integer bounds, evaluated: exactly when every term is rational
 * (`\sum_{n=1}^{10} n` = 55), else expanded into its terms (`\sum_{k=1}^{3} x^k`). The body is one
 * term (`\sum_{n=1}^{10} n + 1` is ambiguous and not read). Too many terms is `too_large`.
 */
function sumValue(match: RegExpExecArray, flags: ScalarFlags): Parsed {
  const [, index, loText, hiBraced, hiDigit, bodyText] = match;
  const body = bodyText.trim().replace(/^[+-]/, "");
  if (splitTop(body, /[+-]/).length > 1) {
    throw new LatexError(`Cannot read sum: a body of several terms in "${match[0].slice(0, 60)}"`);
  }
  const lo = BigInt(loText);
  const hi = BigInt(hiBraced ?? hiDigit);
  const count = hi >= lo ? Number(hi - lo + 1n) : 0;
  if (count > MAX_SUM_TERMS) {
    throw new RangeError(`Cannot evaluate sum: ${count} terms, more than ${MAX_SUM_TERMS}`);
  }
  const bodySrc = `(${toMathjs(bodyText)})`;
  const bodyNode = big().parse(bodySrc);
  const m = big();
  const at = (k: bigint): MathNode => {
    const value = new m.ParenthesisNode(new m.ConstantNode(m.bignumber(k.toString())));
    return bodyNode.transform((n) =>
      n.type === "SymbolNode" && (n as unknown as { name: string }).name === index ? value : n
    );
  };
  // evalRational bounds each term's size itself; its step budget is shared by all terms.
  const closed = freeVariables(bodyNode).every((v) => v === index);
  let total: Rational | null = closed ? { n: 0n, d: 1n } : null;
  const budget = { steps: 20000 };
  for (let k = lo; k <= hi && total; k++) {
    const value = evalRational(at(k), budget);
    total = value ? ratAdd(total, value) : null;
  }
  if (total) return { t: "num", value: total, flags, norm: ratToString(total) };
  if (count > MAX_SYMBOLIC_SUM_TERMS) {
    throw new RangeError(`Cannot evaluate sum: ${count} non-rational terms`);
  }
  const src = count === 0 ? "0" : Array.from({ length: count }, (_, k) => {
    return at(lo + BigInt(k)).toString();
  }).join(" + ");
  const node = big().parse(src);
  const vars = freeVariables(node);
  return { t: "expr", node, src, vars, flags, norm: node.toString() };
}

/** `52_8` (a numeral in base 8) → its value; digits must be valid in the base. */
function baseValue(digits: string, base: number, flags: ScalarFlags, s: string): Parsed {
  if (base < 2 || base > 36 || [...digits].some((d) => Number(d) >= base)) {
    throw new LatexError(`Cannot read numeral: expected digits below ${base}, got "${s}"`);
  }
  let n = 0n;
  for (const d of digits) n = n * BigInt(base) + BigInt(d);
  return { t: "num", value: { n, d: 1n }, flags, norm: n.toString() };
}

/** Expands `a \pm b` into its two readings (at most 3 signs, 8 readings). */
function expandPm(s: string): string[] {
  const k = s.search(/\\(?:pm|mp)(?![a-zA-Z])/);
  if (k < 0) return [s];
  const head = s.slice(0, k);
  const isMp = s.startsWith("\\mp", k);
  const tail = s.slice(k + 3);
  if ((s.match(/\\(?:pm|mp)(?![a-zA-Z])/g) ?? []).length > 3) {
    throw new LatexError(`Cannot read answer: too many \\pm in "${s.slice(0, 60)}"`);
  }
  return [
    ...expandPm(head + (isMp ? "-" : "+") + tail),
    ...expandPm(head + (isMp ? "+" : "-") + tail),
  ];
}

/** `8:34 P.M.` and `20:34` are the same clock time: compared as text `time 20:34`. */
function timeValue(m: RegExpExecArray): Parsed {
  let hours = Number(m[1]);
  const ampm = m[3]?.toLowerCase();
  if (ampm === "p" && hours < 12) hours += 12;
  if (ampm === "a" && hours === 12) hours = 0;
  const text = `time ${hours}:${m[2]}`;
  return { t: "text", text, norm: `text(${text})` };
}

function textValue(s: string): Parsed {
  // Operators stay: `summation(2*k + 1, …)` and `summation(2*k - 1, …)` are different texts.
  const text = s.toLowerCase().replace(/\\[a-zA-Z]+/g, "").replace(/[^a-z0-9+\-*/^=<>(),]+/g, " ")
    .replace(/\s+/g, " ").trim().replace(/^(?:the|a|an) /, "");
  if (text === "") throw new LatexError(`Cannot read answer: expected text, got "${s}"`);
  const answer = yesNoWord(text);
  return { t: "text", text: answer, norm: `text(${answer})`, src: s };
}

/**
 * A yes/no answer written as true/false reads as yes/no (`True` for `Yes`, as boolean questions
 * take both); any other lower-case text is returned as it is.
 */
export function yesNoWord(text: string): string {
  return text === "true" ? "yes" : text === "false" ? "no" : text;
}

/**
 * Text that is plain algebra in letters (`xyz`, `abx+aby`) read as an expression, for comparison
 * with an expression on the other side; null when it is not.
 */
export function textAsExpression(p: Parsed & { t: "text" }): Parsed | null {
  if (!p.src || !/^[a-zA-Z0-9+\-*/^(). ]+$/.test(p.src) || /[a-zA-Z]{4,}/.test(p.src)) return null;
  if (
    ANSWER_WORDS.test(p.text) || /\b(?:the|and|not|all|any|yes|odd|one|two|six|ten)\b/i.test(p.src)
  ) {
    return null;
  }
  try {
    const src = toMathjs(p.src);
    const node = big().parse(src);
    const vars = freeVariables(node);
    const flags = { percent: false, degree: false };
    return { t: "expr", node, src, vars, flags, norm: node.toString() };
  } catch {
    return null;
  }
}

function seqNorm(open: string, items: Parsed[], close: string): string {
  return open + items.map((x) => x.norm).join(", ") + close;
}

const RELATION = /^(?:≤|≥|≠|<|>)/;

const SET_BUILDER =
  /^\\\{\s*([a-zA-Z])\s*(?:\\in\s*\(-\\infty,\s*\\infty\)\s*)?(?:\\mid|\\vert|\||:)\s*([^{}]+?)\s*\\\}$/;
const SET_OP = /^\\(cap|cup|setminus)(?![a-zA-Z])/;

/**
 * `\{1,2\} \cap \{2,3\}`, `(A \cup B) \setminus C`: intersections and differences (and unions
 * beside them) of finite sets of exact numbers, evaluated to one set; null when no top-level `\cap`
 * or `\setminus` is there. One operator per bracket level (mixed ones are ambiguous).
 */
function setAlgebra(s: string): Parsed | null {
  const { parts, seps } = splitTopMatches(s, SET_OP, 10);
  const ops = seps.map((m) => m[1]);
  if (!ops.some((op) => op !== "cup")) return null;
  if (new Set(ops).size > 1) {
    throw new LatexError(`Cannot read set expression: mixed operators in "${s.slice(0, 60)}"`);
  }
  if (ops.length === 1 && ops[0] === "setminus") {
    const spans = intervalsWithout(parts[0].trim(), parts[1].trim());
    if (spans) return spans;
  }
  const sets = parts.map((p) => finiteSet(p.trim()));
  let items = sets[0];
  for (const next of sets.slice(1)) {
    const has = (xs: Parsed[], x: Parsed) => xs.some((y) => y.norm === x.norm);
    items = ops[0] === "cup"
      ? [...items, ...next.filter((x) => !has(items, x))]
      : ops[0] === "cap"
      ? items.filter((x) => has(next, x))
      : items.filter((x) => !has(next, x));
  }
  return { t: "seq", kind: "set", open: "{", close: "}", items, norm: seqNorm("{", items, "}") };
}

/**
 * `\mathbb{R} \setminus \{0\}`, `[0, 6] \setminus \{3\}`: an interval or a union of intervals
 * without finitely many points, as the union of what is left; null when the left side is not
 * intervals or the right side not a finite set of numbers.
 */
function intervalsWithout(left: string, right: string): Parsed | null {
  let whole: Parsed;
  let points: Parsed[];
  try {
    whole = parseAnswer(left);
    points = finiteSet(right);
  } catch {
    return null;
  }
  const spans = whole.t === "union" ? whole.parts : [whole];
  const valueOf = (x: Parsed) => (isScalar(x) ? constantValue(x) : null) ?? NaN;
  const out: Parsed[] = [];
  for (const sp of spans) {
    if (sp.t !== "seq" || sp.kind !== "tuple" || sp.items.length !== 2) return null;
    if (!"([".includes(sp.open) || !")]".includes(sp.close)) return null;
    let [lo, hi] = sp.items;
    let [open, close] = [sp.open, sp.close];
    const inside = points.filter((p) => valueOf(p) >= valueOf(lo) && valueOf(p) <= valueOf(hi))
      .sort((a, b) => valueOf(a) - valueOf(b));
    for (const p of inside) {
      const v = valueOf(p);
      if (v === valueOf(lo)) open = "(";
      else {
        const items = [lo, p];
        out.push({
          t: "seq",
          kind: "tuple",
          open,
          close: ")",
          items,
          norm: seqNorm(open, items, ")"),
        });
        [lo, open] = [p, "("];
      }
      if (v === valueOf(hi)) close = ")";
    }
    if (valueOf(lo) < valueOf(hi) || (open === "[" && close === "]")) {
      const items = [lo, hi];
      out.push({ t: "seq", kind: "tuple", open, close, items, norm: seqNorm(open, items, close) });
    }
  }
  if (
    out.length === 0 || out.some((x) => Number.isNaN(valueOf((x as { items: Parsed[] }).items[0])))
  ) {
    return null;
  }
  return out.length === 1
    ? out[0]
    : { t: "union", parts: out, norm: out.map((p) => p.norm).join(" U ") };
}

/** A finite set of exact numbers (its items, without repeats), or a bracketed set expression. */
function finiteSet(s: string): Parsed[] {
  const inner = s[0] === "(" && matchOuter(s, 0) === s.length - 1 ? s.slice(1, -1).trim() : "";
  const p = (inner && setAlgebra(inner)) ||
    (inner && /\\cup(?![a-zA-Z])/.test(inner) ? parseAnswer(inner) : parseAnswer(s));
  const items = p.t === "union" ? p.parts.flatMap((x) => x.t === "seq" ? x.items : [x]) : null;
  const all = p.t === "seq" && p.kind === "set" ? p.items : items;
  if (
    !all || (p.t === "union" && !p.parts.every((x) => x.t === "seq" && x.kind === "set")) ||
    !all.every((x) => x.t === "num")
  ) {
    throw new LatexError(`Cannot read set expression: "${s.slice(0, 60)}" is not a finite set`);
  }
  return all.filter((x, k) => all.findIndex((y) => y.norm === x.norm) === k);
}

/** `\det` of a matrix environment, inside as many brackets as close after it. */
const DET =
  /^\\det\s*([({[\s]*)\\begin\{([pbvBV]?matrix|array)\}(?:\{[^}]*\})?([\s\S]*)\\end\{\2\}([)}\]\s]*)$/;

/**
 * The determinant of a square matrix body (`a&b\\c&d`, up to 4×4) as an expression, expanded
 * along the first row; the cells stay LaTeX, each in brackets.
 */
function determinant(body: string): string {
  const rows = body.split(/\\\\/).map((r) => r.trim()).filter((r) => r !== "")
    .map((r) => r.split("&").map((c) => `(${c.trim()})`));
  const n = rows.length;
  if (n === 0 || n > 4 || rows.some((r) => r.length !== n || r.some((c) => c === "()"))) {
    throw new LatexError(`Cannot read determinant: expected a square matrix up to 4×4`);
  }
  const expand = (m: string[][]): string =>
    m.length === 1
      ? m[0][0]
      : m[0].map((c, j) =>
        `${j % 2 ? "-" : "+"}${c}*(${expand(m.slice(1).map((r) => r.filter((_, k) => k !== j)))})`
      ).join("");
  return expand(rows);
}

/**
 * Parses a full answer into a structured value.
 *
 * @throws {LatexError} or mathjs `SyntaxError` when it cannot be read.
 */
export function parseAnswer(answer: string): Parsed {
  const plain = answer.trim();
  if (FAST_INT.test(plain) || FAST_DEC.test(plain)) return parseScalar(plain); // most answers
  const spelled = numberWords(plain);
  if (spelled !== null) return parseScalar(String(spelled));
  const time = TIME.exec(plain.replace(/\$|\\text\{\s*|\}/g, "").trim());
  if (time) return timeValue(time);
  const s = preclean(answer);
  if (s === "") throw new LatexError("Cannot read answer: expected an expression, got nothing");
  // Set-builder notation, `\{x \mid x > 2\}`, `\{x \in \mathbb{R} : x \ne 0\}`: the condition.
  const builder = SET_BUILDER.exec(s);
  if (builder && builder[2].includes(builder[1])) return parseAnswer(builder[2]);
  const det = DET.exec(s);
  if (det && det[1].replace(/\s/g, "").length === det[4].replace(/\s/g, "").length) {
    return parseScalar(determinant(det[3]));
  }
  // `\left[\begin{array}…\end{array}\right]`, `(\begin{pmatrix}…\end{pmatrix})`: the brackets are
  // the matrix's own.
  const wrapped = /^[([]\s*(\\begin\{[\s\S]*\\end\{[a-zA-Z]*\})\s*[)\]]$/.exec(s);
  if (wrapped) return parseAnswer(wrapped[1]);
  const env = /^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^}]*\})?([\s\S]*)\\end\{\1\}$/.exec(s);
  if (env) {
    const rows = env[2].split(/\\\\/).map((r) => r.trim()).filter((r) => r !== "")
      .map((r) => r.split("&").map((c) => parseScalar(c)));
    if (rows.length === 0) throw new LatexError("Cannot read matrix: expected rows, got none");
    const norm = "[" + rows.map((r) => "[" + r.map((c) => c.norm).join(", ") + "]").join("; ") +
      "]";
    return { t: "matrix", rows, norm };
  }
  if (s[0] === "(" && matchOuter(s, 0) === s.length - 1 && /\\l(?:or|and)(?![a-zA-Z])/.test(s)) {
    const inner = s.slice(1, -1);
    if (splitTop(inner, /\\l(?:or|and)(?![a-zA-Z])/).length > 1) return parseAnswer(inner);
  }
  for (const op of ["or", "and"] as const) {
    const parts = splitTop(s, op === "or" ? /\\lor(?![a-zA-Z])/ : /\\land(?![a-zA-Z])/);
    if (parts.length > 1) {
      const items = parts.map((p) => parseAnswer(p));
      return { t: "logic", op, parts: items, norm: items.map((p) => p.norm).join(` ${op} `) };
    }
  }
  const algebra = setAlgebra(s);
  if (algebra) return algebra;
  const unionParts = splitTop(s, /\\cup(?![a-zA-Z])/);
  if (unionParts.length > 1) {
    const parts = unionParts.map((p) => parseAnswer(p));
    return { t: "union", parts, norm: parts.map((p) => p.norm).join(" U ") };
  }
  if (s.startsWith("\\{") && s.endsWith("\\}") && matchOuter(s, 0) === s.length - 1) {
    const inner = s.slice(2, -2).trim();
    const items = inner === ""
      ? []
      : splitTop(inner, /,/).flatMap(expandPm).map((p) => parseAnswer(p));
    return { t: "seq", kind: "set", open: "{", close: "}", items, norm: seqNorm("{", items, "}") };
  }
  if (
    s[0] === "{" && matchOuter(s, 0) === s.length - 1 && splitTop(s.slice(1, -1), /,/).length > 1
  ) {
    // Bare braces with a comma are a set: `{1,3}`, `{x-1, x}`.
    const items = splitTop(s.slice(1, -1), /,/).flatMap(expandPm).map((p) => parseAnswer(p));
    return { t: "seq", kind: "set", open: "{", close: "}", items, norm: seqNorm("{", items, "}") };
  }
  if ((s[0] === "(" || s[0] === "[") && matchOuter(s, 0) === s.length - 1) {
    let parts = splitTop(s.slice(1, -1), /,/);
    if (parts.length === 1) parts = splitTop(s.slice(1, -1), /;/); // `(0;-2;6)`
    if (parts.length > 1) {
      const items = parts.map((p) => parseAnswer(p));
      const [open, close] = [s[0], s[s.length - 1]];
      return { t: "seq", kind: "tuple", open, close, items, norm: seqNorm(open, items, close) };
    }
  }
  if (/\\(?:pm|mp)(?![a-zA-Z])/.test(s) && !/[=<>≤≥≠]/.test(s)) {
    const items = expandPm(s).map((p) => parseAnswer(p));
    return { t: "seq", kind: "set", open: "{", close: "}", items, norm: seqNorm("{", items, "}") };
  }
  const merged = mergeThousands(s);
  if (merged !== s) return parseAnswer(merged);
  const commas = splitTop(s, /[,;]/);
  if (commas.length > 1 && !THOUSANDS.test(s)) {
    const items = commas.map((p) => p.trim()).filter((p) => p !== "").map((p) => parseAnswer(p));
    if (items.length === 1) return items[0];
    const norm = seqNorm("", items, "");
    return { t: "seq", kind: "list", open: "", close: "", items, norm, raw: s };
  }
  const sides = splitTop(s, /=(?!=)/);
  if (sides.length === 2) {
    const rhs = parseAnswer(sides[1]);
    let lhs: Parsed;
    try {
      lhs = parseAnswer(sides[0]);
    } catch (error) {
      // `\lim_{x \to 0} \frac{\sin x}{x} = 1`, `17 \bmod 5 = 2`: a left side beyond the parser
      // still states the constant on the right.
      const constant = rhs.t === "num" || (rhs.t === "expr" && rhs.vars.length === 0);
      if (!constant) throw error;
      const text = sides[0].trim();
      lhs = { t: "text", text, norm: `text(${text})` };
      return { t: "eq", lhs, rhs, norm: `${lhs.norm} = ${rhs.norm}`, opaque: true };
    }
    return { t: "eq", lhs, rhs, norm: `${lhs.norm} = ${rhs.norm}` };
  }
  if (sides.length > 6) throw new LatexError(`Cannot read answer: long chain in "${s}"`);
  if (sides.length > 2) {
    // `x = 2 + 3 = 5`: a derivation; its first and last sides are kept.
    const lhs = parseAnswer(sides[0]);
    const rhs = parseAnswer(sides[sides.length - 1]);
    return { t: "eq", lhs, rhs, norm: `${lhs.norm} = ${rhs.norm}`, chain: true };
  }
  const rel = splitRelations(s);
  if (rel) return rel;
  return parseScalar(s);
}

const GROUPED = /(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])/g;

/**
 * `y = 250\sin x + 2,500`, `f(y) = 26,000(0.83)^y`: inside an expression, digit groups joined by
 * commas are one number. Only when every top-level comma is such a group (so `x = 1, y = 200`
 * stays a list) and the text is an expression (a letter, `=`, or an operator besides the commas);
 * never inside `gcd`, `lcm`, `max`, `min` calls.
 */
function mergeThousands(s: string): string {
  if (!s.includes(",") || !/[=a-zA-Z\\+*/^]/.test(s)) return s;
  // `\gcd(830,450)`, `\max(9,876,543)`: commas inside these calls separate arguments.
  if (/(?:gcd|lcm|max|min)\s*\(/.test(s)) return s;
  const merged = s.replace(GROUPED, (m) => m.replace(/,/g, ""));
  if (merged === s || splitTop(merged, /[,;]/).length > 1) return s;
  return merged;
}

function splitRelations(s: string): Parsed | null {
  const terms: string[] = [];
  const ops: string[] = [];
  let depth = 0;
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (depth === 0) {
      const m = RELATION.exec(s.slice(i, i + 2));
      if (m) {
        terms.push(s.slice(last, i));
        ops.push(m[0]);
        i += m[0].length - 1;
        last = i + 1;
      }
    }
  }
  if (ops.length === 0) return null;
  terms.push(s.slice(last));
  const parsed = terms.map((t) => parseScalar(t));
  const norm = parsed.map((p, k) => p.norm + (k < ops.length ? ` ${ops[k]} ` : "")).join("");
  return { t: "ineq", terms: parsed, ops, norm };
}
