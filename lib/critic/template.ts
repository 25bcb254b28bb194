/**
 * Critic prompt templates: text files (`.txt`, so formatters leave them alone) with a front matter (name, version) whose sha256 goes into
 * the critique cache key and into lineage, so a changed prompt never reuses old critiques.
 * Body: the system message, a line `<!-- user -->`, then the user message with `{{problem}}`,
 * `{{steps}}` (the `<step i>`-tagged solution), `{{num_steps}}`, `{{last_step}}` and an optional
 * `{{#reference}}...{{reference}}...{{/reference}}` block kept only when a reference answer is given.
 * @module
 */
import { sha256Hex } from "../util/mod.ts";
import { type Step, tagSteps } from "../steps/mod.ts";

/** A loaded prompt template. */
export interface CriticTemplate {
  /** Template name from the front matter (e.g. `"genprm"`). */
  name: string;
  /** Template version from the front matter. */
  version: string;
  /** Hex sha256 of the whole file text. */
  sha256: string;
  /** Where it was loaded from. */
  location: string;
  /** The system message. */
  system: string;
  /** The user message with placeholders. */
  user: string;
}

/**
 * The built-in templates, by name (files under `templates/`).
 *
 * @example
 * ```ts
 * Object.keys(BUILTIN_TEMPLATES); // ["genprm_v1"]
 * ```
 */
export const BUILTIN_TEMPLATES: Readonly<Record<string, string>> = Object.freeze({
  genprm_v1: "./templates/genprm_v1.txt",
});

/**
 * Loads a template: a built-in name (`"genprm_v1"`) or a path to a markdown file.
 *
 * @param nameOrPath Built-in name or file path.
 * @returns The parsed template with its sha256.
 * @throws {SyntaxError} When the file has no front matter, version or `<!-- user -->` line.
 * @throws {Deno.errors.NotFound} When the name is no built-in and no file has that path (one line
 *   naming both).
 * @example
 * ```ts
 * const template = await loadTemplate("genprm_v1");
 * console.log(template.version, template.sha256.slice(0, 8));
 * ```
 */
export async function loadTemplate(nameOrPath = "genprm_v1"): Promise<CriticTemplate> {
  // Own keys only, so "toString" is a (missing) path, not Object.prototype's function.
  const builtin = Object.hasOwn(BUILTIN_TEMPLATES, nameOrPath)
    ? BUILTIN_TEMPLATES[nameOrPath]
    : undefined;
  const url = builtin ? new URL(builtin, import.meta.url) : undefined;
  const location = url ? url.href : nameOrPath;
  let text: string;
  try {
    text = await Deno.readTextFile(url ?? nameOrPath);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Deno.errors.NotFound(
      `Cannot load critic template "${nameOrPath}": expected a built-in name (${
        Object.keys(BUILTIN_TEMPLATES).join(", ")
      }) or a template file path, got no such file`,
    );
  }
  return parseTemplate(text, location, await sha256Hex(text));
}

/**
 * Parses template text (see the module doc for the format).
 *
 * @param text The file text.
 * @param location Where it came from, for error messages.
 * @param sha256 The text's sha256.
 * @returns The template.
 * @throws {SyntaxError} On a missing front matter, version or user marker.
 * @example
 * ```ts
 * const t = parseTemplate("---\nname: t\nversion: 1\n---\nsys\n<!-- user -->\n{{steps}}", "t.md", "00");
 * ```
 */
export function parseTemplate(text: string, location: string, sha256: string): CriticTemplate {
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text.replaceAll("\r\n", "\n"));
  if (!match) {
    throw new SyntaxError(
      `Cannot parse template ${location}: expected a front matter between --- lines, got ${
        JSON.stringify(text.slice(0, 40))
      }`,
    );
  }
  const meta: Record<string, string> = {};
  for (const line of match[1].split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) meta[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  if (!meta.version) {
    throw new SyntaxError(`Cannot parse template ${location}: expected a version field, got none`);
  }
  const parts = match[2].split(/^<!-- user -->\n/m);
  if (parts.length !== 2) {
    throw new SyntaxError(
      `Cannot parse template ${location}: expected one "<!-- user -->" line, got ${
        parts.length - 1
      }`,
    );
  }
  return {
    name: meta.name ?? "unnamed",
    version: meta.version,
    sha256,
    location,
    system: parts[0].trim(),
    user: parts[1].trimEnd(),
  };
}

/** What a prompt is rendered from. */
export interface PromptInput {
  /** The problem statement. */
  problem: string;
  /** The response's steps. */
  steps: readonly Step[];
  /** The reference answer, shown only when given. */
  reference?: string;
}

/**
 * Renders a template into chat messages.
 *
 * @param template The loaded template.
 * @param input Problem, steps and optional reference answer.
 * @returns The system and user message texts.
 * @example
 * ```ts
 * const { user } = renderPrompt(await loadTemplate(), { problem: "7+5", steps: splitSteps("7+5=12") });
 * ```
 */
export function renderPrompt(
  template: CriticTemplate,
  input: PromptInput,
): { system: string; user: string } {
  const { problem, steps, reference } = input;
  const values: Record<string, string> = {
    problem,
    reference: reference ?? "",
    steps: tagSteps(steps),
    num_steps: String(steps.length),
    last_step: String(Math.max(0, steps.length - 1)),
  };
  const fill = (text: string) =>
    text
      .replace(
        /\{\{#reference\}\}([\s\S]*?)\{\{\/reference\}\}\n?/g,
        (_, block: string) => (reference === undefined ? "" : block),
      )
      // A function replacement so `$` in problem text is never read as a replacement pattern.
      .replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
  return { system: fill(template.system), user: fill(template.user) };
}

/**
 * Recovers the problem and the steps from a user message rendered by a built-in template (the
 * reference critic server reads its requests this way).
 *
 * @param user The user message text.
 * @returns The problem (`""` when absent) and the step texts in tag order.
 * @example
 * ```ts
 * recoverPrompt("### Problem\n7+5\n\n### Solution\n<solution>\n<step 0>\n7+5=12\n</solution>");
 * // { problem: "7+5", steps: ["7+5=12"] }
 * ```
 */
export function recoverPrompt(user: string): { problem: string; steps: string[] } {
  const problem = /### Problem\n([\s\S]*?)\n\n###/.exec(user)?.[1].trimEnd() ?? "";
  const body = /<solution>\n([\s\S]*?)\n<\/solution>/.exec(user)?.[1] ?? user;
  const steps: string[] = [];
  const tag = /<step (\d+)>\n/g;
  const marks = [...body.matchAll(tag)];
  marks.forEach((m, i) => {
    const from = m.index! + m[0].length;
    const to = i + 1 < marks.length ? marks[i + 1].index! : body.length;
    steps.push(body.slice(from, to).replace(/\n\n$/, ""));
  });
  return { problem, steps };
}
