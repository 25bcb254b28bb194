/**
 * Final-answer extraction, its own tested step: the last `\boxed{}` / `\fbox{}`
 * (nested braces, `\boxed 5`, adjacent boxes joined), `#### N`, "Final Answer: The final answer is
 * X", "the answer is X", "Answer: X", a bare short answer, and the last number only when asked.
 * EOS tokens and the Unicode minus are stripped first; a missing or cut-off answer is reported.
 * @module
 */
import type { ExtractAnswerOptions } from "./types.ts";

/** What {@linkcode extractAnswer} found. */
export interface ExtractedAnswer {
  /** The answer text with `$` delimiters and trailing punctuation removed, or `null`. */
  answer: string | null;
  /**
   * How it was found: `boxed`, `boxed_multiple`, `final_answer`, `gsm8k`, `answer_heading`,
   * `answer_is`,
   * `answer_line`, `bare`, `last_math`, `last_number`, `text`; or why not: `no_answer`, `truncated`,
   * `empty`.
   */
  reason: string;
}

const EOS_PATTERN =
  /<\|im_end\|>|<\|endoftext\|>|<\|eot_id\|>|<\|end_of_text\|>|<\|end\|>|<\/s>|<eos>|<\|im_start\|>\w*/g;

/**
 * Removes end-of-sequence tokens and maps Unicode minus signs to `-` and NBSP to spaces.
 *
 * @param text Any model output.
 * @returns The cleaned text.
 * @example
 * ```ts
 * import { cleanAnswerText } from "./extract.ts";
 * cleanAnswerText("\\boxed{−3}<|im_end|>"); // "\\boxed{-3}"
 * ```
 */
export function cleanAnswerText(text: string): string {
  const s = text.replace(EOS_PATTERN, "").replace(/[\u2212\uFE63\uFF0D]/g, "-").replace(
    /[\u00A0\u2009\u202F]/g,
    " ",
  );
  return undoubleEscapes(s);
}

/**
 * LaTeX escaped twice (as in JSON or Python source: `\\frac{1}{5}`) back to single escapes, only
 * when no command in the text is escaped once, so matrix row breaks (`\\`) in normal LaTeX stay.
 */
function undoubleEscapes(s: string): string {
  // Every escape doubled (`\\begin{matrix} x \\\\ \\sqrt{3}`): undo them all, row breaks included.
  if (allDoubled(s)) return s.replace(/\\\\/g, "\\");
  // `\\dfrac` next to single escapes (a hand-edited gold): a row break is never glued to these.
  s = s.replace(/(?<!\\)\\\\(?=(?:[dt]?frac|sqrt|left|right|cdot|times|pi)(?![a-zA-Z]))/g, "\\");
  return allDoubled(s) ? s.replace(/\\\\/g, "\\") : s;
}

/** True when the text has doubled command escapes and no command escaped once. */
function allDoubled(s: string): boolean {
  if (!s.includes("\\\\") || !/\\\\(?:[a-zA-Z]{2,}|[{}])/.test(s)) return false;
  return !/(?<!\\)\\[a-zA-Z{}]/.test(s.replace(/\\\\/g, ""));
}

/** The part a reader grades: after the last `</think>`, inside the last `<answer>…</answer>`. */
function answerRegion(s: string): string {
  const think = s.lastIndexOf("</think>");
  let t = think >= 0 ? s.slice(think + 8) : s;
  const tags = [...t.matchAll(/<answer>([\s\S]*?)<\/answer>/gi)];
  if (tags.length > 0) t = tags[tags.length - 1][1];
  return t;
}

/** Finds the end (index after `}`) of the brace group opening at `open`, or -1 when unclosed. */
function matchBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") {
      i++; // `\{` and `\}` are literal braces, not grouping
    } else if (c === "{") {
      depth++;
    } else if (c === "}") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

interface Box {
  start: number;
  end: number;
  content: string | null; // null: unclosed
}

function findBoxes(text: string): Box[] {
  const boxes: Box[] = [];
  const re = /\\(?:boxed|fbox)(?![a-zA-Z])/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    let i = m.index + m[0].length;
    while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
    if (text[i] === "{") {
      const end = matchBrace(text, i);
      if (end < 0) {
        boxes.push({ start: m.index, end: text.length, content: null });
        break;
      }
      boxes.push({ start: m.index, end, content: text.slice(i + 1, end - 1) });
      re.lastIndex = end;
    } else {
      const tail = /^[^\s$]+/.exec(text.slice(i, i + 200));
      if (!tail) continue;
      boxes.push({ start: m.index, end: i + tail[0].length, content: tail[0] });
      re.lastIndex = i + tail[0].length;
    }
  }
  return boxes;
}

