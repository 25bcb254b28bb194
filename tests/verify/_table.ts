/**
 * The verifier's table of cases (own making, one feature per group): `[pred, gold, expected,
 * options?]`. Used by verify_test.ts.
 */
import type { VerifyOptions, VerifyOutcome } from "../../lib/verify/mod.ts";

export type Case = [string, string, VerifyOutcome, VerifyOptions?];
const E: VerifyOutcome = "equal";
const N: VerifyOutcome = "not_equal";
const U: VerifyOutcome = "unverifiable";

/** Integers, decimals and fractions written in many forms, each with wrong twins. */
function numberForms(): Case[] {
  const out: Case[] = [];
  const values: [string, string[], string[]][] = [
    ["7", ["7", "07", "+7", "7.0", "7.00", "\\boxed{7}", "$7$", "\\frac{14}{2}"], [
      "8",
      "-7",
      "0.7",
      "70",
    ]],
    ["-3", ["-3", "\u22123", "-3.0", "\\boxed{-3}", "-\\frac{6}{2}", "\\frac{-3}{1}"], [
      "3",
      "-2",
      "-0.3",
    ]],
    ["0.5", ["\\frac12", "\\frac{1}{2}", "1/2", ".5", "0.50", "\\dfrac{2}{4}", "\\tfrac12"], [
      "0.05",
      "5",
      "\\frac13",
    ]],
    ["\\frac{3}{4}", ["0.75", "3/4", "\\frac{6}{8}", "\\dfrac34", "75\\%", "0.750"], [
      "0.7",
      "4/3",
      "\\frac{3}{5}",
    ]],
    ["1000", ["1,000", "1000.0", "10^3", "1{,}000", "\\$1,000", "1000 dollars"], [
      "(1,0)",
      "100",
      "1,001",
    ]],
    ["2.5", ["\\frac52", "2\\frac12", "5/2", "2.50", "\\boxed{2\\frac{1}{2}}"], [
      "2.4",
      "25",
      "2\\frac13",
    ]],
    ["1234567", ["1,234,567", "1234567", "1234567.00"], ["1,234,568", "1234566", "123,456,7"]],
    ["-1.5", ["-1\\frac12", "-\\frac32", "-3/2", "-1.50"], ["1.5", "-1.05", "-\\frac23"]],
    ["0", ["0", "-0", "0.0", "0.000", "\\frac{0}{5}"], ["0.001", "1", "-1"]],
    ["100", ["100", "10^2", "10^{2}", "1e2", "100.0"], ["10^3", "99", "1000"]],
  ];
  for (const [gold, good, bad] of values) {
    for (const p of good) out.push([p, gold, E]);
    for (const p of bad) out.push([p, gold, N]);
  }
  return out;
}

/** Full solution texts in the common styles, with right and wrong final answers. */
function solutions(): Case[] {
  const out: Case[] = [];
  const body = "Each box holds 12 pens and there are 4 boxes, so 12 * 4 = 48 pens.\n" +
    "Three pens are broken: 48 - 3 = 45.";
  const forms = (n: string) => [
    `${body}\n#### ${n}`,
    `${body}\nThe answer is ${n}.`,
    `${body}\nTherefore the final answer is $\\boxed{${n}}$.`,
    `${body}\nFinal Answer: The final answer is ${n}. I hope it is correct.`,
    `${body}\n\n**Answer:** ${n}<|im_end|>`,
    `${body}\nSo there are \\boxed{${n}} usable pens.</s>`,
  ];
  for (const p of forms("45")) out.push([p, "45", E], [p, "#### 45", E]);
  for (const p of forms("48")) out.push([p, "45", N]);
  out.push([`${body}\nSo 45 pens work.`, "45", N, { lastNumber: false }]); // no marked answer
  out.push([`${body}\nSo 45 pens work.`, "45", E]);
  out.push([`${body}\nThe answer is \\boxed{4`, "45", N]); // truncated
  return out;
}

