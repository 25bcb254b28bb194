/**
 * The critique parser: turns a critic LLM's free-text critique into the sorted 0-based indices of
 * the steps it calls wrong, or null with a reason when no verdict can be read. The last explicit
 * verdict wins; `<think>` drafts, markdown, JSON, ranges, full-width forms and several languages are
 * read; a truncated output is reported, never guessed. CAPO §3 (GenPRM output).
 * @module
 */
import { looksTruncated, normalizeCritiqueText, splitThink } from "./_parse_text.ts";
import {
  findBareListVerdict,
  findLabelledVerdict,
  findLastNumberList,
  findPerStepVerdict,
  findProseVerdict,
  type Verdict,
} from "./_parse_verdict.ts";

/** Options for {@linkcode parseCritique}. */
export interface ParseCritiqueOptions {
  /** Read step numbers as 1-based (a verdict line that says "0-based"/"1-indexed" overrides this). @default false */
  oneBased?: boolean;
  /** With no labelled verdict, read a concluding sentence ("Step 2 is incorrect."). @default true */
  acceptProse?: boolean;
  /** With no labelled verdict, read "Step i: correct/wrong" lines that judge every step. @default true */
  acceptPerStep?: boolean;
  /** With no labelled verdict, read a last line that is only a list ("[1, 3]"). @default true */
  acceptBareList?: boolean;
  /** Last resort: the last bracketed number list anywhere (risky: analysis maths has brackets). @default false */
  acceptLastNumberList?: boolean;
  /** With no verdict after a closed `<think>` block, read the verdict inside it. @default true */
  thinkFallback?: boolean;
}

/** The result of parsing one critique. */
export interface ParsedCritique {
  /** Sorted unique 0-based indices of wrong steps, or null when unparseable. */
  wrongSteps: number[] | null;
  /**
   * Why: on success "explicit_list", "inline_list", "bullet_list", "json", "none", "all", "prose",
   * "per_step", "bare_list", "last_number_list" (prefixed "think_" when read inside a think block);
   * on failure "empty", "truncated", "ambiguous", "unparseable_verdict", "no_verdict".
   */
  reason: string;
  /** 0-based indices the critique named that are outside `[0, numSteps)`, sorted, dropped. */
  droppedIndices: number[];
}

const REVISING =
  /(?<![\p{L}])(?:wait|actually|hmm+|let me|re-?check|reconsider|double-check|on second thought|however)(?![\p{L}])/iu;

function finish(verdict: Verdict, numSteps: number, oneBased: boolean): ParsedCritique {
  if (!verdict.ok) return { wrongSteps: null, reason: verdict.reason, droppedIndices: [] };
  const shift = (verdict.oneBased ?? oneBased) ? 1 : 0;
  if (verdict.all) {
    const every = Array.from({ length: numSteps }, (_, i) => i);
    return { wrongSteps: every, reason: verdict.reason, droppedIndices: [] };
  }
  const kept = new Set<number>(), dropped = new Set<number>();
  for (const n of verdict.numbers) {
    const i = n - shift;
    (i >= 0 && i < numSteps ? kept : dropped).add(i);
  }
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { wrongSteps: sorted(kept), reason: verdict.reason, droppedIndices: sorted(dropped) };
}

function checkArgs(text: unknown, numSteps: unknown): void {
  if (typeof text !== "string") {
    throw new TypeError(`Cannot parse critique: expected a string, got ${typeof text}`);
  }
  if (typeof numSteps !== "number" || !Number.isInteger(numSteps) || numSteps < 0) {
    throw new RangeError(
      `Cannot parse critique: expected numSteps to be an integer >= 0, got ${numSteps}`,
    );
  }
}

/**
 * Parses a critic's critique into the wrong step indices.
 *
 * @param text The critique as the model wrote it.
 * @param numSteps How many steps the critiqued response has; indices outside `[0, numSteps)` are dropped.
 * @param options See {@linkcode ParseCritiqueOptions}.
 * @returns The wrong steps (or null), the reason and the dropped indices.
 * @throws {TypeError} When `text` is not a string.
 * @throws {RangeError} When `numSteps` is not a non-negative integer.
 * @example
 * ```ts
 * parseCritique("Step 1 computes 5*3=16, wrong.\n\n**Wrong steps:** [1, 7]", 4);
 * // → { wrongSteps: [1], reason: "explicit_list", droppedIndices: [7] }
 * ```
 */
