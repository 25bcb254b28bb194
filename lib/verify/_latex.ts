/**
 * Bare LaTeX (no `$` needed) to mathjs expression syntax: `\frac12`, `\dfrac`,
 * `\sqrt[3]{x}`, `40\pi`, mixed numbers `1\frac12`, `\sin^2 x`, `\log_2 8`, `|x|`, `\binom`, implicit
 * multiplication made explicit, multi-letter products (`xy` → `x*y`) split.
 * @module
 */

/** Thrown for text the converter cannot read; callers turn it into an `unparseable` result. */
export class LatexError extends Error {
  override name = "LatexError";
}

const FUNCTIONS: Record<string, string> = {
  sin: "sin",
  cos: "cos",
  tan: "tan",
  sec: "sec",
  csc: "csc",
  cosec: "csc",
  cot: "cot",
  arcsin: "asin",
  arccos: "acos",
  arctan: "atan",
  asec: "asec",
  acsc: "acsc",
  acot: "acot",
  arcsec: "asec",
  arccsc: "acsc",
  arccot: "acot",
  asin: "asin",
  acos: "acos",
  atan: "atan",
  sinh: "sinh",
  cosh: "cosh",
  tanh: "tanh",
  sech: "sech",
  csch: "csch",
  cosech: "csch",
  coth: "coth",
  asinh: "asinh",
  acosh: "acosh",
  atanh: "atanh",
  asech: "asech",
  acsch: "acsch",
  acoth: "acoth",
  arsinh: "asinh",
  arcosh: "acosh",
  artanh: "atanh",
  arcsinh: "asinh",
  arccosh: "acosh",
  arctanh: "atanh",
  atan2: "atan2",
  sinc: "sinc",
  sgn: "sign",
  signum: "sign",
  ln: "log",
  log: "log10",
  lg: "log10",
  log10: "log10",
  log2: "log2",
  exp: "exp",
  factorial: "factorial",
  factorial2: "factorial2",
  sqrt: "sqrt",
  abs: "abs",
  arcsech: "asech",
  arccsch: "acsch",
  arccoth: "acoth",
  // Plain-text calls, read only before `(` (CALL_ONLY): `floor(-17.3)`, `binom(8,3)`, `re(3-5i)`.
  floor: "floor",
  ceil: "ceil",
  ceiling: "ceil",
  round: "roundHalfEven",
  binom: "binomial",
  binomial: "binomial",
  nthroot: "nthroot",
  root: "nthroot", // `root(x^2, 2)`, as calculators write the n-th root
  re: "re",
  im: "im",
  // `\gcd(a, b, …)`, `\lcm`, `\max`, `\min` (any number of arguments); as plain words only before `(`.
  gcd: "gcd",
  lcm: "lcm",
  max: "max",
  min: "min",
};
/**
 * Names that are functions only when a `(` follows: otherwise words (`round`) or products of
 * letters (`re` = r·e). `round` takes a half to the even neighbour (`round(2.5)` = 2, as Python,
 * SymPy and Maxima do; mathjs's `round` gives 3). `nthroot(x, n)` is `x^(1/n)`.
 */