const M = (s: string) => `\\begin{pmatrix}${s}\\end{pmatrix}`;

/** One group per feature of the verifier. */
export const FEATURE_CASES: Case[] = [
  // exact before approximate; decimals scaled to stated precision
  ["100000000000000000001", "100000000000000000000", N],
  ["2^{70}", "1180591620717411303424", E],
  ["2^{70}-1", "1180591620717411303424", N],
  ["\\frac{1}{2004!}", "\\frac{1}{2006!}", N],
  ["\\frac{1}{30!}", "\\frac{1}{30!}", E],
  ["0.333", "\\frac13", E],
  ["0.33", "\\frac13", N],
  ["0.3", "\\frac13", N],
  ["0.667", "\\frac23", E],
  ["0.666", "\\frac23", N],
  ["3.14", "\\pi", E],
  ["3.14159", "\\pi", E],
  ["3.1", "\\pi", N],
  ["3.142", "3.14", N], // two written decimals are both stated values
  ["3.1", "3.14", N],
  ["1.732", "\\sqrt3", E],
  ["1.7", "\\sqrt3", N],
  ["12.5", "12.50", E],
  ["1e-3", "0.001", E],
  // bare LaTeX without $
  ["\\frac12", "0.5", E],
  ["\\dfrac{3}{2}", "1\\frac12", E],
  ["\\sqrt[3]{64}", "4", E],
  ["\\sqrt[3]{x}", "x^{1/3}", E],
  ["\\sqrt[4]{16}", "2", E],
  ["40\\pi", "40 \\pi", E],
  ["40\\pi", "\\pi\\cdot 40", E],
  ["40\\pi", "4\\pi", N],
  ["1\\frac12", "\\frac32", E],
  ["3\\frac{2}{5}", "3.4", E],
  ["3\\frac{2}{5}", "\\frac{6}{5}", N],
  ["\\sqrt{50}", "5\\sqrt{2}", E],
  ["\\sqrt{50}", "5\\sqrt{3}", N],
  ["\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt 3}{2}", E],
  ["\\frac{1}{\\sqrt3}", "\\frac{\\sqrt{3}}{3}", E],
  ["2\\times 3", "6", E],
  ["6\\div 4", "1.5", E],
  ["\\left(\\frac{2}{3}\\right)^{2}", "\\frac49", E],
  ["\\log_{3} 9", "2", E],
  ["\\ln 1", "0", E],
  ["\\binom{7}{2}", "21", E],
  ["\\binom{7}{2}", "42", N],
  ["6!", "720", E],
  ["|-4|", "4", E],
  ["\\sin \\frac{\\pi}{2}", "1", E],
  ["\\cos 0", "0", N],
  // symbolic equality, variables must match
  ["x^2+2x+1", "(x+1)^2", E],
  ["x^2+2x", "(x+1)^2", N],
  ["(x-2)(x+3)", "x^2+x-6", E],
  ["(x-2)(x+3)", "x^2-x-6", N],
  ["2ab", "2ba", E],
  ["\\frac{a^2-b^2}{a-b}", "a+b", E],
  ["f(x)", "f(y)", N],
  ["x+1", "y+1", N],
  ["\\sin^2 t + \\cos^2 t", "1", E],
  ["2\\sin x\\cos x", "\\sin 2x", E],
  ["\\cos^2 x - \\sin^2 x", "\\cos(2x)", E],
  ["e^{a}e^{b}", "e^{a+b}", E],
  ["\\sqrt{x^2}", "|x|", E],
  ["\\sqrt{x^2}", "x", E], // roots are compared for positive values, as answers assume
  ["x", "|x|", N],
  ["x_1 x_2", "x_2 x_1", E],
  ["\\alpha + \\beta", "\\beta+\\alpha", E],
  ["m+n", "m-n", N],
  ["\\frac{k(k+1)}{2}", "\\frac{k^2+k}{2}", E],
  // sets, tuples, ordered vs unordered lists
  ["\\{1, 2, 3\\}", "\\{2, 3, 1\\}", E],
  ["\\{1, 2\\}", "\\{1, 2, 4\\}", N],
  ["\\{-1, 1\\}", "\\pm 1", E],
  ["1 \\pm \\sqrt{2}", "\\{1+\\sqrt2, 1-\\sqrt2\\}", E],
  ["(1, 2)", "(1, 2)", E],
  ["(1, 2)", "(2, 1)", N],
  ["(1, 2, 3)", "(1, 2)", N],
  ["1, 2, 3", "3, 1, 2", N],
  ["1, 2, 3", "3, 1, 2", E, { unordered: true }],
  ["x = 2 \\text{ or } x = -3", "-3, 2", E], // roots of one unknown: a set of values
  // units: dropped when one side states them, compared when both do
  ["3.5 \\text{ L}", "3.5 \\text{ gal}", N],
  ["10 \\text{ inches}", "10 \\text{ in}", E],
  ["10 \\text{ units}", "10", E],
  // plain-text and CAS-style answers
  ["L == 2*V/(E*d)", "L = \\frac{2V}{Ed}", E],
  ["sin(theta)**2 + cos(theta)**2", "1", E],
  ["ArcTan(x) + Sin(x)", "\\arctan x + \\sin x", E],
  ["v_zmf**2", "v_zmf * v_zmf", E],
  ["log(x)/log(10)", "log(x, 10)", E],
  ["xyz", "x y z", E],
  ["\\text{yes}", "y e s", N],
  // equations whose left side is beyond the parser still state their constant
  ["$17 \\bmod 5 = 2$", "2", E],
  ["$17 \\bmod 5 = 2$", "3", N],
  ["7 = 11a + c", "11a + c", N], // a constraint, not a value
  // multiple choice: the first standalone letter of a prose answer, never one inside maths
  ["The answer is for sure D, it can't be A or B", "D", E],
  ["D", "(D) Alina", E],
  ["\\boxed{B}", "D", N],
  ["x + A", "A", N],
  ["\\mathrm{E}*2", "E", N],
  ["1/ab", "(1/a)*b", N], // a juxtaposed product is one divisor
  ["1/ab", "1/(ab)", E],
  ["1/2mv^2", "\\frac{1}{2}mv^2", E], // a leading number divides alone
  ["summation(2*k + 1, (k, 1, n))", "summation(2*k - 1, (k, 1, n))", N], // texts keep operators
  ["1, 2", "1, 2, 3", N, { unordered: true }],
  ["x = 1, y = 2", "y = 2, x = 1", E],
  ["2 \\text{ and } 3", "2, 3", E],
  ["2 or 3", "3, 2", E, { unordered: true }],
  // intervals with bracket types, unions
  ["[1, 4)", "[1,4)", E],
  ["[1, 4)", "(1,4)", N],
  ["[1, 4]", "[1,4)", N],
  ["(-\\infty, 0]", "(-\\infty,0]", E],
  ["(-\\infty, 0)", "(-\\infty,0]", N],
  ["(-\\infty,-1)\\cup(1,\\infty)", "(1,\\infty)\\cup(-\\infty,-1)", E],
  ["(-\\infty,-1)\\cup(1,\\infty)", "(-\\infty,-1]\\cup(1,\\infty)", N],
  ["x \\in (0, 2]", "(0,2]", E],
  ["\\left[ \\frac{1}{2}, 3 \\right)", "[0.5, 3)", E],
  // matrices
  [M("1 & 0 \\\\ 0 & 1"), M("1&0\\\\0&1"), E],
  [M("1 & 0 \\\\ 0 & 1"), M("0&1\\\\1&0"), N],
  [M("\\frac{1}{2} \\\\ -1"), M("0.5 \\\\ -1"), E],
  [M("1 & 2"), M("1 \\\\ 2"), N],
  [M("3 \\\\ 4"), "(3, 4)", E],
  ["\\begin{bmatrix}2&1\\\\1&2\\end{bmatrix}", M("2&1\\\\1&2"), E],
  // equations: never reduced to their right side
  ["x = 5", "5", N, { assignmentAsValue: false }],
  ["5", "x = 5", N, { assignmentAsValue: false }],
  ["x = 5", "5", E],
  ["x^2 = 25", "25", N],
  ["\\sqrt{25} = 5", "5", E],
  ["y = 3x - 2", "y = -2 + 3x", E],
  ["y = 3x - 2", "3x - y = 2", E],
  ["y = 3x - 2", "y = 3x + 2", N],
  ["3x - 2", "y = 3x - 2", N, { assignmentAsValue: false }],
  ["x = 1, y = 2", "(1, 2)", N, { assignmentAsValue: false }],
  ["x = 1, y = 2", "(1, 2)", E],
  ["x = 2, y = 1", "(1, 2)", N, { assignmentAsValue: true }],
  ["x^2 + y^2 = 4", "y^2 + x^2 = 4", E],
  ["x^2 + y^2 = 4", "x^2 + y^2 = 2", N],
  ["a = b", "b = a", E],
  // inequalities vs intervals
  ["x > 2", "2 < x", E],
  ["x \\ge 2", "x > 2", N],
  ["x > 2", "(2, \\infty)", N, { inequalityAsInterval: false }],
  ["x > 2", "(2, \\infty)", E],
  ["x \\geq 2", "[2, \\infty)", E, { inequalityAsInterval: true }],
  ["-1 \\le x < 3", "[-1, 3)", E, { inequalityAsInterval: true }],
  ["-1 \\le x < 3", "[-1, 3]", N, { inequalityAsInterval: true }],
  ["t < 0", "x < 0", N],
  // percentages: no x100 guessing by default
  ["25\\%", "25", E],
  ["25", "25\\%", E],
  ["0.25", "25\\%", E],
  ["0.025", "25\\%", N],
  ["0.25", "25", N],
  ["0.25", "25", E, { percent: true }],
  ["0.25", "25\\%", E, { percent: true }],
  ["25\\%", "0.25", E, { percent: true }],
  ["30\\%", "25\\%", N, { percent: true }],
  // units and \text{}
  ["12 \\text{ cm}", "12", E],
  ["12\\,\\text{m}^2", "12", E],
  ["12 \\mbox{ inches}", "13", N],
  ["\\$4.50", "4.5", E],
  ["4 hours", "4", E],
  ["\\text{Tuesday}", "Tuesday", E],
  ["\\text{Tuesday}", "\\text{Monday}", N],
  ["\\text{(E)}", "E", E],
  ["(A)", "\\text{(B)}", N],
  // degrees
  ["90^\\circ", "90", E],
  ["90^{\\circ}", "\\frac{\\pi}{2}", E],
  ["60^\\circ", "\\frac{\\pi}{2}", N],
  ["45°", "45", E],
  ["\\sin 30^\\circ", "\\frac12", E],
  ["\\cos 15^\\circ", "\\frac{\\sqrt6 + \\sqrt2}{4}", E],
  ["\\sin 30", "\\frac12", N],
  // thousands separators vs tuples
  ["1,000", "1000", E],
  ["(1,0)", "1,000", N],
  ["1,000", "(1,000)", N],
  ["10,000,000", "10^7", E],
  ["1,00", "100", N],
  // complex numbers
  ["2+3i", "3i+2", E],
  ["2-3i", "2+3i", N],
  ["i^2", "-1", E],
  ["\\frac{2}{1-i}", "1+i", E],
  ["(1-i)^2", "-2i", E],
  ["\\sqrt{-9}", "3i", E],
  // \pi and e
  ["\\pi", "\\pi", E],
  ["2\\pi", "6.283", E],
  ["2\\pi", "6.2", N],
  ["e", "2.718", E],
  ["e^{i\\pi}+1", "0", E],
  ["\\pi^2", "\\pi^3", N],
  // repeating decimals, bases, plus-minus
  ["0.\\overline{6}", "\\frac23", E],
  ["0.1\\overline{6}", "\\frac16", E],
  ["101_2", "5", E],
  ["101_2", "101", N],
  // words, juxtaposed numbers, unicode fractions, approximations
  ["No", "no", E],
  ["yes", "No", N],
  ["\\text{none}", "None", E],
  ["3, 600", "3600", N],
  ["1 000 000", "10^6", E],
  ["1 2", "12", U],
  ["½", "0.5", E],
  ["¾", "\\frac34", E],
  ["\\approx 1.414", "\\sqrt2", E],
  ["f(x) = x^2", "x^2", E],
  ["f(x) = x^2", "x^2", N, { assignmentAsValue: false }],
  ["2xy", "2", N],
  ["2xy", "2yx", E],
  ["5cm", "5", E],
  ["3 \\sqrt{2} units", "\\sqrt{18}", E],
  // precision: no absolute floor, zero told from tiny values, a gap that stays at 128 digits
  ["\\sin \\pi", "0", E],
  ["e^{i\\pi} + 1", "0", E],
  ["e^{-300}", "0", N],
  ["\\frac{1}{10^{70}}", "0", N],
  ["\\pi + 10^{-50}", "\\pi", N],
  ["\\sqrt{2}\\sqrt{3}", "\\sqrt{6}", E],
  ["2004!", "2004! + 1", N],
  ["e^{10^{4}} + 1", "e^{10^{4}}", U],
  ["10^{20}x + 1", "10^{20}x", N],
  ["x + 10^{-12}", "x", N],
  // bounded cost and unparseable golds
  ["2^{2^{2^{49}}}", "7", U],
  ["1000000!", "120", U],
  ["10^{10^{12}}", "10", U],
  ["2^{2^{2^{49}}}", "2^{2^{2^{49}}}", E],
  ["5", "\\frac{1}{", U],
  ["5", "", U],
  ["5", "((3", U],
  ["x+)", "5", U],
];

