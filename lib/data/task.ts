/**
 * Tasks: the one type a policy is trained or evaluated on (id, prompt text or chat messages, gold
 * answer, optional gold step labels, source), the `task:` / `eval:` config section, and the
 * providers behind it — the seeded synthetic task, GSM8K, MATH / MATH-500 and any JSONL, JSON or
 * Parquet file (path or URL) with a field mapping.
 * @module
 */
import { type Infer, t } from "../config/schema.ts";
import { createRng, hashJson } from "../util/mod.ts";
import { loadGsm8k, loadMath } from "./datasets.ts";
import { loadDataset, requireString } from "./readers.ts";
import {
  formatSyntheticPrompt,
  generateSyntheticTask,
  labelSyntheticSteps,
  type SyntheticProblem,
} from "./synthetic.ts";
import type { LoadedDataset, MathProblem } from "./types.ts";

/** One chat message of a prompt. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** One problem to train or evaluate on. */
export interface Task {
  /** Stable id, unique within its set. */
  id: string;
  /** The problem statement (what the critic is shown). */
  question: string;
  /** What the policy is shown: plain text, or chat messages (rendered by the policy's template). */
  prompt: string | ChatMessage[];
  /** Gold final answer as text (judged by the verifier). */
  answer: string;
  /** Gold per-step labels of the reference solution, when the dataset has them. */
  stepLabels?: (boolean | null)[];
  /** Dataset name, file path or URL, and 0-based row. */
  source: { dataset: string; location: string; index: number };
  /** Dataset-specific extras. */
  meta?: Record<string, unknown>;
}

/** Gold judgement of a response's steps (only tasks with an exact step labeller have one). */
export interface StepJudgement {
  /** Per response step: true = correct. */
  steps: boolean[];
  /** Every step correct (and as many steps as the solution needs). */
  allStepsCorrect: boolean;
}

/** A loaded set of tasks with what lineage needs to identify it. */
export interface TaskSet {
  /** Dataset name ("synthetic", "gsm8k", "math", or the file's name). */
  name: string;
  /** The split label. */
  split: string;
  /** The tasks, in order. */
  tasks: Task[];
  /** Lineage input: location (path, URL or generator), sha256 of the bytes or the questions, rows. */
  input: { name: string; location: string; sha256: string; rows: number; split: string };
  /** Labels a response's steps exactly, where the task allows it (the synthetic task). */
  judgeSteps?: (task: Task, response: string) => StepJudgement | undefined;
}

const FORMATS = ["auto", "gsm8k", "math", "fields"] as const;

/**
 * Schema of a `task:` or `eval:` section.
 *
 * @param split The default split ("train" for `task:`, "test" for `eval:`).
 * @param limit The default row limit (0 = all).
 * @returns The section schema.
 * @example
 * ```ts
 * const schema = taskSectionSchema("test", 200);
 * ```
 */
export function taskSectionSchema(split: string, limit: number) {
  return t.object({
    source: t.string({
      default: "synthetic",
      doc: "`synthetic`, or a JSONL / JSON / Parquet path or URL (URLs are cached and hashed)",
    }),
    format: t.enum(FORMATS, {
      default: "auto",
      doc: "row layout: gsm8k (`question`, `answer` with `#### N`), math (`problem`, `answer` or " +
        "boxed `solution`), fields (the `prompt` and `answer` fields below); auto picks by fields",
    }),
    split: t.string({
      default: split,
      doc: "synthetic: train, valid or test; files: a label recorded in lineage",
    }),
    prompt: t.string({ default: "question", doc: "format fields: the field holding the prompt" }),
    answer: t.string({
      default: "answer",
      doc: "format fields: the field holding the gold answer",
    }),
    limit: t.integer({ default: limit, min: 0, doc: "rows used (0 = all); a seeded sample" }),
    seed: t.integer({ default: 0, min: 0, doc: "seed of the synthetic task and of the sample" }),
    synthetic: t.object({
      trainSize: t.integer({ default: 2000, min: 0, doc: "training problems" }),
      validSize: t.integer({ default: 100, min: 0, doc: "validation problems" }),
      testSize: t.integer({ default: 200, min: 0, doc: "test problems" }),
      minOps: t.integer({ default: 3, min: 1, doc: "fewest operations per problem" }),
      maxOps: t.integer({ default: 5, min: 1, doc: "most operations per problem" }),
    }, { doc: "the synthetic task's sizes (source: synthetic)" }),
  }, { doc: "problems: where they come from and which part is used" });
}

/** A resolved `task:` / `eval:` section. */
export type TaskSection = Infer<ReturnType<typeof taskSectionSchema>>;

/** Options for {@linkcode loadTaskSet}. */
export interface LoadTaskSetOptions {
  /** Folder for downloads of URL sources. @default the data readers' cache */
  cacheDir?: string;
}

/**
 * Loads the tasks a `task:` or `eval:` section names.
 *
 * @param section The resolved section.
 * @param options See {@linkcode LoadTaskSetOptions}.
 * @returns The tasks with their lineage input.
 * @throws {SyntaxError} / {TypeError} For unreadable rows (naming file and line).
 * @throws {RangeError} For an unknown synthetic split or an empty set.
 * @example
 * ```ts
 * const section = taskSectionSchema("test", 50).parse({}, ["eval"], { fail: (_, m) => { throw new Error(m); } });
 * const set = await loadTaskSet(section);
 * console.log(set.tasks[0].prompt, set.input.sha256);
 * ```
 */