export function parseCritique(
  text: string,
  numSteps: number,
  options: ParseCritiqueOptions = {},
): ParsedCritique {
  const {
    oneBased = false,
    acceptProse = true,
    acceptPerStep = true,
    acceptBareList = true,
    acceptLastNumberList = false,
    thinkFallback = true,
  } = options;
  checkArgs(text, numSteps);
  if (text.trim() === "") return { wrongSteps: null, reason: "empty", droppedIndices: [] };
  const { main, think, unclosedThink } = splitThink(text);
  const body = normalizeCritiqueText(main);
  const labelled = findLabelledVerdict(body);
  if (labelled?.ok && looksTruncated(main) && REVISING.test(body.slice(labelled.end))) {
    // Cut off while reconsidering after a verdict: the verdict may not be the final one.
    return { wrongSteps: null, reason: "truncated", droppedIndices: [] };
  }
  if (labelled?.ok || labelled?.reason === "truncated" || labelled?.reason === "ambiguous") {
    return finish(labelled, numSteps, oneBased);
  }
  const cutOff = unclosedThink || looksTruncated(main.trim() === "" ? text : main);
  // A per-step table can end in a bare word ("Step 3: correct"); a cut-off one ends mid-sentence.
  const lastLine = body.trimEnd().split("\n").at(-1) ?? "";
  const tableEnd = !cutOff ||
    /^[\s*|-]*<?step\s*\d+>?\s*[:|-]\s*\S+(?:\s+\S+)?\s*$/i.test(lastLine);
  const perStep = acceptPerStep && tableEnd ? findPerStepVerdict(body, numSteps) : null;
  if (perStep) return finish(perStep, numSteps, oneBased);
  if (cutOff) {
    return { wrongSteps: null, reason: "truncated", droppedIndices: [] };
  }
  const fallback = (acceptProse ? findProseVerdict(body) : null) ??
    (acceptBareList ? findBareListVerdict(body) : null) ??
    (acceptLastNumberList ? findLastNumberList(body) : null);
  if (fallback) return finish(fallback, numSteps, oneBased);
  if (thinkFallback && think.trim() !== "") {
    const inner = findLabelledVerdict(normalizeCritiqueText(think));
    if (inner?.ok) return finish({ ...inner, reason: `think_${inner.reason}` }, numSteps, oneBased);
  }
  const reason = labelled?.reason ?? "no_verdict";
  return { wrongSteps: null, reason, droppedIndices: [] };
}

/**
 * The naive baseline: the last `[...]` in the text, read as comma-separated integers (0-based).
 * Kept for comparison with {@linkcode parseCritique}; do not use it for training.
 *
 * @param text The critique.
 * @param numSteps Steps in the critiqued response; out-of-range indices are dropped.
 * @returns The parse, with reason "naive_list", "no_bracket" or "not_a_list".
 * @example
 * ```ts
 * naiveParseCritique("x in [0, 1]. Wrong steps: none", 3).wrongSteps; // → [0, 1] (wrong)
 * ```
 */
export function naiveParseCritique(text: string, numSteps: number): ParsedCritique {
  checkArgs(text, numSteps);
  const last = [...text.matchAll(/\[([^[\]]*)\]/g)].at(-1);
  if (!last) return { wrongSteps: null, reason: "no_bracket", droppedIndices: [] };
  const inner = last[1].trim();
  const parts = inner === "" ? [] : inner.split(",").map((s) => s.trim());
  if (!parts.every((s) => /^\d+$/.test(s))) {
    return { wrongSteps: null, reason: "not_a_list", droppedIndices: [] };
  }
  const verdict: Verdict = { ok: true, numbers: parts.map(Number), reason: "naive_list" };
  return finish(verdict, numSteps, false);
}

/** One labelled critique of a parser corpus (JSONL fields, snake_case as stored). */
export interface CritiqueCorpusEntry {
  /** A stable id, e.g. "think-03". */
  id: string;
  /** The critique text. */
  critique: string;
  /** Steps in the critiqued response. */
  num_steps: number;
  /** The right answer: sorted 0-based wrong steps, or null when no verdict can be read. */
  expected_wrong_steps: number[] | null;
  /** Format tags ("markdown", "think", "truncated", ...) for per-format rates. */
  tags?: string[];
}

/**
 * Reads a JSONL parser corpus (see {@linkcode CritiqueCorpusEntry}); blank lines are skipped.
 *
 * @param jsonl The file's text.
 * @param source A name for error messages (the path).
 * @returns The entries in file order.
 * @throws {SyntaxError} Naming the line when a line is not JSON or lacks a field.
 * @example
 * ```ts
 * const corpus = loadCritiqueCorpus(await Deno.readTextFile("data/critique_parse_corpus.jsonl"));
 * ```
 */
