/**
 * Private helpers of the critique parser (parse.ts): reading the value of a verdict — a bracketed
 * list (`[1, 3]`, JSON arrays, `[<step 1>, step 3]`), a bare list (`1, 3`, `steps 2-4`,
 * `Step 2 and Step 5`, `第2步和第4步`), bullet lines, or a "none" word in several languages.
 *
 * @module
 */

/** What a verdict value parsed to: step numbers as written (not yet shifted or range-checked). */
export type ValueParse =
  | {
    ok: true;
    numbers: number[];
    kind: "list" | "none" | "inline" | "bullets" | "json" | "all";
    /** Where the value ends in the text it was read from. */
    end: number;
  }
  | { ok: false; reason: "truncated" | "ambiguous" | "unparseable" };

/** Lookarounds that make a word a whole word in any script (JS `\b` is ASCII-only). */
const L0 = String.raw`(?<![\p{L}\p{N}])`;
const L1 = String.raw`(?![\p{L}\p{N}])`;
const w = (alternatives: string) => `${L0}(?:${alternatives})${L1}`;

/** "step" in the languages the parser reads. */
export const STEP_WORD = String
  .raw`(?:steps?|[ée]tapes?|etapas?|pasos?|passos?|passaggi[o]?|pass[io]|schritte?|schritt|шаги|шага|шаг|ステップ|步骤|步驟|단계)`;

const NUM = String.raw`(\d{1,4})(?!\d|\.\d)(?!\s*(?:st|nd|rd|th)${L1})`;
const ARTICLE = String
  .raw`(?:(?:the|los|las|les|die|der|el|la|le|os|as|gli|i)\s+(?=${STEP_WORD}))?`;
const REF = String
  .raw`${ARTICLE}(?:第\s*\d{1,4}\s*(?:个步骤|步骤|步|ステップ)?|(?:<\s*)?(?:${STEP_WORD}\s*(?:no\.?|nr\.?|n°|#)?\s*)?#?\s*_?\s*${NUM}(?:\s*>)?)`;
const RANGE_WORD = String.raw`(?:-|~|\.\.\.?|${w("to|through|thru|à|a|al|bis|até|до")}|至|到)`;
const ITEM_RE = new RegExp(String.raw`${REF}(?:\s*${RANGE_WORD}\s*${REF})?`, "iuy");
const AND_RE = new RegExp(
  String.raw`\s*(?:,\s*(?:${w("and|et|y|und|e|и|as well as")}\s*)?|;|/|&|\+|${
    w("and|et|y|und|e|и|as well as|plus")
  }|以及|和|与|與|及|跟)\s*`,
  "iuy",
);
const OR_RE = new RegExp(String.raw`\s*,?\s*(?:${w("or|ou|o|oder|или")}|或者|或)\s*`, "iuy");
const NONE_RE = new RegExp(
  String.raw`(?:${
    w(
      String
        .raw`none|nothing|nil|null|empty|n/?a|no(?:ne)?(?:\s+(?:wrong|incorrect|erroneous))?(?:\s+(?:steps?|errors?|mistakes?))?|aucune?|ningun[oa]?|keine?|nenhum[a]?|nessun[oa]?|нет|all\s+(?:the\s+)?steps\s+(?:are\s+)?(?:correct|right|valid)`,
    )
  }|无|没有|無|なし|없음|∅|Ø|-(?=\s*(?:\n|$)))`,
  "iuy",
);

/** A parenthetical remark after an item: "Step 0 (wrong formula), Step 2". */
const REMARK_RE = /[ \t]*\([^()\n]{0,80}\)/y;

const CLOSE: Record<string, string> = { "[": "]", "(": ")", "{": "}" };

function itemNumbers(itemText: string): number[] {
  const nums = (itemText.match(/\d+/g) ?? []).map(Number);
  if (nums.length === 2 && nums[0] <= nums[1] && nums[1] - nums[0] <= 50) {
    return Array.from({ length: nums[1] - nums[0] + 1 }, (_, i) => nums[0] + i);
  }
  return nums;
}

