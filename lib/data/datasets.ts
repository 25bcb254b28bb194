/**
 * Adapters for the public math datasets capo knows: GSM8K (openai/grade-school-math), its example
 * model solutions, MATH / MATH-500 (hendrycks/math, openai/prm800k splits) and BIG-Bench-Mistake
 * (WHGTyen/BIG-Bench-Mistake, first-mistake step labels). Each maps rows to {@linkcode MathProblem}.
 * @module
 */
import { loadDataset, type LoadDatasetOptions, requireString } from "./readers.ts";
import { parseSyntheticQuestion, type SyntheticProblem } from "./synthetic.ts";
import type { LoadedDataset, MathProblem } from "./types.ts";

const CALC_NOTE = /<<[^<>]*>>/g;
const THOUSANDS = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/;

/**
 * Removes GSM8K calculator notes (`<<48/2=24>>`) from a solution.
 *
 * @param text A GSM8K solution.
 * @returns The text without the notes.
 * @example
 * ```ts
 * stripCalculatorNotes("48/2 = <<48/2=24>>24 clips"); // "48/2 = 24 clips"
 * ```
 */
export function stripCalculatorNotes(text: string): string {
  return text.replace(CALC_NOTE, "");
}

/** Drops thousands separators from a plain number ("1,450,000" → "1450000"); other text as is. */
function normalizeNumber(text: string): string {
  const t = text.trim();
  return THOUSANDS.test(t) ? t.replaceAll(",", "") : t;
}

/** Splits a solution into its non-empty lines (GSM8K writes one step per line). */
function lines(text: string): string[] {
  return text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
}

/** The final answer after the last `marker` line ("#### 18", "A: 18"). */
function finalAfter(text: string, markers: string[], field: string): string {
  const all = lines(text);
  for (let i = all.length - 1; i >= 0; i--) {
    for (const marker of markers) {
      if (all[i].startsWith(marker)) return normalizeNumber(all[i].slice(marker.length));
    }
  }
  throw new TypeError(
    `expected field "${field}" to end with a ${
      markers.map((m) => `"${m.trim()} N"`).join(" or ")
    } line, got ${JSON.stringify(all.at(-1) ?? "")}`,
  );
}

/**
 * Loads GSM8K (`question`, `answer` = reasoning lines with `<<calc>>` notes, then `#### N`).
 * The record's `answer` is N (thousands separators dropped; the raw form in `meta.rawAnswer`),
 * `solution` the answer text without calculator notes, `steps` its non-empty lines (the final
 * `#### N` line included, so the steps cover the solution).
 *
 * @param location Path or URL of a JSONL / JSON / Parquet file.
 * @param options See {@linkcode LoadDatasetOptions}; `name` defaults to "gsm8k".
 * @returns The dataset with content sha256 and row count.
 * @throws {SyntaxError} For a line that does not parse (unless `skipBadRows`).
 * @throws {TypeError} For a missing field or an answer without `#### N` (unless `skipBadRows`).
 * @example
 * ```ts
 * const ds = await loadGsm8k("https://example.org/gsm8k/test.jsonl");
 * console.log(ds.rows, ds.sha256, ds.records[0].answer);
 * ```
 */
export function loadGsm8k(
  location: string,
  options: LoadDatasetOptions = {},
): Promise<LoadedDataset> {
  return loadDataset<MathProblem>(location, (row, ctx) => {
    const question = requireString(row, "question");
    const solution = stripCalculatorNotes(requireString(row, "answer")).trim();
    const rawAnswer = /####\s*(.*)$/.exec(lines(solution).at(-1) ?? "")?.[1];
    const answer = finalAfter(solution, ["####"], "answer");
    return {
      id: `${ctx.name}-${ctx.index}`,
      question,
      answer,
      solution,
      steps: lines(solution),
      source: { dataset: ctx.name, location: ctx.location, index: ctx.index },
      meta: { rawAnswer: rawAnswer?.trim() ?? answer },
    };
  }, { ...options, name: options.name ?? "gsm8k" });
}

/**
 * The contents of the last `\boxed{...}` (or `\fbox{...}`) in a text, nested braces respected.
 *
 * @param text A solution.
 * @returns The boxed content, or `null` when there is none or its braces do not close.
 * @example
 * ```ts
 * lastBoxed("so $\\boxed{\\frac{1}{2}}$."); // "\\frac{1}{2}"
 * ```
 */
export function lastBoxed(text: string): string | null {
  const start = Math.max(text.lastIndexOf("\\boxed{"), text.lastIndexOf("\\fbox{"));
  if (start < 0) return null;
  const open = text.indexOf("{", start);
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return text.slice(open + 1, i);
  }
  return null;
}

