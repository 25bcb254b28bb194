/**
 * Private helpers of the critique parser (parse.ts): finding verdicts. Every labelled verdict
 * ("Wrong steps: …" in several languages, JSON keys) is a candidate and the last explicit one wins;
 * when there is none, fallbacks read a concluding sentence, per-step judgement lines or a final
 * bare list.
 * @module
 */
import {
  lineEnd,
  readAll,
  readBracket,
  readItems,
  readNextLines,
  readNone,
  STEP_WORD,
  type ValueParse,
} from "./_parse_value.ts";

/** A verdict found in text: step numbers as written, or why none could be read. */
export type Verdict =
  | {
    ok: true;
    numbers: number[];
    reason: string;
    oneBased?: boolean;
    all?: boolean;
    /** Where the verdict's line ends in the searched text. */
    end?: number;
  }
  | { ok: false; reason: string };

const LATIN_MARKERS = [
  String
    .raw`(?:wrong|incorrect|erroneous|faulty|flawed|mistaken|invalid|problematic)[\s_-]*steps?(?:[\s_-]*(?:list|indices|indexes|ids|numbers|index))?`,
  String.raw`steps?[\s_-]*(?:with|containing)[\s_-]*(?:an?\s+)?(?:errors?|mistakes?)`,
  String.raw`[ée]tapes?\s+(?:incorrectes?|erron[ée]es?|fausses?)`,
  String.raw`pasos?\s+(?:incorrectos?|err[óo]neos?|equivocados?)`,
  String.raw`(?:passos?|etapas?)\s+(?:incorret[oa]s?|errad[oa]s?)`,
  String.raw`(?:falsche|fehlerhafte|inkorrekte)[rn]?\s+schritte?`,
  String.raw`pass(?:aggi|i)\s+(?:errati|sbagliati)`,
  String.raw`(?:неверные|ошибочные|неправильные)\s+шаги`,
];
const CJK_MARKERS = [
  String.raw`(?:错误|有误|出错|錯誤)的?(?:步骤|步驟)(?:列表|编号|序号|索引)?`,
  String.raw`(?:誤った|間違った|誤りのある|間違っている)ステップ`,
  String.raw`잘못된\s*단계`,
];
const WEAK_MARKERS = String
  .raw`final\s+verdict|verdict|errors?|mistakes?|flagged(?:[\s_-]*steps)?|(?:wrong|incorrect)[\s_-]*(?:indices|ids)`;