/** Realistic full texts around harder answers (MATH style), right and wrong. */
export const TEXT_CASES: Case[] = [
  [
    "Completing the square, $(x-2)^2 = 5$, so $x = \\boxed{2 \\pm \\sqrt{5}}$.",
    "2+\\sqrt5, 2-\\sqrt5",
    E,
    { unordered: true },
  ],
  ["Completing the square gives $x = \\boxed{2 + \\sqrt{5}}$.", "2 \\pm \\sqrt{5}", N],
  ["The vertex is at $\\boxed{(2, -5)}$.", "(2,-5)", E],
  ["The vertex is at $\\boxed{(-5, 2)}$.", "(2,-5)", N],
  ["Hence the domain is $\\boxed{[3, \\infty)}$.", "[3,\\infty)", E],
  ["Hence the domain is $\\boxed{(3, \\infty)}$.", "[3,\\infty)", N],
  ["The line is $\\boxed{y = \\frac{1}{2}x + 3}$.", "y = 0.5x + 3", E],
  ["The line is $\\boxed{y = \\frac{1}{2}x - 3}$.", "y = 0.5x + 3", N],
  ["So the probability is $\\boxed{\\dfrac{5}{36}}$.", "\\frac{5}{36}", E],
  ["So the probability is $\\boxed{\\dfrac{5}{6}}$.", "\\frac{5}{36}", N],
  ["The area is $\\boxed{16\\pi}$ square units.", "16\\pi", E],
  ["The area is $\\boxed{8\\pi}$ square units.", "16\\pi", N],
  ["Thus $\\theta = \\boxed{30^\\circ}$.", "30", E],
  ["Thus $\\theta = \\boxed{60^\\circ}$.", "30", N],
  ["We find $z = \\boxed{3 - 2i}$.", "3-2i", E],
  ["We find $z = \\boxed{3 + 2i}$.", "3-2i", N],
  [
    "The matrix is $\\boxed{\\begin{pmatrix} 1 & 2 \\\\ 0 & 1 \\end{pmatrix}}$.",
    M("1&2\\\\0&1"),
    E,
  ],
  [
    "The matrix is $\\boxed{\\begin{pmatrix} 1 & 0 \\\\ 2 & 1 \\end{pmatrix}}$.",
    M("1&2\\\\0&1"),
    N,
  ],
  ["The roots are $\\boxed{-1}$ and $\\boxed{4}$.", "-1, 4", E],
  ["The roots are $\\boxed{1}$ and $\\boxed{4}$.", "-1, 4", N],
  ["First I got \\boxed{3}, but rechecking gives \\boxed{5}.", "5", E],
  ["First I got \\boxed{5}, but rechecking gives \\boxed{3}.", "5", N],
  ["The sum telescopes to $\\boxed{\\frac{n}{n+1}}$.", "\\frac{n}{n+1}", E],
  ["The sum telescopes to $\\boxed{\\frac{n}{n-1}}$.", "\\frac{n}{n+1}", N],
  ["The sum telescopes to $\\boxed{\\frac{m}{m+1}}$.", "\\frac{n}{n+1}", N],
  ["Therefore, the answer is $\\frac{\\sqrt{2}}{2}$. Done.", "\\frac{1}{\\sqrt2}", E],
  ["Therefore, the answer is $\\sqrt{2}$. Done.", "\\frac{1}{\\sqrt2}", N],
  ["Final Answer: The final answer is $(1,3)$. I hope it is correct.", "(1,3)", E],
  ["Final Answer: The final answer is $[1,3]$. I hope it is correct.", "(1,3)", N],
  ["So the set is \\boxed{\\{1, 3\\}}<|endoftext|>", "\\{3,1\\}", E],
  ["So the set is \\boxed{\\{1, 2\\}}<|endoftext|>", "\\{3,1\\}", N],
  ["The speed is \\boxed{60 \\text{ km/h}}.", "60", E],
  ["The speed is \\boxed{50 \\text{ km/h}}.", "60", N],
  ["So it grew by \\boxed{20\\%}.", "20", E],
  ["So it grew by \\boxed{0.2}.", "20\\%", E],
  ["So it grew by \\boxed{0.2}.", "20", N],
  ["The total is \\boxed{1,050}.", "1050", E],
  ["The total is \\boxed{1,005}.", "1050", N],
  ["The answer is $\\boxed{x^2 + 1}$", "1 + x^2", E],
  ["The answer is $\\boxed{x^2 - 1}$", "1 + x^2", N],
  ["#### $42", "42", E],
  ["Answer: **42**", "42", E],
  ["\\boxed{{42}}", "42", E],
  ["<|im_start|>assistant\nThe answer is 42.<|im_end|>", "42", E],
  ["**Final Answer**\n\n\\[\n\\boxed{42}\n\\]", "42", E],
  ["**Final Answer**\n\n\\[\n\\boxed{24}\n\\]", "42", N],
  ["The final answer is $\\boxed{\\$42}$.", "42", E],
  ["\\boxed{\\textbf{42}}", "42", E],
  ["The answer is 42 minutes.", "42", E],
  ["The answer is 4.2 minutes.", "42", N],
  ["It takes 3 hours and the answer is 3.", "#### 3", E],
  ["It takes 3 hours and the answer is 4.", "#### 3", N],
];

