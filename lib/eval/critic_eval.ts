/**
 * Scoring a critic against step labels: step-level precision / recall / F1 of the voted wrong set
 * and first-error accuracy, per voting rule and per k (the first k of the same k_max critiques, so
 * rows differ only by the vote). Works on BIG-Bench-Mistake (only steps up to the first mistake are
 * labelled) and on the synthetic task's gold step labels.
 * @module
 */
import type { MathProblem, SftTrace } from "../data/mod.ts";
import {
  type CriticBatchMetrics,
  CriticClient,
  type CriticClientOptions,
  type CriticConfig,
  vote,
  VOTE_RULES,
  type VoteRule,
} from "../critic/mod.ts";

/** A response with per-step labels. */
export interface LabeledResponse {
  /** The problem statement. */
  problem: string;
  /** The response; its steps (split on "\n\n") line up with `labels`. */
  response: string;
  /** Reference answer, if any. */
  reference?: string;
  /** Per step: `true` correct, `false` wrong, `null` not labelled (not scored). */
  labels: (boolean | null)[];
}

/** One row of an evaluation table. */
export interface CriticEvalRow {
  /** Vote rule. */
  rule: VoteRule;
  /** Critiques voted over. */
  k: number;
  /** Flagged steps that are labelled wrong / flagged labelled steps (0 when none flagged). */
  precision: number;
  /** Wrong-labelled steps that are flagged / wrong-labelled steps. */
  recall: number;
  /** Harmonic mean of precision and recall. */
  f1: number;
  /** Fraction of responses whose first flagged step is the first wrong step (or none and none). */
  first_error_accuracy: number;
  /** Responses scored. */
  n: number;
}

/** Options for {@linkcode scoreCritiques}. */
export interface ScoreCritiquesOptions {
  /** Numbers of critiques to vote over. @default [1, 2, 4, 8] */
  ks?: number[];
  /** Vote rules to score. @default every rule */
  rules?: VoteRule[];
  /** `m` for at-least-m. @default 2 */
  m?: number;
  /** Majority tie rule. @default "correct" */
  tie?: "wrong" | "correct";
  /** A step counts as flagged when its voted wrongness is at least this. @default 0.5 */
  threshold?: number;
}

/**
 * Scores parsed critiques against labels.
 *
 * @param items The labelled responses.
 * @param critiques Per item, its critiques' wrong-step lists in critique order (`null` = invalid);
 *   `k` uses the first k of them.
 * @param options See {@linkcode ScoreCritiquesOptions}.
 * @returns One row per (rule, k).
 * @throws {RangeError} When the two arrays differ in length.
 * @example
 * ```ts
 * const items = [{ problem: "p", response: "a\n\nb", labels: [true, false] }];
 * scoreCritiques(items, [[[1], [1], null]], { ks: [2], rules: ["majority"] })[0].f1; // 1
 * ```
 */
export function scoreCritiques(
  items: readonly LabeledResponse[],
  critiques: readonly (readonly (readonly number[] | null)[])[],
  options: ScoreCritiquesOptions = {},
): CriticEvalRow[] {
  const {
    ks = [1, 2, 4, 8],
    rules = Object.keys(VOTE_RULES) as VoteRule[],
    m = 2,
    tie = "correct",
    threshold = 0.5,
  } = options;
  if (items.length !== critiques.length) {
    throw new RangeError(
      `Cannot score critiques: expected one list per item (${items.length}), got ${critiques.length}`,
    );
  }
  const rows: CriticEvalRow[] = [];
  for (const rule of rules) {
    for (const k of ks) {
      let tp = 0, fp = 0, fn = 0, firstRight = 0;
      items.forEach((item, i) => {
        const numSteps = item.labels.length;
        const valid = critiques[i].slice(0, k).filter((c): c is number[] => c !== null);
        const flagged = vote(valid, numSteps, rule, { m, tie }).map((w) => w >= threshold);
        item.labels.forEach((label, s) => {
          if (label === null) return;
          if (flagged[s] && !label) tp++;
          else if (flagged[s] && label) fp++;
          else if (!flagged[s] && !label) fn++;
        });
        const goldFirst = item.labels.indexOf(false);
        if (flagged.indexOf(true) === goldFirst) firstRight++;
      });
      const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
      const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
      const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
      const n = items.length;
      rows.push({
        rule,
        k,
        precision,
        recall,
        f1,
        first_error_accuracy: n ? firstRight / n : 0,
        n,
      });
    }
  }
  return rows;
}

/** Options for {@linkcode evaluateCritic}. */
export interface EvaluateCriticOptions extends ScoreCritiquesOptions {
  /** Critic config (k is set to the largest of `ks`). @default DEFAULT_CRITIC_CONFIG */
  config?: Partial<CriticConfig>;
  /** Client options (fetch, log, seed). @default {} */
  clientOptions?: CriticClientOptions;
}

