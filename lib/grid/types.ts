/**
 * Types shared by the grid executors: an arm (one command), its result, and progress counts. The
 * local and Slurm executors return the same {@linkcode GridResult}, so callers build one table.
 * @module
 */

/** One arm of a grid: a command run in a folder (e.g. `deno task train --config=… --key=value`). */
export interface Arm {
  /** Short unique name (used in logs and progress). */
  label: string;
  /** Program and arguments; `argv[0]` is looked up on PATH. */
  argv: string[];
  /** Working folder. @default the caller's current folder */
  cwd?: string;
  /** Extra environment variables for this arm. @default {} */
  env?: Record<string, string>;
}

/** How one arm ended. */
export interface GridArmResult {
  /** The arm's label. */
  label: string;
  /** Position in the grid (the Slurm array task id). */
  index: number;
  /** Exit code of the last attempt (non-zero also for signals, timeouts and cancellations). */
  exitCode: number;
  /** Attempts made (2 when the first failed and was retried). */
  attempts: number;
  /** Final state: `COMPLETED`, or why not (`FAILED`, `TIMEOUT`, `CANCELLED`, ...). */
  state: string;
  /** Log file of the last attempt (stdout and stderr). */
  logPath: string;
}

/** The outcome of a grid. */
export interface GridResult {
  /** Which executor ran it. */
  executor: "local" | "slurm";
  /** One result per arm, in grid order. */
  arms: GridArmResult[];
  /** Arms whose last attempt failed. */
  failed: number;
  /** Slurm job ids (the first submission, then retries); empty for local grids. */
  jobIds: string[];
  /** Wall time, ms. */
  wallMs: number;
}

/** Progress counts, reported whenever they change. */
export interface GridProgress {
  /** Arms in the grid. */
  total: number;
  /** Waiting to start. */
  pending: number;
  /** Running now. */
  running: number;
  /** Finished with exit code 0. */
  completed: number;
  /** Finished otherwise (before any retry). */
  failed: number;
  /** Which attempt round this is (1, then 2 for retries). */
  round: number;
}

/**
 * Checks arms before running: labels unique and non-empty, argv non-empty.
 *
 * @param arms The arms.
 * @throws {TypeError} Naming the first bad arm.
 * @example
 * ```ts
 * validateArms([{ label: "a", argv: ["true"] }]);
 * ```
 */
export function validateArms(arms: readonly Arm[]): void {
  const seen = new Set<string>();
  arms.forEach((arm, i) => {
    if (!arm.label || seen.has(arm.label)) {
      throw new TypeError(`Cannot run the grid: arm ${i} needs a unique label, got "${arm.label}"`);
    }
    seen.add(arm.label);
    if (
      !Array.isArray(arm.argv) || arm.argv.length === 0 ||
      arm.argv.some((a) => typeof a !== "string")
    ) {
      throw new TypeError(
        `Cannot run the grid: arm ${i} (${arm.label}) needs argv strings, got ${
          JSON.stringify(arm.argv)
        }`,
      );
    }
  });
}