/**
 * Loads MATH or MATH-500 (`problem`, `solution`, and `answer` when present; otherwise the answer is
 * the solution's last `\boxed{}`). `meta` keeps `subject` (or MATH's `type`) and `level` (a number;
 * "Level 3" becomes 3); the id is `unique_id` when the row has one.
 *
 * @param location Path or URL of a JSONL / JSON / Parquet file.
 * @param options See {@linkcode LoadDatasetOptions}; `name` defaults to "math".
 * @returns The dataset with content sha256 and row count.
 * @throws {SyntaxError} For a line that does not parse (unless `skipBadRows`).
 * @throws {TypeError} For a missing `problem`, or neither `answer` nor a boxed answer.
 * @example
 * ```ts
 * const ds = await loadMath("math500/test.jsonl", { name: "math500" });
 * console.log(ds.records[0].answer, ds.records[0].meta?.subject);
 * ```
 */
export function loadMath(
  location: string,
  options: LoadDatasetOptions = {},
): Promise<LoadedDataset> {
  return loadDataset<MathProblem>(location, (row, ctx) => {
    const question = requireString(row, "problem");
    const solution = typeof row.solution === "string" ? row.solution : undefined;
    let answer: string | null = row.answer === undefined || row.answer === null
      ? null
      : requireString(row, "answer");
    if (answer === null) {
      answer = solution === undefined ? null : lastBoxed(solution);
      if (answer === null) {
        throw new TypeError(
          `expected field "answer", or a "solution" with a \\boxed{} answer, got ${
            solution === undefined ? "neither" : "no boxed answer"
          }`,
        );
      }
    }
    const meta: Record<string, unknown> = {};
    const subject = row.subject ?? row.type;
    if (typeof subject === "string") meta.subject = subject;
    const level = typeof row.level === "string" ? Number(/\d+/.exec(row.level)?.[0]) : row.level;
    if (typeof level === "number" && Number.isFinite(level)) meta.level = level;
    const uid = typeof row.unique_id === "string" ? row.unique_id : undefined;
    if (uid !== undefined) meta.uniqueId = uid;
    return {
      id: uid ?? `${ctx.name}-${ctx.index}`,
      question,
      answer: answer.trim(),
      ...(solution === undefined ? {} : { solution }),
      source: { dataset: ctx.name, location: ctx.location, index: ctx.index },
      meta,
    };
  }, { ...options, name: options.name ?? "math" });
}

/** Options for {@linkcode loadGsm8kModelSolutions}. */
export interface LoadGsm8kModelSolutionsOptions extends LoadDatasetOptions {
  /** Which model keys to keep, e.g. `["175b_verification"]`. @default every `{is_correct, solution}` field */
  models?: string[];
}

/**
 * Loads GSM8K example model solutions (`question`, `ground_truth`, and per model a field
 * `{is_correct, solution}`), one record per solution: `answer` is the gold answer (from the ground
 * truth's final `A: N` or `#### N` line), `solution` the model's text without calculator notes,
 * `steps` its non-empty lines (one step per line; the final `A: N` line included), and
 * `meta = { model, isCorrect, predictedAnswer, questionIndex }`. Correctness is per solution, so
 * `stepLabels` is absent. The id is `<name>-<row>-<model>`.
 *
 * @param location Path or URL of a JSONL / JSON / Parquet file.
 * @param options See {@linkcode LoadGsm8kModelSolutionsOptions}; `name` defaults to
 *   "gsm8k-model-solutions".
 * @returns The dataset; `rows` counts questions, `records` solutions.
 * @throws {SyntaxError} For a line that does not parse (unless `skipBadRows`).
 * @throws {TypeError} For a missing field or a model field without `is_correct` / `solution`.
 * @example
 * ```ts
 * const ds = await loadGsm8kModelSolutions("gsm8k/example_model_solutions.jsonl");
 * const wrong = ds.records.filter((r) => r.meta?.isCorrect === false);
 * ```
 */
export function loadGsm8kModelSolutions(
  location: string,
  options: LoadGsm8kModelSolutionsOptions = {},
): Promise<LoadedDataset> {
  const { models } = options;
  return loadDataset<MathProblem>(location, (row, ctx) => {
    const question = requireString(row, "question");
    const answer = finalAfter(stripCalculatorNotes(requireString(row, "ground_truth")), [
      "A:",
      "####",
    ], "ground_truth");
    const keys = models ?? Object.keys(row).filter((k) => {
      const v = row[k];
      return typeof v === "object" && v !== null && "solution" in v && "is_correct" in v;
    });
    return keys.map((model) => {
      const entry = row[model];
      if (typeof entry !== "object" || entry === null) {
        throw new TypeError(`expected field "${model}" to be an object, got no such field`);
      }
      const fields = entry as Record<string, unknown>;
      const text = stripCalculatorNotes(requireString(fields, "solution")).trim();
      if (typeof fields.is_correct !== "boolean") {
        throw new TypeError(
          `expected field "${model}.is_correct" to be a boolean, got ${fields.is_correct}`,
        );
      }
      let predictedAnswer: string | null;
      try {
        predictedAnswer = finalAfter(text, ["A:", "####"], `${model}.solution`);
      } catch {
        predictedAnswer = null; // A model solution may lack an answer line; that is data, not an error.
      }
      return {
        id: `${ctx.name}-${ctx.index}-${model}`,
        question,
        answer,
        solution: text,
        steps: lines(text),
        source: { dataset: ctx.name, location: ctx.location, index: ctx.index },
        meta: { model, isCorrect: fields.is_correct, predictedAnswer, questionIndex: ctx.index },
      };
    });
  }, { ...options, name: options.name ?? "gsm8k-model-solutions" });
}

