/**
 * Whether a `running` record still has a live process behind it. A record holds the pid and host
 * of its writer and a heartbeat time; a record whose process is gone (same host, pid not alive) or
 * whose heartbeat is older than a threshold is shown as `died`, since a `kill -9` or a power loss
 * leaves no chance to write anything.
 * @module
 */
import type { DisplayStatus, RunRecord } from "./schema.ts";

/**
 * This machine's host name: `Deno.hostname()`, else `$HOSTNAME`, else null (no permission).
 *
 * @returns The host name or null.
 * @example
 * ```ts
 * console.log(currentHost());
 * ```
 */
export function currentHost(): string | null {
  try {
    return Deno.hostname();
  } catch {
    try {
      return Deno.env.get("HOSTNAME") || null;
    } catch {
      return null;
    }
  }
}

/**
 * Whether process `pid` exists on this machine: read from `/proc/<pid>` on Linux (Deno allows
 * that only with --allow-all), else asked of `kill -0` (needs --allow-run=kill); `undefined` when
 * neither can tell, so callers fall back to the heartbeat.
 *
 * @param pid A process id.
 * @returns True, false, or undefined for "unknown".
 * @example
 * ```ts
 * isProcessAlive(Deno.pid); // true
 * ```
 */
export function isProcessAlive(pid: number): boolean | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  if (Deno.build.os === "linux") {
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      // A zombie (state Z) has exited; only its parent has not reaped it yet.
      return !/^\d+ \(.*\) Z /s.test(stat);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      // NotCapable without --allow-all: ask kill -0 below.
    }
  }
  try {
    const out = new Deno.Command("kill", {
      args: ["-0", String(pid)],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).outputSync();
    if (out.success) return true;
    // "Operation not permitted" means the process exists but belongs to someone else.
    return /no such process/i.test(new TextDecoder().decode(out.stderr)) ? false : true;
  } catch {
    return undefined; // no kill binary, or no permission to run it
  }
}

/** Options for {@linkcode displayStatus}. */
export interface DisplayStatusOptions {
  /** Current time in ms since the epoch. @default Date.now() */
  now?: number;
  /** A heartbeat older than this means the process died, in ms; at least 6 heartbeat intervals
   * are always allowed. @default 600000 (10 minutes: a long synchronous step blocks the timer) */
  staleAfterMs?: number;
  /** This machine's host name. @default currentHost() */
  host?: string | null;
  /** Liveness check for a pid on this host. @default isProcessAlive */
  isAlive?: (pid: number) => boolean | undefined;
}

/**
 * The status to show for a record: its written status, or `died` when it says `running` but its
 * process is gone (recorded on this host and the pid is not alive) or its heartbeat is stale.
 *
 * @param record A record (e.g. from `listRuns`).
 * @param options See {@linkcode DisplayStatusOptions}.
 * @returns The status to display.
 * @example
 * ```ts
 * for (const r of await listRuns("runs")) console.log(r.id, displayStatus(r));
 * ```
 */
export function displayStatus(
  record: RunRecord,
  options: DisplayStatusOptions = {},
): DisplayStatus {
  if (record.status !== "running") return record.status;
  const {
    now = Date.now(),
    staleAfterMs = 600_000,
    host = currentHost(),
    isAlive = isProcessAlive,
  } = options;
  if (record.pid !== null && record.host !== null && host !== null && record.host === host) {
    const alive = isAlive(record.pid);
    if (alive === false) return "died";
  }
  const beat = Date.parse(record.heartbeat_at ?? record.updated_at);
  const allowed = Math.max(staleAfterMs, 6 * (record.heartbeat_interval_s ?? 0) * 1000);
  return Number.isFinite(beat) && now - beat > allowed ? "died" : "running";
}
