/**
 * The Slurm grid executor: ONE array job whose task i runs arm i, submitted with
 * `sbatch --parsable`, followed with `scontrol -o show job` (accounting through `sacct` needs
 * slurmdbd, which small clusters lack), failed tasks resubmitted once as a smaller array.
 * @module
 */
import { type Exec, execWithTimeout } from "./_exec.ts";
import {
  type Arm,
  type GridArmResult,
  type GridProgress,
  type GridResult,
  validateArms,
} from "./types.ts";

/** Options for {@linkcode slurmScript} and {@linkcode runGridSlurm}. */
export interface SlurmGridOptions {
  /** Shared folder (visible to every node) for the job script and per-task logs. */
  workDir: string;
  /** Job name. @default "capo-grid" */
  jobName?: string;
  /** `--partition`; unset = the cluster's default. @default undefined */
  partition?: string;
  /** `--time` per task, e.g. "04:00:00". @default undefined */
  time?: string;
  /** `--cpus-per-task`. @default 1 */
  cpusPerTask?: number;
  /** `--gpus-per-task`; 0 = none. @default 0 */
  gpusPerTask?: number;
  /** Array tasks running at once (`--array=0-N%max`); 0 = no limit. @default 0 */
  maxParallel?: number;
  /** Extra `#SBATCH` lines, with or without the `#SBATCH ` prefix (e.g. "--account=lab"). @default [] */
  extraSbatch?: string[];
}

/** Options for {@linkcode runGridSlurm}. */
export interface RunGridSlurmOptions extends SlurmGridOptions {
  /** Write the script and return it without submitting. @default false */
  dryRun?: boolean;
  /** Extra attempts for failed tasks. @default 1 */
  retries?: number;
  /** Poll interval, ms. @default 1000 */
  pollMs?: number;
  /** Give up (and `scancel`) after this long per round, ms. @default 604800000 (7 days) */
  timeoutMs?: number;
  /** Receives progress counts whenever they change. @default undefined */
  onProgress?: (progress: GridProgress) => void;
  /** Runs Slurm commands (tests inject a fake). @default real commands, 60 s limit each */
  exec?: Exec;
}

/** What {@linkcode runGridSlurm} returns: the grid result, plus the script (always). */
export interface SlurmGridResult extends GridResult {
  /** The job script text. */
  script: string;
  /** Where the script was written. */
  scriptPath: string;
}

const quote = (s: string) => `'${s.replaceAll("'", `'"'"'`)}'`;
const TERMINAL = new Set([
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMEOUT",
  "NODE_FAIL",
  "OUT_OF_MEMORY",
  "PREEMPTED",
  "BOOT_FAIL",
  "DEADLINE",
]);

/**
 * The array-job script: `#SBATCH` header, then a `case` on `SLURM_ARRAY_TASK_ID` running each arm
 * in its folder with its environment.
 *
 * @param arms The arms, in grid order (task i = arm i).
 * @param options See {@linkcode SlurmGridOptions}.
 * @returns The script text.
 * @throws {TypeError} For a bad arm or an extra line containing a newline.
 * @example
 * ```ts
 * const text = slurmScript([{ label: "a", argv: ["deno", "task", "train"] }], { workDir: "/shared/grid", time: "01:00:00" });
 * ```
 */