export const CALL_ONLY = [
  "floor",
  "ceiling",
  "ceil",
  "round",
  "binom",
  "binomial",
  "nthroot",
  "root",
  "re",
  "im",
  "gcd",
  "lcm",
  "max",
  "min",
];
const INVERSE: Record<string, string> = {
  sin: "asin",
  cos: "acos",
  tan: "atan",
  sec: "asec",
  csc: "acsc",
  cot: "acot",
  sinh: "asinh",
  cosh: "acosh",
  tanh: "atanh",
  sech: "asech",
  csch: "acsch",
  coth: "acoth",
};
/** Letters read as functions when followed by `(`: `f(x)`, `g(0)`, `h(t)`. */
const APPLIED = new Set(["f", "g", "h"]);
/** Greek letter names, as LaTeX commands and as plain-text words; capitals are other symbols. */
export const GREEK_NAMES = [
  "alpha",
  "beta",
  "gamma",
  "delta",
  "epsilon",
  "varepsilon",
  "zeta",
  "eta",
  "theta",
  "vartheta",
  "iota",
  "kappa",
  "lambda",
  "mu",
  "nu",
  "xi",
  "omicron",
  "rho",
  "varrho",
  "sigma",
  "varsigma",
  "tau",
  "upsilon",
  "phi",
  "varphi",
  "chi",
  "psi",
  "omega",
  "Alpha",
  "Beta",
  "Gamma",
  "Delta",
  "Epsilon",
  "Zeta",
  "Eta",
  "Theta",
  "Iota",
  "Kappa",
  "Lambda",
  "Mu",
  "Nu",
  "Xi",
  "Omicron",
  "Pi",
  "Rho",
  "Sigma",
  "Tau",
  "Upsilon",
  "Phi",
  "Chi",
  "Psi",
  "Omega",
];
const GREEK = new Set(GREEK_NAMES);
const GREEK_PREFIX = new RegExp(
  `^(${
    GREEK_NAMES.filter((g) => g.length >= 3).sort((a, b) => b.length - a.length).join("|")
  })[a-zA-Z]`,
);
const OPS: Record<string, string> = {
  cdot: "*",
  times: "*",
  ast: "*",
  div: "/",
  le: "<=",
  leq: "<=",
  leqslant: "<=",
  ge: ">=",
  geq: ">=",
  geqslant: ">=",
  lt: "<",
  gt: ">",
  ne: "!=",
  neq: "!=",
  // `7 \mod 3`, `7 \bmod 3`: the remainder (mathjs's `mod`, a product-level operator, sign of the
  // divisor as in Python).
  mod: " mod ",
  bmod: " mod ",
};
const WRAPPERS = new Set([
  "text",
  "textrm",
  "mbox",
  "mathrm",
  "textbf",
  "mathbf",
  "textit",
  "mathit",
  "operatorname",
  "boldsymbol",
  "mathbb",
]);
const MAX_DEPTH = 60;

type Kind = "atom" | "op" | "post";
interface Tok {
  k: Kind;
  v: string;
  int?: boolean;
  num?: boolean;
  /** A `*` inserted between juxtaposed factors (`ab`, `2x`). */
  implicit?: boolean;
}

/**
 * Joins tokens; a juxtaposed product of letters after `/` is one divisor: `1/ab` = 1/(ab), as
 * written maths reads (mathjs alone would read `(1/a)·b`). A leading number divides alone.
 */
function joinTokens(toks: Tok[]): string {
  let out = "";
  for (let k = 0; k < toks.length; k++) {
    out += toks[k].v;
    if (toks[k].k !== "op" || toks[k].v !== "/") continue;
    // the divisor: -? atom (^ atom | ! | implicit-* atom)*
    const sign = toks[k + 1]?.k === "op" && toks[k + 1].v === "-" ? 1 : 0;
    let end = k + 1 + sign;
    let implicit = false;
    while (end < toks.length) {
      const t = toks[end + 1];
      if (t?.k === "post") end++;
      else if (t?.k === "op" && t.v === "^" && toks[end + 2]) end += 2;
      else if (t?.k === "op" && t.implicit && toks[end + 2]) {
        implicit = true;
        end += 2;
      } else break;
    }
    // A number starting the divisor divides alone: `1/2 mv^2` is ½mv², `1/2x` is x/2; unless the
    // dividend ends in the same shape, number then name: `6x/3x` = 2, `8 pi / 2 pi` (as mathjs).
    const first = toks[k + 1 + sign];
    if (!implicit || first?.k !== "atom") continue;
    const numberName = toks[k - 1]?.k === "atom" && !toks[k - 1].num &&
      toks[k - 2]?.implicit && toks[k - 3]?.num;
    if (first.num && !numberName) continue;
    out += "(" + toks.slice(k + 1, end + 1).map((t) => t.v).join("") + ")";
    k = end;
  }
  return out;
}

/**
 * `n!!` (the double factorial, SymPy's `factorial2`): the exact product for a literal integer up to
 * 3000, else its analytic form `2^(n/2) Γ(n/2+1) (π/2)^((cos πn − 1)/4)`, which agrees at integers.
 */
/** `nthroot(x, n)`: `x^(1/n)` (two arguments split at the top-level comma). */
function nthRoot(args: string): string {
  let depth = 0;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "(") depth++;
    else if (args[i] === ")") depth--;
    else if (args[i] === "," && depth === 0) {
      return `(${args.slice(0, i)})^(1/(${args.slice(i + 1)}))`;
    }
  }
  throw new LatexError("nthroot needs two arguments: nthroot(x, n) or root(x, n)");
}

