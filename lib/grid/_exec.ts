/**
 * Runs a command and captures its output, with a time limit; the Slurm executor sends every
 * `sbatch` / `scontrol` / `scancel` call through this (tests inject a fake).
 * @module
 */

/** The captured result of one command. */
export interface ExecResult {
  /** Exit code (124 when the time limit killed it). */
  code: number;
  /** Standard output as text. */
  stdout: string;
  /** Standard error as text. */
  stderr: string;
}

/** Runs `cmd args` and captures its output. */
export type Exec = (cmd: string, args: string[]) => Promise<ExecResult>;

/** Runs a command with a time limit (ms), as {@linkcode Exec}. */
export function execWithTimeout(timeoutMs: number, env?: Record<string, string>): Exec {
  return async (cmd, args) => {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const out = await new Deno.Command(cmd, { args, env, stdin: "null", signal }).output();
      const text = (b: Uint8Array) => new TextDecoder().decode(b);
      return {
        code: signal.aborted ? 124 : out.code,
        stdout: text(out.stdout),
        stderr: text(out.stderr),
      };
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        return { code: 127, stdout: "", stderr: `${cmd}: command not found` };
      }
      throw error;
    }
  };
}