export function slurmScript(arms: readonly Arm[], options: SlurmGridOptions): string {
  const {
    workDir,
    jobName = "capo-grid",
    partition,
    time,
    cpusPerTask = 1,
    gpusPerTask = 0,
    maxParallel = 0,
    extraSbatch = [],
  } = options;
  validateArms(arms);
  const head = [
    `--job-name=${jobName}`,
    `--array=0-${arms.length - 1}${maxParallel > 0 ? `%${maxParallel}` : ""}`,
    `--output=${workDir}/logs/%A_%a.log`,
    `--cpus-per-task=${cpusPerTask}`,
    ...(partition ? [`--partition=${partition}`] : []),
    ...(time ? [`--time=${time}`] : []),
    ...(gpusPerTask > 0 ? [`--gpus-per-task=${gpusPerTask}`] : []),
    ...extraSbatch.map((line) => {
      if (/[\r\n]/.test(line)) {
        throw new TypeError(
          `Cannot write the job script: extra #SBATCH line has a newline: ${JSON.stringify(line)}`,
        );
      }
      return line.replace(/^#SBATCH\s+/, "");
    }),
  ];
  const cases = arms.map((arm, i) => {
    const env = Object.entries(arm.env ?? {}).map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) {
        throw new TypeError(
          `Cannot write the job script: arm ${arm.label} has a bad variable name "${k}"`,
        );
      }
      return `${k}=${quote(v)} `;
    }).join("");
    const cd = arm.cwd ? `cd ${quote(arm.cwd)} && ` : "";
    return `  ${i}) # ${arm.label.replace(/[\r\n]/g, " ")}\n    ${cd}exec env ${env}${
      arm.argv.map(quote).join(" ")
    } ;;`;
  });
  return [
    "#!/bin/bash",
    ...head.map((h) => `#SBATCH ${h}`),
    "# Written by capo's Slurm grid executor: array task i runs arm i.",
    'case "$SLURM_ARRAY_TASK_ID" in',
    ...cases,
    '  *) echo "capo grid: no arm for array task $SLURM_ARRAY_TASK_ID" >&2; exit 2 ;;',
    "esac",
    "",
  ].join("\n");
}

/**
 * Runs the arms as one Slurm array job and follows it to the end; failed tasks are resubmitted
 * once (as an array of just those ids). With `dryRun` it only writes and returns the script.
 *
 * @param arms The arms, in grid order.
 * @param options See {@linkcode RunGridSlurmOptions}.
 * @returns Per arm its exit code, state, attempts and log, the job ids and the script.
 * @throws {Error} When `sbatch` fails (its message included) or a round outlives `timeoutMs`.
 * @example
 * ```ts
 * const result = await runGridSlurm(arms, { workDir: "/shared/capo-grid", partition: "gpu",
 *   time: "04:00:00", gpusPerTask: 1, onProgress: (p) => console.log(p) });
 * ```
 */
export async function runGridSlurm(
  arms: readonly Arm[],
  options: RunGridSlurmOptions,
): Promise<SlurmGridResult> {
  const {
    dryRun = false,
    retries = 1,
    pollMs = 1000,
    timeoutMs = 7 * 24 * 3600 * 1000,
    onProgress,
    exec = execWithTimeout(60_000),
  } = options;
  const t0 = performance.now();
  // Absolute, so that logs land in the same place whatever folder a task starts in.
  const workDir = options.workDir.startsWith("/")
    ? options.workDir
    : `${Deno.cwd()}/${options.workDir}`;
  const script = slurmScript(arms, { ...options, workDir });
  const scriptPath = `${workDir}/grid.sbatch`;
  await Deno.mkdir(`${workDir}/logs`, { recursive: true });
  await Deno.writeTextFile(scriptPath, script);
  const results: GridArmResult[] = arms.map((arm, index) => ({
    label: arm.label,
    index,
    exitCode: -1,
    attempts: 0,
    state: "PENDING",
    logPath: "",
  }));
  const jobIds: string[] = [];
  let todo = dryRun ? [] : arms.map((_, i) => i);
  for (let round = 1; round <= retries + 1 && todo.length > 0; round++) {
    // A retry keeps the throttle: the command-line --array replaces the script's whole line.
    const limit = options.maxParallel ? `%${options.maxParallel}` : "";
    const array = round === 1 ? [] : [`--array=${todo.join(",")}${limit}`];
    const submitted = await exec("sbatch", ["--parsable", ...array, scriptPath]);
    if (submitted.code !== 0) {
      throw new Error(
        `Cannot submit ${scriptPath}: sbatch exited ${submitted.code}: ${submitted.stderr.trim()}`,
      );
    }
    const jobId = submitted.stdout.trim().split(";")[0];
    if (!/^\d+$/.test(jobId)) {
      throw new Error(`Cannot read the job id from sbatch: got "${submitted.stdout.trim()}"`);
    }
    jobIds.push(jobId);
    for (const i of todo) {
      results[i].attempts++;
      results[i].logPath = `${workDir}/logs/${jobId}_${i}.log`;
    }
    const states = await follow(jobId, todo, { pollMs, timeoutMs, exec, round, onProgress });
    for (const i of todo) {
      const s = states.get(i)!;
      results[i].state = s.state;
      results[i].exitCode = s.state === "COMPLETED" ? s.exitCode : (s.exitCode || 1);
    }
    todo = todo.filter((i) => results[i].exitCode !== 0);
  }
  return {
    executor: "slurm",
    arms: results,
    failed: dryRun ? 0 : results.filter((r) => r.exitCode !== 0).length,
    jobIds,
    wallMs: performance.now() - t0,
    script,
    scriptPath,
  };
}