export function loadCritiqueCorpus(jsonl: string, source = "corpus"): CritiqueCorpusEntry[] {
  const out: CritiqueCorpusEntry[] = [];
  jsonl.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `line ${i + 1} of ${source}`;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line);
    } catch (cause) {
      throw new SyntaxError(`Cannot parse ${where}: expected JSON, got ${line.slice(0, 60)}`, {
        cause,
      });
    }
    const exp = row?.expected_wrong_steps;
    const ok = typeof row?.critique === "string" && Number.isInteger(row?.num_steps) &&
      (exp === null || (Array.isArray(exp) && exp.every(Number.isInteger)));
    if (!ok) {
      throw new SyntaxError(
        `Cannot parse ${where}: expected {critique, num_steps, expected_wrong_steps}, got ${
          line.slice(0, 60)
        }`,
      );
    }
    out.push({ ...row, id: String(row.id ?? `line-${i + 1}`) } as CritiqueCorpusEntry);
  });
  return out;
}

/** Options for {@linkcode scoreParser}. */
export interface ScoreParserOptions {
  /** The parser to score. @default parseCritique */
  parser?: (text: string, numSteps: number) => ParsedCritique;
}

/** How a parser did on a corpus: exact matches of the wrong-step list (null counts as a value). */
export interface ParserScore {
  /** Entries scored. */
  total: number;
  /** Entries whose parse equals `expected_wrong_steps` exactly. */
  correct: number;
  /** correct / total (0 for an empty corpus). */
  accuracy: number;
  /** Per tag: entries and exact matches. */
  byTag: Record<string, { total: number; correct: number }>;
  /** The entries it got wrong. */
  misses: { id: string; expected: number[] | null; got: number[] | null; reason: string }[];
}

/**
 * Scores a parser against a labelled corpus: an entry counts when the parsed list equals the
 * expected one exactly (both null included).
 *
 * @param corpus Labelled entries, e.g. from {@linkcode loadCritiqueCorpus}.
 * @param options See {@linkcode ScoreParserOptions}.
 * @returns Totals, accuracy, per-tag counts and the misses.
 * @example
 * ```ts
 * const ours = scoreParser(corpus), naive = scoreParser(corpus, { parser: naiveParseCritique });
 * console.log(ours.accuracy, naive.accuracy);
 * ```
 */
export function scoreParser(
  corpus: readonly CritiqueCorpusEntry[],
  options: ScoreParserOptions = {},
): ParserScore {
  const { parser = parseCritique } = options;
  const byTag: ParserScore["byTag"] = {};
  const misses: ParserScore["misses"] = [];
  let correct = 0;
  for (const entry of corpus) {
    const parsed = parser(entry.critique, entry.num_steps);
    const hit = JSON.stringify(parsed.wrongSteps) === JSON.stringify(entry.expected_wrong_steps);
    if (hit) correct++;
    else {
      misses.push({
        id: entry.id,
        expected: entry.expected_wrong_steps,
        got: parsed.wrongSteps,
        reason: parsed.reason,
      });
    }
    for (const tag of entry.tags ?? []) {
      byTag[tag] ??= { total: 0, correct: 0 };
      byTag[tag].total++;
      if (hit) byTag[tag].correct++;
    }
  }
  const total = corpus.length;
  return { total, correct, accuracy: total ? correct / total : 0, byTag, misses };
}

const ANNOTATE = "Cannot annotate critique record: ";

/**
 * Adds `wrong_steps` and `parse_reason` to a `{critique, num_steps, ...}` record (what
 * `deno task critic:parse` writes per line); other fields pass through.
 *
 * @param record A parsed JSONL object.
 * @param options See {@linkcode ParseCritiqueOptions}.
 * @returns A new object with the two fields set.
 * @throws {TypeError} When the record is not an object with a string `critique` and an integer `num_steps` >= 0.
 * @example
 * ```ts
 * annotateCritiqueRecord({ id: 7, critique: "Wrong steps: [2]", num_steps: 3 });
 * // → { id: 7, critique: "...", num_steps: 3, wrong_steps: [2], parse_reason: "explicit_list" }
 * ```
 */
export function annotateCritiqueRecord(
  record: unknown,
  options: ParseCritiqueOptions = {},
): Record<string, unknown> {
  const rec = record as Record<string, unknown>;
  if (!rec || typeof rec !== "object" || Array.isArray(rec)) {
    throw new TypeError(
      `${ANNOTATE}expected a JSON object, got ${JSON.stringify(record)?.slice(0, 60)}`,
    );
  }
  if (typeof rec.critique !== "string") {
    throw new TypeError(
      `${ANNOTATE}expected "critique" to be a string, got ${typeof rec.critique}`,
    );
  }
  const n = rec.num_steps;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new TypeError(
      `${ANNOTATE}expected "num_steps" to be an integer >= 0, got ${JSON.stringify(n)}`,
    );
  }
  const parsed = parseCritique(rec.critique, n, options);
  return { ...rec, wrong_steps: parsed.wrongSteps, parse_reason: parsed.reason };
}