/** Reads `item (sep item)*` at `pos`; returns the numbers, where it stopped and whether "or" joined items. */
export function readItems(
  text: string,
  pos: number,
): { numbers: number[]; end: number; ambiguous: boolean } | null {
  const numbers: number[] = [];
  let p = pos, ambiguous = false;
  for (;;) {
    ITEM_RE.lastIndex = p;
    const m = ITEM_RE.exec(text);
    if (!m) break;
    numbers.push(...itemNumbers(m[0]));
    p = m.index + m[0].length;
    REMARK_RE.lastIndex = p;
    if (REMARK_RE.test(text)) p = REMARK_RE.lastIndex;
    AND_RE.lastIndex = p;
    let sep = AND_RE.exec(text);
    let isOr = false;
    if (!sep) {
      OR_RE.lastIndex = p;
      sep = OR_RE.exec(text);
      isOr = sep !== null;
    }
    if (!sep || sep[0].includes("\n")) break;
    ITEM_RE.lastIndex = sep.index + sep[0].length;
    if (!ITEM_RE.test(text)) break;
    if (isOr) ambiguous = true;
    p = sep.index + sep[0].length;
  }
  return numbers.length > 0 ? { numbers, end: p, ambiguous } : null;
}

const ALL_RE = new RegExp(
  String
    .raw`all(?!\s+(?:of\s+)?(?:the\s+)?(?:steps\s+|of\s+them\s+)?(?:are|is|were|from|after|except|but|starting|other|remaining)(?![\p{L}]))(?:\s+(?:of\s+)?(?:the\s+)?(?:steps|of\s+them))?(?![\p{L}])`,
  "iuy",
);

/** Reads "all (steps)" at `pos` ("every step is wrong"); returns its end or -1. */
export function readAll(text: string, pos: number): number {
  ALL_RE.lastIndex = pos;
  const m = ALL_RE.exec(text);
  return m ? m.index + m[0].length : -1;
}

/** Reads a "none" word at `pos`; returns its end or -1. */
export function readNone(text: string, pos: number): number {
  NONE_RE.lastIndex = pos;
  const m = NONE_RE.exec(text);
  return m ? m.index + m[0].length : -1;
}

function fromJsonArray(value: unknown[]): number[] | null {
  const out: number[] = [];
  for (const item of value) {
    if (typeof item === "number" && Number.isInteger(item)) out.push(item);
    else if (typeof item === "string") {
      const read = readItems(item.trim(), 0);
      if (!read || read.end < item.trim().length) return null;
      out.push(...read.numbers);
    } else if (item && typeof item === "object" && !Array.isArray(item)) {
      const rec = item as Record<string, unknown>;
      const key = ["step", "index", "step_index", "stepIndex", "idx", "id", "step_id", "number"]
        .find((k) => typeof rec[k] === "number" || /^\d+$/.test(String(rec[k] ?? "")));
      if (!key) return null;
      const verdict = rec.correct ?? rec.is_correct ?? rec.isCorrect;
      if (verdict === true || verdict === "true") continue;
      out.push(Number(rec[key]));
    } else return null;
  }
  return out;
}