function doubleFactorial(arg: string): string {
  const lit = /^\(?(\d+)\)?$/.exec(arg);
  if (lit && Number(lit[1]) <= 3000) {
    let f = 1n;
    for (let k = BigInt(lit[1]); k > 1n; k -= 2n) f *= k;
    return f.toString();
  }
  const n = `(${arg})`;
  return `(2^(${n}/2)*gamma(${n}/2+1)*(pi/2)^((cos(pi*${n})-1)/4))`;
}

const DECIMAL_TEX = /^(?:\d+\.?\d*|\.\d+)(?:E[+-]?\d+(?![a-zA-Z\d.]))?/;
// Code output writes `6.0e-9u` for 6e-9·u: with a decimal point a name may follow the exponent.
const DECIMAL_CODE =
  /^(?:\d+\.\d*(?:[eE][+-]?\d+(?![\d.^]))?|\.\d+(?:[eE][+-]?\d+(?![\d.^]))?|\d+(?:[eE][+-]?\d+(?![a-zA-Z\d.^]))?)/;

/** Recursive-descent converter over one LaTeX string. */
class Converter {
  i = 0;
  depth = 0;
  /** TeX input (a backslash anywhere): `2e-1` there may be 2e − 1, so only `E` is an exponent. */
  readonly tex: boolean;
  constructor(readonly s: string) {
    this.tex = s.includes("\\");
  }

  fail(what: string): never {
    throw new LatexError(`Cannot read LaTeX at ${this.i}: ${what} in "${this.s.slice(0, 80)}"`);
  }