interface TaskState {
  state: string;
  exitCode: number;
}

async function follow(
  jobId: string,
  tasks: number[],
  o: {
    pollMs: number;
    timeoutMs: number;
    exec: Exec;
    round: number;
    onProgress?: (p: GridProgress) => void;
  },
): Promise<Map<number, TaskState>> {
  const states = new Map<number, TaskState>(
    tasks.map((i) => [i, { state: "PENDING", exitCode: -1 }]),
  );
  let last = "";
  let misses = 0;
  const deadline = Date.now() + o.timeoutMs;
  while (Date.now() < deadline) {
    const out = await o.exec("scontrol", ["-o", "show", "job", jobId]);
    if (out.code !== 0) {
      // A just-submitted job can be briefly unknown to a busy controller; give up after 30 misses.
      if (++misses > 30) {
        throw new Error(
          `Cannot follow job ${jobId}: scontrol exited ${out.code}: ${out.stderr.trim()}`,
        );
      }
    } else {
      misses = 0;
      parseScontrol(out.stdout, states);
    }
    const values = [...states.values()];
    const progress: GridProgress = {
      total: tasks.length,
      pending: values.filter((s) => s.state === "PENDING").length,
      running: values.filter((s) => !TERMINAL.has(s.state) && s.state !== "PENDING").length,
      completed: values.filter((s) => s.state === "COMPLETED").length,
      failed: values.filter((s) => TERMINAL.has(s.state) && s.state !== "COMPLETED").length,
      round: o.round,
    };
    const key = JSON.stringify(progress);
    if (key !== last) o.onProgress?.(progress);
    last = key;
    if (values.every((s) => TERMINAL.has(s.state))) return states;
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
  await o.exec("scancel", [jobId]);
  throw new Error(
    `Cannot finish job ${jobId}: still running after ${o.timeoutMs} ms; cancelled it`,
  );
}

/**
 * Reads `scontrol -o show job` lines (one per array task, or one per pending range such as
 * `ArrayTaskId=0-3`) into per-task states and exit codes.
 */
export function parseScontrol(text: string, states: Map<number, TaskState>): void {
  for (const line of text.split("\n")) {
    const field = (name: string) => line.match(new RegExp(`(?:^|\\s)${name}=(\\S+)`))?.[1];
    const ids = field("ArrayTaskId");
    const state = field("JobState");
    if (ids === undefined || state === undefined) continue;
    const exitCode = Number((field("ExitCode") ?? "0:0").split(":")[0]);
    for (const part of ids.replace(/%\d+$/, "").split(",")) {
      const [a, b = a] = part.split("-").map(Number);
      for (let i = a; i <= b; i++) if (states.has(i)) states.set(i, { state, exitCode });
    }
  }
}