function fromBoxes(text: string, boxes: Box[]): ExtractedAnswer {
  const last = boxes[boxes.length - 1];
  if (last.content === null) return { answer: null, reason: "truncated" };
  const group = [last.content];
  for (let k = boxes.length - 2; k >= 0; k--) {
    // Between boxes only separators: `and`, `,`, `\quad \text{and} \quad`, `\) and \(`.
    const gap = text.slice(boxes[k].end, boxes[k + 1].start)
      .replace(/\\(?:q?quad(?![a-zA-Z])|[,;! ()\[\]])/g, " ")
      // `\text{ for part (a) and }`: a short note between the boxes, ending in and / or
      .replace(/\\text\s*\{[^{}]{0,40}?\b(and|or)\s*\}|\\text\s*\{\s*[,;]?\s*\}/g, " $1 ");
    if (!/^[\s,;$.]*(?:and|or|,|;)?[\s,;$]*$/i.test(gap) || boxes[k].content === null) break;
    group.unshift(boxes[k].content as string);
  }
  const answer = tidy(group.join(", "));
  if (answer === "") return { answer: null, reason: "empty" };
  return { answer, reason: group.length > 1 ? "boxed_multiple" : "boxed" };
}

/** Strips math delimiters, leading "is"/":", trailing sentence punctuation and outer spaces. */
function tidy(answer: string): string {
  let s = answer.trim();
  for (let k = 0; k < 3; k++) {
    const before = s;
    s = s.replace(/^(?:is|=|:)\s+/i, "").replace(/^\*\*|\*\*$/g, "").replace(/^#{2,}\s*/, "")
      .replace(/^(?:therefore|thus|hence|so|then|finally)\b,?\s+(?=\S)/i, "") // "Therefore x = 5."
      .replace(/^final(?:\s+answer)?\s*[:：]\s*/i, "") // "The answer is Final: 5"
      // "about 5", "approximately $3.2$": a hedge before a number is not part of the answer
      .replace(/^(?:about|approximately|approx\.|roughly|around)\s+(?=[-+$\\\d.])/i, "")
      .trim();
    s = trimPunctuation(s).replace(/(?<!\\)\\$/, "").trim(); // `185\`: a stray escape
    s = s.replace(/^(['"`])([^'"`]+)\1$/, "$2"); // `'42'`: quoted
    const d = /^\$\$?([\s\S]*?)\$?\$$/.exec(s) ?? /^\\\[([\s\S]*)\\\]$/.exec(s) ??
      /^\\\(([\s\S]*)\\\)$/.exec(s);
    if (d && !d[1].includes("$")) s = d[1].trim();
    if (s === before) break;
  }
  return s;
}

/** Drops trailing `.`, `;`, `,` and `\.` (a loop: a regex here is quadratic on long runs). */
function trimPunctuation(text: string): string {
  let end = text.length;
  while (end > 0) {
    const c = text[end - 1];
    if (c === "." && text[end - 2] === "\\") end -= 2;
    else if (c === "." || c === ";" || c === "," || c === " " || c === "\n") end--;
    else break;
  }
  return text.slice(0, end);
}

/** Cuts a prose tail ("18 dollars. So ...") at the first sentence end that is not a decimal point. */
function firstSentence(text: string): string {
  const line = text.split("\n")[0];
  const inline = /^\s*\$([^$]+)\$/.exec(line);
  if (inline) return inline[1];
  const end = /\.(?:\s|$)|,?\s+(?:since|because|which|as|so|but|where|when|then)\b/.exec(line);
  const sentence = end ? line.slice(0, end.index) : line;
  // "72, in total, so …": a number, then words after a comma (not "and"/"or", which list more)
  const lead = /^\s*(-?[\d.,/]*\d),\s+(?!(?:and|or)\b)[a-zA-Z]{2,}/.exec(sentence);
  const plain = lead &&
    (!lead[1].includes(",") || /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(lead[1]));
  return plain ? lead[1] : sentence;
}

// A prose word stands between spaces or punctuation; `theta**(3)`, `(alpha)/(2)`, `2as` are maths.
const PROSE_WORD = /(?<=^|[\s"'])[a-zA-Z]{2,}(?=$|[\s.,;:!?"'])/g;
const MATH_WORDS = new Set([
  "sin",
  "cos",
  "tan",
  "sec",
  "csc",
  "cot",
  "log",
  "ln",
  "exp",
  "pi",
  "or",
  "and",
  "sqrt",
  "in",
  "cm",
  "mm",
  "km",
  "kg",
  "ft",
  "inf",
  "sinh",
  "cosh",
  "tanh",
  "cosec",
  "abs",
  "alpha",
  "beta",
  "gamma",
  "delta",
  "theta",
  "lambda",
  "mu",
  "rho",
  "sigma",
  "tau",
  "phi",
  "omega",
]);

/** True when a text reads as a short answer rather than prose (fewer than 3 plain words). */
function looksBare(text: string): boolean {
  if (text.length > 500 || text.split("\n").length > 6) return false;
  if (/[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]/.test(text)) return false; // CJK words are prose
  const stripped = text.replace(/\\(?:text|mbox|mathrm|textbf|operatorname)\{[^{}]*\}/g, "x");
  const words = proseWords(stripped);
  // A sentence's own words make prose however short it is ("It is 4."), and so does a sentence
  // with a number ("She paid $50."); `xy`, `mv` and "Ten apples" stay answers.
  if (words.some((w) => SENTENCE_WORDS.test(w))) return false;
  if (/^I\s+[a-z]{2,}\b/.test(stripped)) return false; // "I calculate 99 + 1 = 100"
  if (/^[A-Z][a-z]+\s+[a-z]{2,}\b[^\n]*\d[^\n]*[.!]$/.test(stripped)) return false;
  return words.length < 3;
}

/** Verbs and pronouns no maths answer writes as letters (`it is`, `we get`, `this equals`). */
const SENTENCE_WORDS = /^(?:is|are|was|were|it|its|this|that|we|equals|gives|get|got)$/i;

/** The plain words of a text (maths words such as `sin` and `pi` left out). */
function proseWords(text: string): string[] {
  return [...text.matchAll(PROSE_WORD)].map((m) => m[0])
    .filter((w) => !MATH_WORDS.has(w.toLowerCase()));
}

/**
 * "First compute 6*7.\n42": a short working line in words, then a last line with none. That last
 * line is the answer; a bare answer over several lines (a matrix, a system) has no prose line.
 */
function lastLineAfterProse(text: string): string | null {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  if (lines.length < 2 || /\$|\\[[(]/.test(text)) return null; // maths regions: lastMathRegion
  const last = lines[lines.length - 1];
  if (proseWords(last).length > 0 || !lines.slice(0, -1).some((l) => proseWords(l).length > 0)) {
    return null;
  }
  const answer = tidy(last);
  return answer === "" ? null : answer;
}

/**
 * The last maths of a response with no marked answer: a `\[…\]`, `$$…$$` or `$…$` region. A
 * leading `=` (a displayed line `… $= y^2+1$`) is dropped; an equation is left whole, for the
 * comparison to judge.
 */
function lastMathRegion(text: string): string | null {
  const re = /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|\$([^$\n]+?)\$/g;
  let last: string | null = null;
  let m: RegExpExecArray | null;
  let count = 0;
  while ((m = re.exec(text)) !== null && count++ < 10000) last = m[1] ?? m[2] ?? m[3] ?? m[4];
  if (last === null) return null;
  const answer = tidy(last.replace(/^\s*=/, ""));
  return answer === "" ? null : answer;
}

function lastNumber(text: string): string | null {
  const nums = text.match(/-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?(?:\/\d+)?|-?\.\d+/g);
  return nums ? nums[nums.length - 1] : null;
}

/**
 * Extracts the final answer from a model output or a gold answer.
 *
 * @param text A full solution or a bare answer.
 * @param options See {@linkcode ExtractAnswerOptions}.
 * @returns The answer text (or `null`) and how it was found.
 * @example
 * ```ts
 * import { extractAnswer } from "./extract.ts";
 * extractAnswer("So x = 2, thus \\boxed{\\frac{1}{2}}.").answer; // "\\frac{1}{2}"
 * extractAnswer("She pays 5 * 2 = 10.\n#### 10").answer; // "10"
 * ```
 */
export function extractAnswer(text: string, options: ExtractAnswerOptions = {}): ExtractedAnswer {
  const { lastNumber: useLastNumber = true, lastMath = true, bare = true } = options;
  if (typeof text !== "string") return { answer: null, reason: "no_answer" };
  const s = answerRegion(cleanAnswerText(text));
  if (s.trim() === "") return { answer: null, reason: "empty" };
  const boxes = s.includes("box") ? findBoxes(s) : [];
  if (boxes.length > 0) return fromBoxes(s, boxes);
  const found = markedAnswer(s);
  if (found) return found;
  // "all real numbers except -4": the phrase is the answer (an interval), not its last number
  if (bare && /^\s*all real(?: numbers)?\b[^\n]{0,60}$/i.test(s)) {
    return { answer: tidy(s), reason: "bare" };
  }
  if (bare && looksBare(s.trim())) {
    const line = lastLineAfterProse(s);
    if (line !== null) return { answer: line, reason: "bare" };
    // "Answer $ 9 $", "The result is \( 3 \)": words around maths, the maths is the answer.
    const math = /^\s*(?:\$|\\\[|\\\()/.test(s) ? null : lastMathRegion(s);
    if (math !== null) return { answer: math, reason: "last_math" };
    const answer = tidy(s);
    return answer === "" ? { answer: null, reason: "empty" } : { answer, reason: "bare" };
  }
  if (lastMath) {
    const m = lastMathRegion(s);
    if (m !== null) return { answer: m, reason: "last_math" };
  }
  if (useLastNumber) {
    const n = lastNumber(s);
    if (n !== null) return { answer: n, reason: "last_number" };
  }
  // A short line of words with no number or maths (`New York City`, `Romeo and Juliet by
  // Shakespeare`): a text answer, compared as text. A sentence (a comma, 7+ words) is not.
  const line = s.trim();
  const short = line.split(/\s+/).length <= 6 && !/[\d,\n]/.test(line);
  if (bare && line !== "" && short) {
    return { answer: tidy(line), reason: "text" };
  }
  return { answer: null, reason: "no_answer" };
}

/** "The largest $n$ is 34": in a prose answer line, the part after the last " is ". */
function afterIs(segment: string): string {
  if (looksBare(segment)) return segment;
  const k = segment.toLowerCase().lastIndexOf(" is ");
  return k >= 0 ? segment.slice(k + 4) : segment;
}

function lastMatch(re: RegExp, s: string): RegExpExecArray | null {
  let last: RegExpExecArray | null = null;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    last = m;
    if (m[0].length === 0) re.lastIndex++;
  }
  return last;
}

function markedAnswer(s: string): ExtractedAnswer | null {
  const minerva = lastMatch(/final answer is\s*([\s\S]*?)(?:\.?\s*I hope it is correct|$)/gi, s);
  if (minerva) {
    const answer = tidy(minerva[1].split("\n")[0]);
    return answer === ""
      ? { answer: null, reason: "truncated" }
      : { answer, reason: "final_answer" };
  }
  // `#### 72` on its own line, or after the working on the same line (`reasoning #### 72`)
  const gsm = lastMatch(/(?:^|[ \t])####[ \t]*(.*)$/gm, s);
  if (gsm) {
    const answer = tidy(gsm[1]);
    return answer === "" ? { answer: null, reason: "truncated" } : { answer, reason: "gsm8k" };
  }
  // A heading line, answer on the next line: PRM800K's `# Answer\n\n5`, `**Final Answer**\n…`.
  const heading = lastMatch(
    /^[ \t]*(?:#{1,6}[ \t]*|\*\*)?(?:final[ \t]+)?answer(?:\*\*)?[ \t]*:?(?:\*\*)?[ \t]*\n\s*([^\n]+)/gim,
    s,
  );
  if (heading) {
    const answer = tidy(heading[1]);
    if (answer !== "") return { answer, reason: "answer_heading" };
  }
  const is = lastMatch(/\b(?:answer|result)(?:\s+is\b|\s*[=:])\s*(?:[:=]\s*)?/gi, s);
  if (is) {
    const answer = tidy(afterIs(firstSentence(s.slice(is.index + is[0].length))));
    if (answer !== "") return { answer, reason: "answer_is" };
    return { answer: null, reason: "truncated" };
  }
  const line = lastMatch(/^[ \t*#]*(?:final answer|final|answer|a)[ \t*]*[:：][ \t*]*(.*)$/gim, s);
  if (line) {
    const answer = tidy(afterIs(firstSentence(line[1])));
    return answer === ""
      ? { answer: null, reason: "truncated" }
      : { answer, reason: "answer_line" };
  }
  return null;
}