  /** Reads tokens until end, `}` (consumed by caller) or a stop test. */
  seq(stop?: (c: string) => boolean): string {
    if (++this.depth > MAX_DEPTH) this.fail("nesting too deep");
    const toks: Tok[] = [];
    const push = (t: Tok) => {
      const prev = toks[toks.length - 1];
      if (t.num && prev?.num) this.fail("two numbers side by side"); // "1 2" is not 1·2
      if (t.k === "atom" && prev && (prev.k === "atom" || prev.k === "post")) {
        toks.push({ k: "op", v: "*", implicit: true });
      }
      toks.push(t);
    };
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === "}" || (stop && stop(c))) break;
      if (c === " " || c === "\t" || c === "\n") {
        this.i++;
      } else if (/[0-9.]/.test(c)) {
        // `1E20`, `-324E-3`: a capital E between digits is a decimal exponent, as in code output;
        // so is a small `e` outside TeX (`2*1e-14`, `(1e-5)^2`), as a whole answer `1e-14` is.
        const m = (this.tex ? DECIMAL_TEX : DECIMAL_CODE).exec(this.s.slice(this.i, this.i + 400));
        if (!m) this.fail("stray dot");
        this.i += m[0].length;
        push({
          k: "atom",
          v: m[0].endsWith(".") ? m[0].slice(0, -1) : m[0],
          int: !/[.E]/.test(m[0]),
          num: true,
        });
      } else if (/[a-zA-Z]/.test(c)) {
        let word = /^[a-zA-Z]+/.exec(this.s.slice(this.i))![0];
        // `atan2`, `factorial2`; `log2` only as a call (below)
        if (word !== "log" && this.s[this.i + word.length] === "2" && FUNCTIONS[word + "2"]) {
          word += "2";
        }
        // `log10(x)`, `log2(x)`: the base is part of the name before a bracket
        const base = /^(?:10|2)(?=\s*\()/.exec(this.s.slice(this.i + word.length))?.[0];
        if (word === "log" && base) word += base;
        if (GREEK.has(word)) {
          // `lambda`, `theta` spelled out in plain text are one symbol, not a product of letters
          this.i += word.length;
          push({ k: "atom", v: word + this.subscript() });
        } else if (
          (FUNCTIONS[word] &&
            (!CALL_ONLY.includes(word) || /^\s*\(/.test(this.s.slice(this.i + word.length)))) ||
          word === "pi" || word === "Infinity" || (word === "oo" && !this.tex)
        ) {
          this.i += word.length;
          // `oo` is SymPy's printed infinity (plain text only)
          if (word === "oo") push({ k: "atom", v: "Infinity" });
          else if (word === "pi" || word === "Infinity") push({ k: "atom", v: word });
          else push({ k: "atom", v: this.func(word === "log" ? "log" : FUNCTIONS[word]) });
        } else if (GREEK_PREFIX.test(word)) {
          // `thetad`, `omegat`, `rhoL`: a Greek name of 3+ letters glued to a letter is a product
          const name = GREEK_PREFIX.exec(word)![1];
          this.i += name.length;
          push({ k: "atom", v: name });
        } else if (APPLIED.has(c) && word.length === 1 && this.s[this.i + 1] === "(") {
          this.i++;
          push({ k: "atom", v: this.applied(c) });
        } else {
          this.i++;
          push({ k: "atom", v: c + this.subscript() });
        }
      } else if (c === "\\") {
        this.command(push, toks);
      } else if (c === "{") {
        this.i++;
        const inner = this.seq((x) =>
          x === "\\" && /^\\choose(?![a-zA-Z])/.test(this.s.slice(this.i))
        );
        if (this.s[this.i] === "\\") {
          // `{16 \choose 2}`: the binomial coefficient, as `\binom{16}{2}`
          this.i += "\\choose".length;
          const lower = this.seq();
          this.expect("}");
          push({ k: "atom", v: `binomial(${inner},${lower})` });
        } else {
          this.expect("}");
          push({ k: "atom", v: `(${inner})` });
        }
      } else if (c === "(" || c === "[") {
        this.i++;
        const inner = this.seq((x) => x === ")" || x === "]");
        if (this.s[this.i] !== ")" && this.s[this.i] !== "]") this.fail("unclosed bracket");
        this.i++;
        push({ k: "atom", v: `(${inner})` });
      } else if (c === "^") {
        this.i++;
        const base = toks.at(-1);
        toks.push({ k: "op", v: "^" });
        toks.push({ k: "atom", v: `(${this.exponent()})` });
        // `x^{2}_{i}`, `x^2_2`: a subscript after the power belongs to the base (`x_i^2`).
        if (this.s[this.i] === "_" && base?.k === "atom" && /^[a-zA-Z]+$/.test(base.v)) {
          base.v += this.subscript();
        }
      } else if (c === "|") {
        this.i++;
        const inner = this.seq((x) => x === "|");
        if (this.s[this.i] !== "|") this.fail("unclosed |");
        this.i++;
        push({ k: "atom", v: `abs(${inner})` });
      } else if (c === "!" && this.s[this.i + 1] === "!" && toks.at(-1)?.k === "atom") {
        // `n!!`, `(n+1)!!`: the double factorial of the factor before it, not (n!)!
        this.i += 2;
        const last = toks.pop()!;
        toks.push({ k: "atom", v: doubleFactorial(last.v) });
      } else if (c === "!") {
        this.i++;
        toks.push({ k: "post", v: "!" });
      } else if (c === "*" && this.s[this.i + 1] === "*") {
        this.i += 2;
        toks.push({ k: "op", v: "^" });
        toks.push({ k: "atom", v: `(${this.exponent(true)})` });
      } else if ("+-*/=<>,".includes(c)) {
        this.i++;
        let v = c;
        if ((c === "<" || c === ">" || c === "!") && this.s[this.i] === "=") {
          v += "=";
          this.i++;
        }
        toks.push({ k: "op", v });
      } else {
        this.fail(`unexpected "${c}"`);
      }
    }
    this.depth--;
    return joinTokens(toks);
  }

  expect(c: string) {
    if (this.s[this.i] !== c) this.fail(`expected "${c}"`);
    this.i++;
  }

