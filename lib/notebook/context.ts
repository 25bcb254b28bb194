/**
 * Where a notebook runs from and how its lineage record should say to re-run it: the repository
 * root (the Deno kernel starts in the notebook's folder, experiments/), the runs and data folders
 * from `CAPO_RUNS_DIR` / `CAPO_DATA_DIR`, the smoke-budget flag `CAPO_NOTEBOOK_SMOKE`, and the
 * `jupyter nbconvert` command that re-executes the notebook headless.
 * @module
 */

/** What {@linkcode notebookContext} resolves. */
export interface NotebookContext {
  /** Repository root (absolute). */
  root: string;
  /** Lineage folder: `CAPO_RUNS_DIR`, else `<root>/runs`. */
  runsDir: string;
  /** Data folder: `CAPO_DATA_DIR`, else `<root>/../shared/data`. */
  dataDir: string;
  /** `CAPO_NOTEBOOK_SMOKE=1`: the tests' smaller budgets. */
  smoke: boolean;
  /** The command that re-executes the notebook from `root` (for lineage `command`). */
  command: string[];
}

/** Options for {@linkcode notebookContext}. */
export interface NotebookContextOptions {
  /** Working directory. @default Deno.cwd() */
  cwd?: string;
  /** Reads an environment variable. @default Deno.env.get */
  getEnv?: (name: string) => string | undefined;
}

/**
 * Resolves a notebook's folders and re-run command.
 *
 * @param notebook File name, e.g. "training.ipynb".
 * @param options See {@linkcode NotebookContextOptions}.
 * @returns The context.
 * @example
 * ```ts
 * const ctx = notebookContext("training.ipynb");
 * const run = await startRun({ runsDir: ctx.runsDir, cwd: ctx.root, command: ctx.command,
 *   name: "training", kind: "notebook", config: {}, handleUnhandled: false });
 * ```
 */
export function notebookContext(
  notebook: string,
  options: NotebookContextOptions = {},
): NotebookContext {
  const { cwd = Deno.cwd(), getEnv = (name: string) => Deno.env.get(name) } = options;
  const root = cwd.replace(/\/+$/, "").replace(/\/experiments$/, "");
  const smoke = getEnv("CAPO_NOTEBOOK_SMOKE") === "1";
  return {
    root,
    runsDir: getEnv("CAPO_RUNS_DIR") || `${root}/runs`,
    dataDir: getEnv("CAPO_DATA_DIR") || `${root}/../shared/data`,
    smoke,
    command: [
      ...(smoke ? ["env", "CAPO_NOTEBOOK_SMOKE=1"] : []),
      "jupyter",
      "nbconvert",
      "--to",
      "notebook",
      "--execute",
      "--ExecutePreprocessor.timeout=600",
      "--output-dir=/tmp",
      `experiments/${notebook}`,
    ],
  };
}