export async function loadTaskSet(
  section: Readonly<TaskSection>,
  options: LoadTaskSetOptions = {},
): Promise<TaskSet> {
  const set = section.source === "synthetic"
    ? await syntheticSet(section)
    : await fileSet(section, options);
  if (set.tasks.length === 0) {
    throw new RangeError(
      `Cannot use ${section.source} (${section.split}): expected rows, got none`,
    );
  }
  return set;
}

async function syntheticSet(section: Readonly<TaskSection>): Promise<TaskSet> {
  const generated = generateSyntheticTask({ seed: section.seed, ...section.synthetic });
  const split = section.split as keyof typeof generated;
  if (!Object.hasOwn(generated, split)) {
    throw new RangeError(
      `Cannot use the synthetic task: expected split train, valid or test, got "${section.split}"`,
    );
  }
  const problems = limitRows(generated[split], section.limit, section.seed);
  return {
    name: "synthetic",
    split: section.split,
    ...syntheticTasks(problems),
    input: {
      name: "synthetic",
      location: `synthetic(${JSON.stringify({ seed: section.seed, ...section.synthetic })})`,
      sha256: await hashJson(problems.map((p) => [p.question, p.answer])),
      rows: problems.length,
      split: section.split,
    },
  };
}

/**
 * Synthetic problems as tasks (prompt `Q: …\n`), with the exact step labeller for their responses.
 *
 * @param problems Synthetic problems.
 * @returns The tasks and `judgeSteps`.
 * @example
 * ```ts
 * const { test } = generateSyntheticTask({ seed: 0, trainSize: 0, validSize: 0, testSize: 10 });
 * const { tasks, judgeSteps } = syntheticTasks(test);
 * ```
 */
export function syntheticTasks(
  problems: readonly SyntheticProblem[],
): Pick<TaskSet, "tasks" | "judgeSteps"> {
  const byId = new Map<string, SyntheticProblem>(problems.map((p) => [p.id, p]));
  return {
    tasks: problems.map((p) => ({ ...toTask(p), prompt: formatSyntheticPrompt(p) })),
    judgeSteps: (task, response) => {
      const problem = byId.get(task.id);
      if (!problem) return undefined;
      const labels = labelSyntheticSteps(problem, response);
      return { steps: labels.steps, allStepsCorrect: labels.processCorrect };
    },
  };
}

async function fileSet(
  section: Readonly<TaskSection>,
  options: LoadTaskSetOptions,
): Promise<TaskSet> {
  const location = section.source;
  const name = location.split(/[\\/]/).at(-1)?.replace(/\.(jsonl|ndjson|json|parquet)$/, "") ??
    "file";
  const readOptions = { cacheDir: options.cacheDir };
  const format = section.format === "auto"
    ? await sniffFormat(location, readOptions)
    : section.format;
  let loaded: LoadedDataset<MathProblem>;
  if (format === "gsm8k") loaded = await loadGsm8k(location, { ...readOptions, name: "gsm8k" });
  else if (format === "math") loaded = await loadMath(location, { ...readOptions, name: "math" });
  else {
    loaded = await loadDataset<MathProblem>(location, (row, ctx) => ({
      id: typeof row.id === "string" ? row.id : `${ctx.name}-${ctx.index}`,
      question: requireString(row, section.prompt),
      answer: String(row[section.answer] ?? requireString(row, section.answer)),
      source: { dataset: ctx.name, location: ctx.location, index: ctx.index },
    }), { ...readOptions, name });
  }
  const records = limitRows(loaded.records, section.limit, section.seed);
  return {
    name: loaded.name,
    split: section.split,
    tasks: records.map(toTask),
    input: {
      name: loaded.name,
      location,
      sha256: loaded.sha256,
      rows: records.length,
      split: section.split,
    },
  };
}

async function sniffFormat(
  location: string,
  readOptions: { cacheDir?: string },
): Promise<"gsm8k" | "math" | "fields"> {
  let fields: string[] = [];
  await loadDataset(location, (row) => {
    if (fields.length === 0) fields = Object.keys(row);
    return [];
  }, readOptions);
  if (fields.includes("problem")) return "math";
  if (fields.includes("question") && fields.includes("answer")) return "gsm8k";
  return "fields";
}

function toTask(p: MathProblem): Task {
  return {
    id: p.id,
    question: p.question,
    prompt: p.question,
    answer: p.answer,
    ...(p.stepLabels ? { stepLabels: p.stepLabels } : {}),
    source: p.source,
    ...(p.meta ? { meta: p.meta } : {}),
  };
}

/** The first rows, or a seeded sample of `limit` rows kept in file order. */
function limitRows<T>(rows: readonly T[], limit: number, seed: number): T[] {
  if (limit <= 0 || limit >= rows.length) return [...rows];
  const rng = createRng(seed).fork("task sample");
  const order = rows.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, limit).sort((a, b) => a - b).map((i) => rows[i]);
}

/**
 * The prompt as plain text (chat messages joined as `role: content` lines), for policies without a
 * chat template.
 *
 * @param task The task.
 * @returns The prompt text.
 * @example
 * ```ts
 * promptText({ prompt: [{ role: "user", content: "1+2?" }] }); // "user: 1+2?\n"
 * ```
 */
export function promptText(
  task: { prompt: string | readonly { role: string; content: string }[] },
): string {
  if (typeof task.prompt === "string") return task.prompt;
  return task.prompt.map((m) => `${m.role}: ${m.content}`).join("\n") + "\n";
}