  /**
   * An exponent. A bare digit run is read whole (`2^10` = 1024, `x^12`): answers are plain text far
   * more often than TeX, and TeX's one-token rule would turn `2^10` into `2^1·0 = 0`. A bracket
   * group is a plain-text exponent (`4^(-1/2)`), as is a whole name after `**` (`e**ea`, as in
   * Python); otherwise one TeX argument (`x^{12}`, `e^x`).
   */
  exponent(star = false): string {
    while (this.s[this.i] === " ") this.i++;
    const run = /^-?\d+(?:\.\d+)?(?!\d|\.\d)/.exec(this.s.slice(this.i, this.i + 40));
    if (run) {
      this.i += run[0].length;
      // `5^-3^-2` = 5^(-(3^(-2))): the sign belongs to the whole tower above it
      const above = run[0].startsWith("-") ? this.powerAbove() : null;
      return above === null ? run[0] : `-(${run[0].slice(1)}^(${above}))`;
    }
    const word = /^[a-zA-Z]+/.exec(this.s.slice(this.i, this.i + 40))?.[0];
    if (word && FUNCTIONS[word] && this.s[this.i + word.length] === "(") {
      // A function applied in an exponent is the whole exponent (`x**sqrt(2)`, `e^sin(x)`), never
      // one letter of its name (`e^s·in(x)`).
      const start = this.i;
      this.i += word.length + 1;
      for (let depth = 1; depth > 0; this.i++) {
        if (this.i >= this.s.length) this.fail("unclosed bracket");
        if (this.s[this.i] === "(") depth++;
        else if (this.s[this.i] === ")") depth--;
      }
      return new Converter(this.s.slice(start, this.i)).seq();
    }
    if (word && star && !FUNCTIONS[word]) {
      // Code-style `e**ea`: the exponent is the whole name, as in Python (`ea` is e·a).
      this.i += word.length;
      return new Converter(word).seq();
    }
    // `e^-(t/tau)`: a sign before a bracket group negates the group.
    const sign = this.s[this.i] === "-" && this.s[this.i + 1] === "(" ? "-" : "";
    if (this.s[this.i + sign.length] === "(") {
      this.i += sign.length + 1;
      const inner = this.seq((x) => x === ")");
      this.expect(")");
      return sign ? `-(${inner})` : inner;
    }
    if (this.s[this.i] === "-") {
      // `e^-x^2` = e^(-(x^2)), never e^((-x)^2)
      this.i++;
      const base = this.arg();
      const above = this.powerAbove();
      return above === null ? `-${base}` : `-((${base})^(${above}))`;
    }
    return this.arg(true);
  }

  /** A power (`^` or `**`) right here, read with its exponent; null when none follows. */
  powerAbove(): string | null {
    const star2 = this.s.startsWith("**", this.i);
    if (!star2 && this.s[this.i] !== "^") return null;
    this.i += star2 ? 2 : 1;
    return this.exponent(star2);
  }

  /**
   * `f(x)`, `g(0)`: a function letter applied to an argument is an opaque name (`f__x_`), never a
   * product, so `-g(0)` cannot equal `0` and `f(x)` differs from `f(y)`.
   */
  applied(letter: string): string {
    this.i++; // "("
    const start = this.i;
    let depth = 1;
    while (this.i < this.s.length && depth > 0) {
      const c = this.s[this.i++];
      if (c === "(") depth++;
      else if (c === ")") depth--;
    }
    if (depth !== 0) this.fail("unclosed bracket");
    const inner = this.s.slice(start, this.i - 1).replace(/\s+/g, "");
    const code = [...inner].map((ch) =>
      /[a-zA-Z0-9]/.test(ch) ? ch : `_${ch.charCodeAt(0).toString(16)}`
    ).join("");
    return `${letter}__${code}_`;
  }

  /** `_1`, `_{12}` after a variable letter become part of its name (`x_12`). */
  subscript(): string {
    if (this.s[this.i] !== "_") return "";
    this.i++;
    // `v_{zmf}`, and `v_zmf` / `x_12` read as one subscript (nobody means x_1·2).
    const m = /^(?:\{([a-zA-Z0-9+\-]+)\}|([a-zA-Z0-9]+))/.exec(this.s.slice(this.i));
    if (!m) this.fail("bad subscript");
    this.i += m[0].length;
    // `a_{n-1}`: the index is part of the name (`a_n_2d_1`, `-` written as its code).
    return "_" + (m[1] ?? m[2]).replace(/[+-]/g, (c) => `_${c.charCodeAt(0).toString(16)}_`);
  }

