/**
 * The local grid executor: arms as child processes, at most `concurrency` at once (default the
 * machine's cores), each logging to `<logDir>/<index>.log`; a failed arm is retried once.
 * @module
 */
import {
  type Arm,
  type GridArmResult,
  type GridProgress,
  type GridResult,
  validateArms,
} from "./types.ts";

/** Options for {@linkcode runGridLocal}. */
export interface RunGridLocalOptions {
  /** Arms running at once. @default navigator.hardwareConcurrency */
  concurrency?: number;
  /** Folder for per-arm logs. @default a new temporary folder */
  logDir?: string;
  /** Extra attempts for a failed arm. @default 1 */
  retries?: number;
  /** Receives progress counts whenever they change. @default undefined */
  onProgress?: (progress: GridProgress) => void;
}

/**
 * Runs the arms as local processes, bounded by `concurrency`.
 *
 * @param arms The arms, in grid order.
 * @param options See {@linkcode RunGridLocalOptions}.
 * @returns Per arm its exit code, attempts and log; `failed` counts arms whose last attempt failed.
 * @throws {TypeError} For a bad arm; {@link RangeError} for a bad concurrency or retry count.
 * @example
 * ```ts
 * const result = await runGridLocal([
 *   { label: "seed=0", argv: ["deno", "task", "train", "--seed=0"] },
 *   { label: "seed=1", argv: ["deno", "task", "train", "--seed=1"] },
 * ], { concurrency: 2, logDir: "runs/grid-logs" });
 * console.log(result.failed);
 * ```
 */
export async function runGridLocal(
  arms: readonly Arm[],
  options: RunGridLocalOptions = {},
): Promise<GridResult> {
  const { concurrency = navigator.hardwareConcurrency || 1, retries = 1, onProgress } = options;
  validateArms(arms);
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new RangeError(`Cannot run the grid: expected concurrency >= 1, got ${concurrency}`);
  }
  if (!(Number.isInteger(retries) && retries >= 0)) {
    throw new RangeError(`Cannot run the grid: expected retries >= 0, got ${retries}`);
  }
  const t0 = performance.now();
  const logDir = options.logDir ?? await Deno.makeTempDir({ prefix: "capo-grid-" });
  await Deno.mkdir(logDir, { recursive: true });
  const results: GridArmResult[] = arms.map((arm, index) => ({
    label: arm.label,
    index,
    exitCode: -1,
    attempts: 0,
    state: "PENDING",
    logPath: `${logDir}/${index}.log`,
  }));
  let todo = arms.map((_, i) => i);
  for (let round = 1; round <= retries + 1 && todo.length > 0; round++) {
    const progress: GridProgress = {
      total: todo.length,
      pending: todo.length,
      running: 0,
      completed: 0,
      failed: 0,
      round,
    };
    onProgress?.({ ...progress });
    const queue = [...todo];
    const worker = async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        progress.pending--;
        progress.running++;
        onProgress?.({ ...progress });
        const r = results[i];
        r.attempts++;
        r.logPath = round === 1 ? `${logDir}/${i}.log` : `${logDir}/${i}.retry${round - 1}.log`;
        r.exitCode = await runArm(arms[i], r.logPath);
        r.state = r.exitCode === 0 ? "COMPLETED" : "FAILED";
        progress.running--;
        if (r.exitCode === 0) progress.completed++;
        else progress.failed++;
        onProgress?.({ ...progress });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
    todo = todo.filter((i) => results[i].exitCode !== 0);
  }
  return {
    executor: "local",
    arms: results,
    failed: results.filter((r) => r.exitCode !== 0).length,
    jobIds: [],
    wallMs: performance.now() - t0,
  };
}

async function runArm(arm: Arm, logPath: string): Promise<number> {
  const log = await Deno.open(logPath, { create: true, write: true, truncate: true });
  try {
    const child = new Deno.Command(arm.argv[0], {
      args: arm.argv.slice(1),
      cwd: arm.cwd,
      env: arm.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Both streams go to one log, in arrival order.
    const copy = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) {
        for (let done = 0; done < chunk.length;) done += await log.write(chunk.subarray(done));
      }
    };
    const [status] = await Promise.all([child.status, copy(child.stdout), copy(child.stderr)]);
    return status.code;
  } catch (error) {
    const line = `capo grid: cannot start ${JSON.stringify(arm.argv[0])}: ${
      (error as Error).message
    }\n`;
    await log.write(new TextEncoder().encode(line));
    return 127;
  } finally {
    log.close();
  }
}
