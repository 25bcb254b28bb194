/**
 * `verifyAnswer`: extraction → parsing (cached for golds) → structured comparison, returning a
 * three-way result with a reason and the audited forms. Synchronous and
 * total: every failure becomes an `unverifiable` result, never an exception.
 * @module
 */
import { compareParsed, type Verdict } from "./_compare.ts";
import { parseAnswer, type Parsed, yesNoWord } from "./_parse.ts";
import { extractAnswer } from "./extract.ts";
import { unitsDiffer } from "./_units.ts";
import type { AnswerForm, VerifyOptions, VerifyResult } from "./types.ts";

const PARSE_CACHE_LIMIT = 20000;
// A pure memo of gold parses (same text → same parse), bounded, so it is not behavioural global
// state: it spares re-parsing the same gold for every sampled response of a group. Predictions are
// not cached, so benchmarks that replay a set still parse every prediction.
const parseCache = new Map<string, Parsed | Error>();

function parseCached(answer: string): Parsed | Error {
  let hit = parseCache.get(answer);
  if (hit === undefined) {
    hit = tryParse(answer);
    if (parseCache.size >= PARSE_CACHE_LIMIT) parseCache.clear();
    parseCache.set(answer, hit);
  }
  return hit;
}

function tryParse(answer: string): Parsed | Error {
  try {
    return parseAnswer(answer);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** `D`, `(D)`, `(D) Alina`, `D.`: a multiple-choice letter leading the answer. */
const LEADING_CHOICE = /^\s*\(?([A-E])\)?(?=$|[\s.:,)])/;
const ANY_CHOICE = /(?<![A-Za-z0-9\\^_])\(?([A-E])\)?(?![A-Za-z0-9^_(])/;
const PROSE = /(?:^|\s)[a-z]{3,}(?=$|[\s.,;:!?'])/;

/**
 * Multiple choice: when the gold is a letter A–E (`(D) Alina` included), the prediction's first
 * standalone letter — in its extracted answer, else in its text — is its choice ("The answer is
 * for sure D, not A or B" chose D). Null when the gold is not a choice or no letter is found.
 */
function choiceVerdict(gold: string, answer: string | null, text: string) {
  const g = LEADING_CHOICE.exec(gold);
  if (!g || (gold.trim().length > 3 && !/^\s*\(?[A-E]\)?\s+[A-Z][a-z]/.test(gold))) return null;
  // A letter inside an answer only when the answer is prose (`for sure D`), never maths (`x + A`).
  const inProse = (t: string) =>
    PROSE.test(t.replace(/\\[a-zA-Z]+/g, " ")) ? ANY_CHOICE.exec(t) : null;
  const p = LEADING_CHOICE.exec(answer ?? "") ?? inProse(answer ?? "") ??
    (answer === null ? inProse(text) : null);
  if (!p) return null;
  return p[1] === g[1]
    ? { result: "equal" as const, reason: "choice" }
    : { result: "not_equal" as const, reason: "value_differs" };
}

const YES_NO_GOLD = /^\W*(yes|no|true|false)\W*$/i;
const YES_NO_LEAD = /^\W*(yes|no|true|false)\b\s*(?:[,.!;:]|$)/i;

/**
 * A yes/no question: when the gold is yes or no (true or false), a prediction that opens with one
 * of those words and a stop ("Yes, Rex is a mammal.") answers with it; `true` is `yes`. Null when
 * the gold is not such a word or the prediction does not open so.
 */
function yesNoVerdict(gold: string, answer: string) {
  const g = YES_NO_GOLD.exec(gold);
  const p = g && YES_NO_LEAD.exec(answer);
  if (!g || !p) return null;
  return yesNoWord(p[1].toLowerCase()) === yesNoWord(g[1].toLowerCase())
    ? { result: "equal" as const, reason: "yes_no" }
    : { result: "not_equal" as const, reason: "value_differs" };
}

function form(raw: string, extracted: string | null, parsed?: Parsed | Error): AnswerForm {
  const normalized = parsed && !(parsed instanceof Error) ? parsed.norm : null;
  return { raw, extracted, normalized };
}

/**
 * Verifies a prediction against a gold answer.
 *
 * @param pred A model output (full solution or bare answer).
 * @param gold The gold answer (bare, `#### N`, or a boxed reference solution).
 * @param options See {@linkcode VerifyOptions}.
 * @returns `equal` / `not_equal` / `unverifiable` with a reason and both audited forms.
 * @example
 * ```ts
 * import { verifyAnswer } from "./verify.ts";
 * verifyAnswer("so the answer is $\\boxed{\\frac12}$", "0.5").result; // "equal"
 * verifyAnswer("x^2 = 9", "3").reason; // "equation_vs_value"
 * ```
 */
export function verifyAnswer(
  pred: string,
  gold: string,
  options: VerifyOptions = {},
): VerifyResult {
  const predText = typeof pred === "string" ? pred : String(pred ?? "");
  const goldText = typeof gold === "string" ? gold : String(gold ?? "");
  try {
    return verifyUnsafe(predText, goldText, options ?? {});
  } catch (error) {
    const reason = error instanceof RangeError ? "too_large" : "internal_error";
    return {
      result: "unverifiable",
      reason,
      pred: form(predText, null),
      gold: form(goldText, null),
    };
  }
}

function verifyUnsafe(pred: string, gold: string, options: VerifyOptions): VerifyResult {
  const { maxAnswerLength = 1000 } = options;
  const g = extractAnswer(gold, { bare: true });
  const p = extractAnswer(pred, options);
  const done = (v: Verdict, gp?: Parsed | Error, pp?: Parsed | Error): VerifyResult => ({
    result: v.result,
    reason: v.reason,
    pred: form(pred, p.answer, pp),
    gold: form(gold, g.answer, gp),
  });
  if (g.answer === null) return done({ result: "unverifiable", reason: "gold_no_answer" });
  if (g.answer.length > maxAnswerLength) {
    return done({ result: "unverifiable", reason: "too_long" });
  }
  const choice = choiceVerdict(g.answer, p.answer, pred);
  if (choice) return done(choice);
  const yesNo = yesNoVerdict(g.answer, p.answer ?? pred);
  if (yesNo) return done(yesNo);
  // `f'` vs `f'`: the same text (spaces aside) is the same answer, even when it cannot be parsed.
  const same = p.answer !== null && p.answer.replace(/\s+/g, "") === g.answer.replace(/\s+/g, "");
  const gp = parseCached(g.answer);
  if (gp instanceof Error && same) return done({ result: "equal", reason: "identical" });
  if (gp instanceof Error) {
    const reason = gp instanceof RangeError ? "too_large" : "gold_unparseable";
    return done({ result: "unverifiable", reason });
  }
  if (p.answer === null) {
    return done({
      result: "not_equal",
      reason: p.reason === "truncated" ? "truncated" : "no_answer",
    }, gp);
  }
  if (p.answer.length > maxAnswerLength) {
    return done({ result: "unverifiable", reason: "too_long" }, gp);
  }
  const pp = p.answer === g.answer ? gp : tryParse(p.answer);
  if (pp instanceof Error) {
    const reason = pp instanceof RangeError ? "too_large" : "pred_unparseable";
    return done({ result: "unverifiable", reason }, gp, pp);
  }
  const words = (x: Parsed) =>
    x.t === "text" || (x.t === "seq" && x.items.every((i) => i.t === "text"));
  if (p.reason === "text" && words(pp) && !words(gp)) {
    // "I am not sure." against a value: words with no answer in them
    return done({ result: "not_equal", reason: "no_answer" }, gp, pp);
  }
  // Several boxed answers are one answer set: `\boxed{1} and \boxed{-2}` vs `-2, 1`.
  const boxes = p.reason === "boxed_multiple" || g.reason === "boxed_multiple";
  const multiple = boxes ? { ...options, unordered: true } : options;
  let verdict = compareParsed(pp, gp, multiple);
  if (verdict.result === "equal" && unitsDiffer(p.answer, g.answer)) {
    verdict = { result: "not_equal", reason: "unit_differs" };
  }
  if (
    verdict.result !== "equal" && p.reason === "boxed_multiple" && pp.t === "seq" && gp.t !== "seq"
  ) {
    // "\boxed{15\frac{39}{40}} or \boxed{\frac{639}{40}}": one answer in several forms.
    const each = pp.items.map((item) => compareParsed(item, gp, options));
    if (each.every((v) => v.result === "equal")) {
      verdict = { result: "equal", reason: "boxes_agree" };
    }
  }
  return done(verdict, gp, pp);
}