  /** A command argument: a brace group, or one character / command (`\frac12`, `x^2`). */
  arg(allowSign = false): string {
    while (this.s[this.i] === " ") this.i++;
    const c = this.s[this.i];
    if (c === undefined) this.fail("missing argument");
    if (c === "{") {
      this.i++;
      const inner = this.seq();
      this.expect("}");
      return inner;
    }
    if (allowSign && c === "-") {
      this.i++;
      return "-" + this.arg();
    }
    if (c === "\\") {
      const name = /^\\([a-zA-Z]+)/.exec(this.s.slice(this.i));
      if (name && (name[1] === "pi" || name[1] === "infty" || GREEK.has(name[1]))) {
        this.i += name[0].length;
        return name[1] === "infty" ? "Infinity" : name[1];
      }
      if (name && /^[dt]?frac$/.test(name[1])) {
        // `x^\frac{1}{2}`: a fraction is one argument
        this.i += name[0].length;
        return `((${this.arg()})/(${this.arg()}))`;
      }
      this.fail("unsupported command argument");
    }
    if (/[0-9a-zA-Z]/.test(c)) {
      this.i++;
      return c;
    }
    return this.fail(`bad argument "${c}"`);
  }

  /** Function application: optional `^k` / `_b`, then `( … )`, `{ … }` or the following term. */
  func(fn: string): string {
    let name = fn;
    let power = "";
    let base = "";
    for (let k = 0; k < 2; k++) {
      const star = this.s.startsWith("**", this.i);
      if (this.s[this.i] === "^" || star) {
        // `\sin^2 x`, and plain text `sin^2(x)`, `sec**12(x)`: a power of the function's value.
        this.i += star ? 2 : 1;
        // `tan^(-1)(x)`, `sin^(2)(x)`: a bracketed integer is the power too.
        const run = /^(?:-?\d+(?=\s*\()|\(\s*(-?\d+)\s*\))/.exec(this.s.slice(this.i, this.i + 40));
        if (run) this.i += run[0].length;
        power = run ? run[1] ?? run[0] : this.arg(true);
      } else if (this.s[this.i] === "_") {
        this.i++;
        base = this.arg();
      }
    }
    while (this.s[this.i] === " ") this.i++;
    if ((power === "-1" || power === "(-1)") && INVERSE[name]) {
      name = INVERSE[name]; // \cos^{-1} x is arccos x, not sec x
      power = "";
    }
    let inner: string;
    if (this.s[this.i] === "(" || (this.s[this.i] === "[" && name !== "sqrt")) {
      // `\sin(x)`, and `\sin\left[\theta\right]`: square brackets around the argument too
      const close = this.s[this.i] === "(" ? ")" : "]";
      this.i++;
      inner = this.seq((x) => x === close);
      this.expect(close);
    } else if (this.s.startsWith("\\{", this.i)) {
      // `\sin\left\{\theta\right\}`: escaped braces around the argument
      this.i += 2;
      inner = this.seq((x) => x === "\\" && this.s[this.i + 1] === "}");
      this.expect("\\");
      this.expect("}");
    } else if (this.s[this.i] === "{" && name !== "sqrt") {
      this.i++;
      inner = this.seq();
      this.expect("}");
    } else if (name === "sqrt") {
      inner = this.arg();
    } else if (this.s[this.i] === "|") {
      // `\ln|x|`, `\ln\left|x-1\right|`: an absolute value as the argument
      this.i++;
      inner = `abs(${this.seq((x) => x === "|")})`;
      this.expect("|");
    } else {
      inner = this.factor();
    }
    if (inner.trim() === "") this.fail("empty function argument");
    // `log(x, 10)`: a second argument is the base.
    const twoArgs = (name === "log10" || name === "log") && !base &&
      /^[^,()]*(?:\([^()]*\)[^,()]*)*,[^,]+$/.test(inner);
    const call = base && (name === "log10" || name === "log")
      ? `log(${inner},${base})`
      : twoArgs
      ? `log(${inner})`
      : name === "sinc"
      ? `(sin(${inner})/(${inner}))` // unnormalised, as SymPy's `sinc`
      : name === "factorial2"
      ? doubleFactorial(inner)
      : name === "nthroot"
      ? nthRoot(inner)
      : `${name}(${inner})`;
    return power ? `(${call})^(${power})` : call;
  }

  /** A bare function argument: `\sin 2x`, `\cos\theta`, `\sin\frac{\pi}{6}` (not `x \cos x`). */
  factor(): string {
    while (this.s[this.i] === " ") this.i++;
    if (this.s[this.i] === "{") {
      this.i++;
      const inner = this.seq();
      this.expect("}");
      return inner;
    }
    if (this.s[this.i] === "\\") {
      const toks: Tok[] = [];
      this.command((t) => toks.push(t), toks);
      return toks.map((t) => t.v).join("");
    }
    const m = /^[0-9.]*[a-zA-Z]*/.exec(this.s.slice(this.i));
    if (!m || m[0] === "") this.fail("missing function argument");
    this.i += m[0].length;
    return new Converter(m[0]).seq();
  }

  command(push: (t: Tok) => void, toks: Tok[]) {
    const m = /^\\([a-zA-Z]+|.)/.exec(this.s.slice(this.i));
    if (!m) this.fail("lone backslash");
    const name = m[1];
    this.i += m[0].length;
    if (name === "frac" || name === "dfrac" || name === "tfrac" || name === "cfrac") {
      const a = this.arg();
      const b = this.arg();
      const prev = toks[toks.length - 1];
      const before = toks[toks.length - 2];
      if (
        prev?.int && /^\d+$/.test(a) && /^\d+$/.test(b) &&
        (!before || (before.k === "op" && before.v !== "^" && before.v !== "*"))
      ) {
        toks.pop(); // mixed number: 1\frac12 = 1 + 1/2
        push({ k: "atom", v: `(${prev.v}+${a}/${b})` });
      } else push({ k: "atom", v: `((${a})/(${b}))` });
    } else if (name === "binom" || name === "dbinom" || name === "tbinom") {
      const [n, k] = [this.arg(), this.arg()];
      // `\binom{n}{0}` is 1 for every n (SymPy's `binomial(n, 0)`)
      push({ k: "atom", v: k.trim() === "0" ? "1" : `binomial(${n},${k})` });
    } else if (name === "sqrt") {
      while (this.s[this.i] === " ") this.i++;
      if (this.s[this.i] === "[") {
        const close = this.s.indexOf("]", this.i);
        if (close < 0) this.fail("unclosed root index");
        const index = new Converter(this.s.slice(this.i + 1, close)).seq();
        this.i = close + 1;
        while (this.s[this.i] === " ") this.i++;
        let radicand: string;
        if (this.s[this.i] === "(") {
          this.i++;
          radicand = this.seq((x) => x === ")");
          this.expect(")");
        } else radicand = this.arg();
        push({ k: "atom", v: `nthRoot(${radicand},${index})` });
      } else if (this.s[this.i] === "(") {
        this.i++;
        const inner = this.seq((x) => x === ")");
        this.expect(")");
        push({ k: "atom", v: `sqrt(${inner})` });
      } else push({ k: "atom", v: `sqrt(${this.arg()})` });
    } else if (name === "pi") push({ k: "atom", v: "pi" });
    else if (name === "infty" || name === "infinity") push({ k: "atom", v: "Infinity" });
    else if (GREEK.has(name)) push({ k: "atom", v: name + this.subscript() });
    else if (OPS[name]) toks.push({ k: "op", v: OPS[name] });
    else if (FUNCTIONS[name]) push({ k: "atom", v: this.func(FUNCTIONS[name]) });
    else if (WRAPPERS.has(name)) {
      push({ k: "atom", v: `(${this.arg()})` });
    } else if (name === "lfloor" || name === "lceil") {
      const inner = this.seq((x) => x === "\\" && /^\\r(floor|ceil)/.test(this.s.slice(this.i)));
      const close = /^\\r(?:floor|ceil)/.exec(this.s.slice(this.i));
      if (!close) this.fail("unclosed floor/ceil");
      this.i += close[0].length;
      push({ k: "atom", v: `${name === "lfloor" ? "floor" : "ceil"}(${inner})` });
    } else if (" ,;:!".includes(name) || name === "quad" || name === "qquad") {
      // spacing
    } else if (name === "%") {
      // percent sign handled by the caller
    } else {
      this.fail(`unsupported command \\${name}`);
    }
  }
}

/**
 * Converts one scalar LaTeX expression to mathjs syntax.
 *
 * @param latex e.g. `2\sqrt{3}x`.
 * @returns e.g. `2*sqrt(3)*x`.
 * @throws {LatexError} When the text cannot be read.
 */
export function latexToMathjs(latex: string): string {
  const c = new Converter(latex);
  const out = c.seq();
  if (c.i < latex.length) c.fail("unbalanced closing brace");
  if (out.trim() === "") c.fail("empty expression");
  return out;
}