/** Parses a bracketed value whose opening bracket is at `pos`. */
export function readBracket(text: string, pos: number): ValueParse {
  const open = text[pos], close = CLOSE[open];
  let depth = 0, end = -1;
  for (let i = pos; i < text.length && i < pos + 2000; i++) {
    if (text[i] === open) depth++;
    else if (text[i] === close && --depth === 0) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    return text.length - pos < 400 ? { ok: false, reason: "truncated" } : {
      ok: false,
      reason: "unparseable",
    };
  }
  const list = (numbers: number[], kind: "list" | "none" = "list"): ValueParse => ({
    ok: true,
    numbers,
    kind,
    end: end + 1,
  });
  const inner = text.slice(pos + 1, end).trim();
  if (inner === "") return list([]);
  if (open === "[") {
    try {
      const json = JSON.parse(text.slice(pos, end + 1));
      if (Array.isArray(json)) {
        const numbers = fromJsonArray(json);
        if (numbers) return list(numbers);
      }
    } catch { /* not JSON: read it as a list of items below */ }
  }
  const unquoted = inner.replace(/["']/g, "").replace(/[\s,.;]+$/, "");
  const noneEnd = readNone(unquoted, 0);
  if (noneEnd >= 0 && /^[\s.,;:!-]*$/.test(unquoted.slice(noneEnd).replace(/\(.*\)/s, ""))) {
    return list([], "none");
  }
  if (/^\d+(?:\s+\d+)+$/.test(unquoted)) return list(unquoted.split(/\s+/).map(Number));
  const read = readItems(unquoted, 0);
  if (read && read.end >= unquoted.length) {
    return read.ambiguous ? { ok: false, reason: "ambiguous" } : list(read.numbers);
  }
  return { ok: false, reason: "unparseable" };
}

/** The end of the line that contains `pos` (looking at most 2000 characters ahead). */
export function lineEnd(text: string, pos: number): number {
  const stop = Math.min(text.length, pos + 2000);
  for (let i = pos; i < stop; i++) if (text.charCodeAt(i) === 10) return i;
  return stop;
}

const BULLET = new RegExp(
  String
    .raw`^[ \t]*(?:(?:[-*+•]|\d{1,2}[.)](?=\s+\D))[ \t]+|(?=(?:<\s*)?${STEP_WORD}\s*#?\d+\s*>?\s*[:(]))`,
  "iu",
);
const JUDGED_FINE = /(?<![\p{L}])(?:correct|fine|right|valid|ok)(?![\p{L}])|[✓✔✅]/iu;
const JUDGED_BAD = /(?<![\p{L}])(?:incorrect|wrong|error|invalid|mistake)/iu;

/**
 * Reads the lines under a verdict label that ends its line ("Wrong steps:\n[1, 3]", or bullets
 * "- Step 1 ...\n- Step 3 ..."). Only values that are plainly a value are accepted.
 */
export function readNextLines(text: string, pos: number): ValueParse {
  let p = pos, blank = 0;
  while (p < text.length) {
    const end = lineEnd(text, p);
    if (text.slice(p, end).trim() !== "") break;
    if (++blank > 3) return { ok: false, reason: "unparseable" };
    p = end + 1;
  }
  if (p >= text.length) return { ok: false, reason: "truncated" };
  const start = p + (text.slice(p, p + 100).match(/^[ \t]*/)?.[0].length ?? 0);
  const firstLine = text.slice(start, lineEnd(text, start)).trim();
  if ("[({".includes(text[start])) return readBracket(text, start);
  const noneEnd = readNone(text, start);
  if (noneEnd >= 0 && /^[\s.,;:!)]*$/.test(text.slice(noneEnd, lineEnd(text, noneEnd)))) {
    return { ok: true, numbers: [], kind: "none", end: lineEnd(text, noneEnd) };
  }
  if (!BULLET.test(firstLine)) {
    const read = readItems(text, start);
    const rest = read ? text.slice(read.end, lineEnd(text, read.end)) : "x";
    if (read && /^[\s.,;]*$/.test(rest)) {
      return read.ambiguous
        ? { ok: false, reason: "ambiguous" }
        : { ok: true, numbers: read.numbers, kind: "inline", end: lineEnd(text, read.end) };
    }
    return { ok: false, reason: "unparseable" };
  }
  const numbers: number[] = [];
  let q = start;
  while (q < text.length) {
    const end = lineEnd(text, q);
    const line = text.slice(q, end);
    const bullet = line.match(BULLET);
    if (!bullet) break;
    const body = line.slice(bullet[0].length);
    if (readNone(body, 0) >= 0 && numbers.length === 0) {
      return { ok: true, numbers: [], kind: "none", end };
    }
    const read = readItems(body, 0);
    // A per-step table under the label ("Step 0: correct") is not a list of wrong steps.
    if (!read || (JUDGED_FINE.test(body) && !JUDGED_BAD.test(body))) {
      return { ok: false, reason: "unparseable" };
    }
    numbers.push(...read.numbers);
    q = end + 1;
  }
  return { ok: true, numbers, kind: "bullets", end: Math.min(q, text.length) };
}