/**
 * Loads a BIG-Bench-Mistake file (`input`, `steps[]`, `answer` = the trace's answer, `target` =
 * gold, `mistake_index` = 0-based first wrong step or null). `stepLabels`: steps before the mistake
 * `true`, the mistake `false`, steps after it `null` (not labelled); no mistake → all `true`.
 * `meta = { traceAnswer, mistakeIndex }`.
 *
 * @param location Path or URL of a JSONL / JSON / Parquet file.
 * @param options See {@linkcode LoadDatasetOptions}; `name` defaults to "big-bench-mistake".
 * @returns The dataset with content sha256 and row count.
 * @throws {SyntaxError} For a line that does not parse (unless `skipBadRows`).
 * @throws {TypeError} For a missing field, non-string steps or an out-of-range `mistake_index`.
 * @example
 * ```ts
 * const ds = await loadBigBenchMistake("big-bench-mistake/multistep_arithmetic.jsonl");
 * console.log(ds.records[0].steps?.length, ds.records[0].stepLabels);
 * ```
 */
export function loadBigBenchMistake(
  location: string,
  options: LoadDatasetOptions = {},
): Promise<LoadedDataset> {
  return loadDataset<MathProblem>(location, (row, ctx) => {
    const question = requireString(row, "input");
    const answer = requireString(row, "target");
    const steps = row.steps;
    if (!Array.isArray(steps) || !steps.every((s) => typeof s === "string")) {
      throw new TypeError(
        `expected field "steps" to be an array of strings, got ${
          steps === undefined ? "no such field" : JSON.stringify(steps).slice(0, 60)
        }`,
      );
    }
    const mistake = row.mistake_index ?? null;
    if (
      mistake !== null &&
      (typeof mistake !== "number" || !Number.isInteger(mistake) || mistake < 0 ||
        mistake >= steps.length)
    ) {
      throw new TypeError(
        `expected field "mistake_index" to be null or an integer in [0, ${steps.length}), got ${
          JSON.stringify(mistake)
        }`,
      );
    }
    const stepLabels = steps.map((_, i) =>
      mistake === null || i < mistake ? true : i === mistake ? false : null
    );
    return {
      id: `${ctx.name}-${ctx.index}`,
      question,
      answer,
      steps: steps as string[],
      stepLabels,
      source: { dataset: ctx.name, location: ctx.location, index: ctx.index },
      meta: {
        traceAnswer: typeof row.answer === "string" ? row.answer : null,
        mistakeIndex: mistake,
      },
    };
  }, { ...options, name: options.name ?? "big-bench-mistake" });
}

/**
 * Loads saved synthetic-task problems (rows with `question`, optional `id` and `answer`; e.g. a split
 * written as one `JSON.stringify(problem)` per line) and rebuilds each with
 * {@linkcode parseSyntheticQuestion}, checking a stored `answer` against the chain's value.
 *
 * @param location Path or URL of a JSONL / JSON / Parquet file.
 * @param options See {@linkcode LoadDatasetOptions}; `name` defaults to "synthetic".
 * @returns The dataset of {@linkcode SyntheticProblem}s.
 * @throws {SyntaxError} For a line that does not parse (unless `skipBadRows`).
 * @throws {TypeError} For a missing or malformed `question`, or an `answer` that disagrees.
 * @example
 * ```ts
 * const { records } = await loadSyntheticProblems("data/synthetic/test.jsonl");
 * console.log(records[0].values);
 * ```
 */
export function loadSyntheticProblems(
  location: string,
  options: LoadDatasetOptions = {},
): Promise<LoadedDataset<SyntheticProblem>> {
  return loadDataset<SyntheticProblem>(location, (row, ctx) => {
    const question = requireString(row, "question");
    let problem: SyntheticProblem;
    try {
      problem = parseSyntheticQuestion(question, {
        id: typeof row.id === "string" ? row.id : `${ctx.name}-${ctx.index}`,
        source: { dataset: ctx.name, location: ctx.location, index: ctx.index },
      });
    } catch {
      throw new TypeError(
        `expected field "question" to be a chain like "7+5*3" with values in 0..99, got ${
          JSON.stringify(question)
        }`,
      );
    }
    if (row.answer !== undefined && String(row.answer) !== problem.answer) {
      throw new TypeError(
        `expected field "answer" to be ${problem.answer} (the value of ${question}), got ${
          JSON.stringify(row.answer)
        }`,
      );
    }
    return problem;
  }, { ...options, name: options.name ?? "synthetic" });
}