/**
 * Relations joined by `or` / `and` as sets of values, Maxima's constants, `\ln|x|`, and log
 * identities across a branch cut (found on the second holdout's tuning half).
 */
const REGION_CASES: Case[] = [
  ["x<-3 \\text{ or } x>1", "(-\\infty,-3)\\cup(1,\\infty)", E],
  ["x<-3 \\text{ or } x>2", "(-\\infty,-3)\\cup(1,\\infty)", N],
  ["x<-3 \\text{ or } x>1", "(-\\infty,-3]\\cup[1,\\infty)", N],
  ["x \\le -3 \\text{ or } x \\ge 1", "(-\\infty,-3]\\cup[1,\\infty)", E],
  ["1<x or x<-3", "x<-3 or 1<x", E],
  ["y<-3 \\text{ or } y>1", "x<-3 \\text{ or } x>1", N],
  ["x>1 and x<5", "5>x and 1<x", E],
  ["x>1 \\text{ and } x<5", "(1,5)", E],
  ["x>1 or x<5", "(1,5)", N],
  ["x>1 or x<5", "(-\\infty,\\infty)", E],
  ["x<1 and x>5", "\\emptyset", E],
  ["x \\ne 2", "(-\\infty,2)\\cup(2,\\infty)", E],
  ["x \\ne 3", "(-\\infty,2)\\cup(2,\\infty)", N],
  ["x \\geq 0 \\text{ and } x \\neq 1", "[0,1)\\cup(1,\\infty)", E],
  ["x<2 or x=5", "(-\\infty,2)\\cup\\{5\\}", E],
  ["[1,2]\\cup[2,3]", "[1,3]", E],
  ["(1,2)\\cup(2,3)", "(1,3)", N],
  ["(x>4 and x<5) or (x<-4 and x>-5)", "(-5,-4)\\cup(4,5)", E],
  ["(x>4 and x<5) or (x<-4 and x>-3)", "(-5,-4)\\cup(4,5)", N],
  ["x > 1 and y < 2", "y<2 and x>1", E],
  ["x = 2 \\text{ or } x = -2", "x=-2, x=2", E],
  ["%pi/2", "\\frac{\\pi}{2}", E],
  ["2*%i+1", "1+2i", E],
  ["%e^(%i*%pi)", "-1", E],
  ["%e^(%i*%pi)", "1", N],
  ["\\ln\\frac{x+1}{1-x}", "-\\ln\\frac{1-x}{x+1}", E],
  ["\\ln\\frac{x+1}{1-x}", "\\ln\\frac{1-x}{x+1}", N],
  ["\\log(x-2)", "\\log(2-x)", N],
  ["\\sqrt{x-3}", "\\sqrt{3-x}", N],
  ["\\ln \\left| x \\right|", "\\ln|x|", E],
  ["2\\ln|x|", "\\ln(x^2)", E],
  ["\\sin|x|", "\\sin x", N],
  ["x>=1 and x<=1", "x=1", E],
  ["x>=1 and x<=2", "x=1", N],
  ["1+cosech(3*x)", "1+csch(3*x)", E],
  ["\\operatorname{sech} x", "\\frac{1}{\\cosh x}", E],
  ["\\operatorname{sgn}(-3)", "-1", E],
  ["signum(3)", "-1", N],
  // equations with the same solutions, not constant multiples of each other
  ["xy = 1", "y = \\frac{1}{x}", E],
  ["xy = 2", "y = \\frac{1}{x}", N],
  ["1/x+1/y=2", "y = x/(2*x-1)", E],
  ["1/x+1/y=3", "y = x/(2*x-1)", N],
  ["\\frac{1}{x} = 2", "x = \\frac12", E],
  ["x^2 = 4", "x = 2", N],
  ["y = x^2", "\\sqrt{y} = x", N],
  ["x^2+y^2=1", "y=\\sqrt{1-x^2}", N],
  ["(y-x)(y-x-1)^2=0", "y=x", N],
  ["(y-x)^2=0", "y=x", N],
  ["x=1", "(x-1)^3=0", N],
  ["e^y = x", "y = \\ln x", E],
];

/** Every table case. */
export const TABLE: Case[] = [
  ...numberForms(),
  ...solutions(),
  ...FEATURE_CASES,
  ...TEXT_CASES,
  ...REGION_CASES,
];
