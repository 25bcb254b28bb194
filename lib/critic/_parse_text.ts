/**
 * Private helpers of the critique parser (parse.ts): text normalisation (full-width forms, dashes,
 * markdown, code fences), `<think>` draft separation and the "was this output cut off?" heuristic.
 *
 * @module
 */

/** A critique split into the text outside and inside `<think>` drafts. */
export interface ThinkSplit {
  /** Text outside every think block (what the model "said"). */
  main: string;
  /** Text inside think blocks, "" when there are none. */
  think: string;
  /** A think block was opened and never closed: the model was cut off while drafting. */
  unclosedThink: boolean;
}

const THINK_OPEN = /<(?:think|thinking|reasoning)>/gi;
const THINK_CLOSE = /<\/(?:think|thinking|reasoning)>/gi;

/**
 * Normalises what real critics write into plain ASCII-ish text: NFKC (full-width `［１，３］` →
 * `[1,3]`, `：` → `:`), every dash to `-`, ideographic commas and lenticular brackets, curly
 * quotes, zero-width characters, and it drops decoration (`**`, `__`, backticks, fence lines,
 * headings, blockquotes, `$`, inline HTML, `<answer>` tags, `\boxed{[…]}`) that would otherwise
 * sit between a verdict's label and its list.
 */
export function normalizeCritiqueText(text: string): string {
  return text.normalize("NFKC")
    .replace(/\r\n?/g, "\n")
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, "")
    .replace(/[\u2010-\u2015\u2212\uFE58\uFE63]/g, "-")
    .replace(/[\u3001\uFF64]/g, ",")
    .replace(/[\u3010\u3014\u3016]/g, "[")
    .replace(/[\u3011\u3015\u3017]/g, "]")
    .replace(/[\u201C\u201D\u201E\u00AB\u00BB]/g, '"')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/^[ \t]*(?:```|~~~)[^\n]*$/gm, "")
    .replace(/`/g, "")
    .replace(/\*\*|__/g, "")
    .replace(/<\/?(?:b|strong|em|i|u|code|span|mark|sup|sub)(?:\s[^<>]*)?\/?>/gi, "")
    .replace(
      /<\/?(?:p|br|div|answer|verdict|output|result|final(?:_answer)?|conclusion)(?:\s[^<>]*)?\/?>/gi,
      "\n",
    )
    .replace(/\\([[\]{}()])/g, "$1")
    .replace(/\\(?:boxed|fbox)\{\s*(\[[^[\]{}]*\])\s*\}/g, "$1")
    .replace(/\$/g, "")
    .replace(/^[ \t]*#{1,6}[ \t]+/gm, "")
    .replace(/^[ \t]*>[ \t]?/gm, "");
}

function matchesOf(text: string, re: RegExp): RegExpExecArray[] {
  re.lastIndex = 0;
  return [...text.matchAll(re)];
}

/**
 * Separates `<think>` drafts from the answer. Handles a missing opening tag (templates that put
 * `<think>` in the prompt) and an opening tag that is never closed (output cut off mid-draft).
 */
export function splitThink(text: string): ThinkSplit {
  const opens = matchesOf(text, THINK_OPEN);
  const closes = matchesOf(text, THINK_CLOSE);
  const lastClose = closes.at(-1);
  if (!lastClose) {
    const open = opens[0];
    if (!open) return { main: text, think: "", unclosedThink: false };
    return {
      main: text.slice(0, open.index),
      think: text.slice(open.index + open[0].length),
      unclosedThink: true,
    };
  }
  const closeEnd = lastClose.index + lastClose[0].length;
  const firstOpen = opens.find((m) => m.index < lastClose.index);
  const reopened = opens.find((m) => m.index >= closeEnd);
  const before = firstOpen ? text.slice(0, firstOpen.index) : "";
  const thinkStart = firstOpen ? firstOpen.index + firstOpen[0].length : 0;
  let think = text.slice(thinkStart, lastClose.index);
  let main = before + text.slice(closeEnd, reopened ? reopened.index : text.length);
  if (reopened) think += "\n" + text.slice(reopened.index + reopened[0].length);
  think = think.replace(THINK_OPEN, "\n").replace(THINK_CLOSE, "\n");
  main = main.replace(THINK_OPEN, "\n").replace(THINK_CLOSE, "\n");
  return { main, think, unclosedThink: Boolean(reopened) };
}

/**
 * Whether raw critic output looks cut off by a token limit: an unclosed code fence or think
 * block, or a last character that does not end a sentence, list or markup element.
 */
export function looksTruncated(raw: string): boolean {
  const text = raw.trimEnd();
  if (text === "") return false;
  if (matchesOf(text, /^[ \t]*(?:```|~~~)/gm).length % 2 === 1) return true;
  if (splitThink(text).unclosedThink) return true;
  if (/[\d)]\s*[*×÷+=-]$/.test(text)) return true; // "... 9*" is maths cut off, not **bold**
  const last = [...text].at(-1) ?? "";
  if (/[.!?。！？)\]}"'»」』>*_~`|]/.test(last)) return false;
  if (/[\p{Extended_Pictographic}✓✔✗✘]/u.test(last)) return false;
  return true;
}