/**
 * Critiques labelled responses with k_max = max(ks) critiques each and scores every (rule, k).
 *
 * @param items The labelled responses.
 * @param options See {@linkcode EvaluateCriticOptions}.
 * @returns The rows, the client's metrics and how many items were skipped because the client's
 *   step split did not line up with the labels.
 * @example
 * ```ts
 * const server = await startReferenceCriticServer({ port: 0 });
 * const { results } = await evaluateCritic(items, { config: { baseUrl: server.baseUrl } });
 * await server.close();
 * ```
 */
export async function evaluateCritic(
  items: readonly LabeledResponse[],
  options: EvaluateCriticOptions = {},
): Promise<{ results: CriticEvalRow[]; metrics: CriticBatchMetrics; skipped: number }> {
  const { config = {}, clientOptions = {}, ks = [1, 2, 4, 8], ...score } = options;
  const client = new CriticClient({ ...config, k: Math.max(...ks) }, clientOptions);
  const { outcomes, metrics } = await client.critiqueBatch(
    items.map(({ problem, response, reference }) => ({ problem, response, reference })),
  );
  const kept: LabeledResponse[] = [];
  const lists: (number[] | null)[][] = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.steps.length !== items[i].labels.length) return;
    kept.push(items[i]);
    lists.push(outcome.critiques.map((c) => c.wrongSteps));
  });
  const results = scoreCritiques(kept, lists, { ...score, ks });
  return { results, metrics, skipped: items.length - kept.length };
}

/**
 * Labelled responses from BIG-Bench-Mistake records (as `loadBigBenchMistake` returns them): steps
 * joined by blank lines, labels true before the mistake, false at it, null after it.
 *
 * @param records Records with `steps` and `stepLabels`.
 * @returns The labelled responses (records without steps are skipped).
 * @example
 * ```ts
 * const items = bigBenchMistakeItems((await loadBigBenchMistake(path)).records);
 * ```
 */
export function bigBenchMistakeItems(records: readonly MathProblem[]): LabeledResponse[] {
  return records.flatMap((r) =>
    r.steps && r.stepLabels && r.steps.length === r.stepLabels.length
      ? [{
        problem: r.question,
        // A blank line inside a step would split it in two; keep each labelled step whole.
        response: r.steps.map((s) => s.replace(/\n\s*\n/g, "\n").trim()).join("\n\n"),
        reference: r.answer,
        labels: r.stepLabels,
      }]
      : []
  );
}

/**
 * Labelled responses from synthetic SFT traces (gold labels from `labelSyntheticSteps`).
 *
 * @param traces Traces from `generateSftTraces`.
 * @returns The labelled responses.
 * @example
 * ```ts
 * const items = syntheticItems(generateSftTraces(train, { seed: 1 }));
 * ```
 */
export function syntheticItems(traces: readonly SftTrace[]): LabeledResponse[] {
  return traces.map((t) => ({
    problem: t.problem.question,
    response: t.response,
    reference: t.problem.answer,
    labels: t.stepLabels,
  }));
}

/**
 * Reads labelled responses from JSONL text: one object per line with `question` (or `problem`),
 * `response` and `step_labels` (or `stepLabels`: true / false / null per step), `answer` optional.
 *
 * @param text The JSONL text.
 * @param location Where it came from, for error messages.
 * @returns The labelled responses.
 * @throws {SyntaxError} For a line that is not JSON or lacks a field.
 * @example
 * ```ts
 * readLabeledJsonl('{"question":"2+2","response":"2+2=5","step_labels":[false]}', "x.jsonl");
 * ```
 */
export function readLabeledJsonl(text: string, location: string): LabeledResponse[] {
  return text.split("\n").flatMap((line, i): LabeledResponse[] => {
    if (!line.trim()) return [];
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line);
    } catch {
      throw new SyntaxError(
        `Cannot parse line ${i + 1} of ${location}: expected a JSON object, got ${
          JSON.stringify(line.slice(0, 40))
        }`,
      );
    }
    const labels = row.step_labels ?? row.stepLabels;
    const problem = row.question ?? row.problem;
    if (typeof problem !== "string" || typeof row.response !== "string" || !Array.isArray(labels)) {
      throw new SyntaxError(
        `Cannot read line ${
          i + 1
        } of ${location}: expected question, response and step_labels, got ${
          JSON.stringify(line.slice(0, 60))
        }`,
      );
    }
    const reference = typeof row.answer === "string" ? row.answer : undefined;
    return [{ problem, response: row.response, reference, labels: labels as (boolean | null)[] }];
  });
}

/**
 * Formats evaluation rows as a markdown table.
 *
 * @param rows The rows.
 * @returns The table text.
 * @example
 * ```ts
 * console.log(formatEvalTable(results));
 * ```
 */
export function formatEvalTable(rows: readonly CriticEvalRow[]): string {
  const f = (x: number) => x.toFixed(3);
  const lines = [
    "| rule | k | precision | recall | F1 | first-error acc | n |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) =>
      `| ${r.rule} | ${r.k} | ${f(r.precision)} | ${f(r.recall)} | ${f(r.f1)} | ${
        f(r.first_error_accuracy)
      } | ${r.n} |`
    ),
  ];
  return lines.join("\n");
}