const MARKER_RE = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?:${LATIN_MARKERS.join("|")})(?![\p{L}])|${CJK_MARKERS.join("|")}`,
  "giu",
);
const WEAK_RE = new RegExp(String.raw`(?<![\p{L}\p{N}])(?:${WEAK_MARKERS})(?![\p{L}])`, "giu");
/** After a label: filler words before a colon (group 1), a parenthetical (2), the separator (3). */
const SEP_RE = new RegExp(
  String.raw`(?:\s*\(s\))?(?:[ \t]+([\p{L}' \t]{1,30}?)(?=[ \t]*:))?[ \t*_"')\]|]*` +
    String.raw`(?:\(([^()\n]{0,60})\)[ \t*_"']*)?` +
    String
      .raw`(?:(:=|:|=>|->|→|⇒|=|-(?!\d)|(?:is|are|were|was|include|includes|sont|est|son|es|sind|ist)(?![\p{L}])|为|是|有)[ \t*_"']*(?::[ \t]*)?)?`,
  "iuy",
);
const COUNT_WORDS = /(?:number|count|total|how\s+many|amount|percentage|ratio|rate)/i;
const COUNT_BEFORE = new RegExp(String.raw`${COUNT_WORDS.source}(?:\s+of)?\s+(?:the\s+)?$`, "i");
const NEGATED = /(?:(?<![\p{L}])(?:no|zero)\s+|没有|沒有|无|無)$/iu;
const ONE_BASED = /(?<![\p{L}\p{N}])(?:1|one)[\s-]*(?:based|indexed)/iu;
const ZERO_BASED = /(?<![\p{L}\p{N}])(?:0|zero)[\s-]*(?:based|indexed)/iu;
const SPACES = /[ \t]*/y;

interface Candidate {
  value: ValueParse;
  json: boolean;
  labelled: boolean;
  /** Where the verdict's line ends (text after it is "trailing"). */
  end: number;
  oneBased?: boolean;
}

function readValue(text: string, pos: number, sep: string | undefined, weak: boolean): ValueParse {
  SPACES.lastIndex = pos;
  SPACES.test(text);
  let p = SPACES.lastIndex;
  if (/^\\(?:boxed|fbox)\{/.test(text.slice(p, p + 7))) p = text.indexOf("{", p); // \boxed{2}
  const atEol = p >= text.length || text[p] === "\n";
  if ("[({".includes(text[p]) && p < text.length) {
    const value = readBracket(text, p);
    const close = text.indexOf(text[p] === "[" ? "]" : text[p] === "(" ? ")" : "}", p);
    if (value.ok && /^\s*(?:or|\/)\s*[[(]/i.test(text.slice(close + 1, lineEnd(text, p)))) {
      return { ok: false, reason: "ambiguous" };
    }
    return value;
  }
  if (weak) return { ok: false, reason: "unparseable" };
  const wordSep = sep !== undefined && /^[\p{L}]/u.test(sep);
  if (atEol) {
    if (wordSep) return { ok: false, reason: "unparseable" };
    if (p >= text.length) return { ok: false, reason: sep ? "truncated" : "unparseable" };
    return readNextLines(text, p + 1);
  }
  if (sep === undefined) return { ok: false, reason: "unparseable" };
  const noneEnd = readNone(text, p);
  if (noneEnd >= 0) return { ok: true, numbers: [], kind: "none", end: noneEnd };
  const allEnd = readAll(text, p);
  if (allEnd >= 0) return { ok: true, numbers: [], kind: "all", end: allEnd };
  const read = readItems(text, p);
  if (!read) return { ok: false, reason: "unparseable" };
  if (read.ambiguous) return { ok: false, reason: "ambiguous" };
  return { ok: true, numbers: read.numbers, kind: "inline", end: read.end };
}

function candidatesOf(text: string, re: RegExp, weak: boolean): Candidate[] {
  const out: Candidate[] = [];
  re.lastIndex = 0;
  for (const m of text.matchAll(re)) {
    const before = text.slice(Math.max(0, m.index - 40), m.index);
    if (COUNT_BEFORE.test(before)) continue; // "Number of wrong steps: 2"
    const quoted = /["']\s*$/.test(before) && /^["']/.test(text.slice(m.index + m[0].length));
    const json = quoted || /^[a-z]+_[a-z_]+$/i.test(m[0]);
    const markEnd = m.index + m[0].length;
    if (!weak && NEGATED.test(before)) {
      const value: ValueParse = { ok: true, numbers: [], kind: "none", end: markEnd };
      out.push({ value, json: false, labelled: false, end: markEnd });
      continue;
    }
    if (weak && !json && !/^\s*$/.test(text.slice(text.lastIndexOf("\n", m.index) + 1, m.index))) {
      continue; // a weak label only counts at the start of a line or as a JSON key
    }
    SEP_RE.lastIndex = markEnd;
    const sep = SEP_RE.exec(text);
    if (sep?.[1] && COUNT_WORDS.test(sep[1])) continue; // "Wrong steps count: 2"
    const end = sep ? sep.index + sep[0].length : markEnd;
    const value = readValue(text, end, sep?.[3], weak);
    let oneBased: boolean | undefined;
    if (value.ok) {
      const scope = (sep?.[2] ?? "") + " " +
        text.slice(end, Math.min(lineEnd(text, end), end + 300));
      oneBased = ONE_BASED.test(scope) ? true : ZERO_BASED.test(scope) ? false : undefined;
    }
    const labelled = sep?.[3] !== undefined && /^[:=]/.test(sep[3]);
    out.push({ value, json, labelled, end: value.ok ? value.end : end, oneBased });
  }
  return out;
}

function reasonOf(c: Candidate & { value: { ok: true } }): string {
  if (c.json) return "json";
  const reasons: Record<string, string> = {
    none: "none",
    inline: "inline_list",
    bullets: "bullet_list",
    all: "all",
  };
  return reasons[c.value.kind] ?? "explicit_list";
}

/** The last explicit verdict in `text`, a failure that overrides it, or null when there is none. */
export function findLabelledVerdict(text: string): Verdict | null {
  for (const [re, weak] of [[MARKER_RE, false], [WEAK_RE, true]] as const) {
    const cands = candidatesOf(text, re, weak);
    const lastOk = cands.findLastIndex((c) => c.value.ok);
    const later = cands.slice(lastOk + 1);
    if (later.some((c) => !c.value.ok && c.value.reason === "truncated")) {
      return { ok: false, reason: "truncated" };
    }
    if (later.some((c) => !c.value.ok && c.value.reason === "ambiguous")) {
      return { ok: false, reason: "ambiguous" };
    }
    if (lastOk >= 0) {
      const c = cands[lastOk] as Candidate & { value: { ok: true; numbers: number[] } };
      const all = c.value.kind === "all";
      const { numbers } = c.value, reason = reasonOf(c);
      return { ok: true, numbers, reason, oneBased: c.oneBased, all, end: c.end };
    }
    if (!weak && cands.some((c) => c.labelled)) return { ok: false, reason: "unparseable_verdict" };
  }
  return null;
}

const WRONG_AFTER =
  /^\s*(?:is|are|was|were)\s+(?:also\s+|both\s+|all\s+)?(?:wrong|incorrect|erroneous|flawed|invalid|mistaken|not\s+correct)|^\s*(?:contains?|has|have|makes?)\s+(?:an?\s+)?(?:\w+\s+)?(?:error|mistake)/i;
const ERROR_IN = /(?:error|mistake)s?\s+(?:is|are|occurs?|lies|appears?|was\s+made)\s+in\s+$/i;
const NONE_PROSE =
  /(?<![\p{L}])(?:all\s+(?:of\s+the\s+|the\s+)?(?:(?!other|remaining)\w+\s+)?steps\s+(?:are|were|look|seem)\s+(?:\w+\s+)?(?:correct|right|valid|fine)|every\s+step\s+is\s+(?:\w+\s+)?(?:correct|right|valid)|no\s+(?:wrong|incorrect|erroneous)\s+steps|none\s+of\s+the\s+steps\s+(?:is|are|contains?|has)\s+(?:wrong|incorrect|an?\s+error|errors)|(?:there\s+are|i\s+found|found)\s+no\s+(?:errors?|mistakes?)|the\s+(?:solution|reasoning|response)\s+is\s+(?:entirely\s+|fully\s+|completely\s+)?correct)/iu;
const STEP_AT = new RegExp(String.raw`(?<![\p{L}])${STEP_WORD}\s*\d|<\s*step\s*\d`, "giu");

/** A concluding sentence in the last paragraph: "Step 2 is incorrect." / "All steps are correct." */
export function findProseVerdict(text: string): Verdict | null {
  const blocks = text.split(/\n\s*\n/).filter((b) => b.trim() !== "");
  const last = blocks.at(-1) ?? "";
  const numbers: number[] = [];
  STEP_AT.lastIndex = 0;
  for (const m of last.matchAll(STEP_AT)) {
    const read = readItems(last, m.index);
    if (!read || read.ambiguous) continue;
    const after = last.slice(read.end, read.end + 60);
    const before = last.slice(Math.max(0, m.index - 40), m.index);
    if (WRONG_AFTER.test(after) || ERROR_IN.test(before)) numbers.push(...read.numbers);
  }
  if (numbers.length > 0) return { ok: true, numbers, reason: "prose" };
  if (NONE_PROSE.test(last)) return { ok: true, numbers: [], reason: "prose" };
  return null;
}

const PER_STEP_LINE = new RegExp(
  String
    .raw`^[ \t]*(?:[-*+•][ \t]*)?(?:(?:<\s*)?${STEP_WORD}[ \t]*(\d{1,3})[ \t]*>?[ \t]*(?:[:|)-]|is(?![\p{L}]))|\|[ \t]*(?:step[ \t]*)?(\d{1,3})[ \t]*\|)(.*)$`,
  "gimu",
);
const JUDGED_WRONG = new RegExp(
  String
    .raw`(?<![\p{L}])(?:not\s+(?:correct|right|valid)|incorrect[oae]?|wrong|invalid|erroneous|(?<!(?:no|without)\s+)errors?|mistakes?|false|falsch|faux|fausse|err[óo]ne[oa]|incorret[oa]|errad[oa]|неверно)(?![\p{L}])|不正确|错误|有误|[✗✘❌✕]`,
  "iu",
);
const JUDGED_RIGHT = new RegExp(
  String
    .raw`(?<![\p{L}])(?:correct[oae]?|right|valid|fine|ok|true|richtig|korrekt|juste|corret[oa]|верно|no\s+errors?)(?![\p{L}])|正确|[✓✔✅]`,
  "iu",
);

/** Per-step judgement lines ("Step 1: ✗ …", "| 1 | ❌ |") that cover every step 0..numSteps-1. */
export function findPerStepVerdict(text: string, numSteps: number): Verdict | null {
  const judged = new Map<number, boolean>();
  PER_STEP_LINE.lastIndex = 0;
  for (const m of text.matchAll(PER_STEP_LINE)) {
    const rest = m[3].slice(0, 100);
    const bad = rest.search(JUDGED_WRONG), good = rest.search(JUDGED_RIGHT);
    if (bad < 0 && good < 0) continue;
    judged.set(Number(m[1] ?? m[2]), bad >= 0 && (good < 0 || bad <= good));
  }
  if (numSteps === 0 || judged.size !== numSteps) return null;
  for (let i = 0; i < numSteps; i++) if (!judged.has(i)) return null;
  const numbers = [...judged].filter(([, wrong]) => wrong).map(([i]) => i);
  return { ok: true, numbers, reason: "per_step" };
}

/** A last non-empty line that is nothing but a list ("[1, 3]"). */
export function findBareListVerdict(text: string): Verdict | null {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  let last = (lines.at(-1) ?? "").replace(/^[-*]\s*/, "").replace(/[.;]$/, "");
  // "So the answer is: []" — a concluding line that ends in the list.
  const lead = last.match(/^[^[\]]*\b(?:answer|verdict|result|output)\s*(?:is|:)\s*:?\s*(?=\[)/i);
  if (lead) last = last.slice(lead[0].length);
  if (!/^[[(][^[\]()]*[\])]$/.test(last)) return null;
  const value = readBracket(last, 0);
  return value.ok ? { ok: true, numbers: value.numbers, reason: "bare_list" } : null;
}

/** The last bracketed list anywhere in the text that reads as step numbers (opt-in fallback). */
export function findLastNumberList(text: string): Verdict | null {
  const opens = [...text.matchAll(/\[/g)].reverse();
  for (const m of opens) {
    const value = readBracket(text, m.index);
    if (value.ok) return { ok: true, numbers: value.numbers, reason: "last_number_list" };
  }
  return null;
}
