/**
 * Keeps machine-specific absolute paths out of lineage records: paths become relative to the
 * run folder, the runs folder or the repository root, and stack traces lose the checkout's
 * location. Private to lib/lineage.
 * @module
 */
import { isAbsolute, relative, resolve } from "node:path";

/**
 * The repository root a record's paths are relative to: the nearest folder at or above `cwd`
 * holding deno.json, else `cwd` itself. Returned absolute.
 */
export async function repositoryRoot(cwd: string): Promise<string> {
  const start = resolve(cwd);
  let dir = start;
  for (let depth = 0; depth < 64; depth++) {
    const stat = await Deno.stat(`${dir}/deno.json`).catch(() => undefined);
    if (stat?.isFile) return dir;
    const up = resolve(dir, "..");
    if (up === dir) break;
    dir = up;
  }
  return start;
}

/** `path` (absolute, or relative to `cwd`) as a POSIX path relative to `base`; "." for `base`. */
export function relativePath(path: string, base: string, cwd = Deno.cwd()): string {
  const rel = relative(resolve(cwd, base), resolve(cwd, path)).replaceAll("\\", "/");
  return rel === "" ? "." : rel;
}

/** Whether `path` lies inside `dir` (both resolved against `cwd`). */
export function isInside(path: string, dir: string, cwd = Deno.cwd()): boolean {
  const rel = relative(resolve(cwd, dir), resolve(cwd, path));
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/**
 * An argv with absolute paths made relative to `root`: a bare absolute argument, the value of
 * `--flag=/abs/path`, and the Deno executable (recorded as "deno").
 */
export function relativeArgv(argv: readonly string[], root: string): string[] {
  let execPath = "";
  try {
    execPath = Deno.execPath();
  } catch {
    // No read permission for the executable path: nothing to replace.
  }
  return argv.map((arg) => {
    if (execPath && arg === execPath) return "deno";
    if (isAbsolute(arg)) return relativePath(arg, root);
    const flag = /^(--?[\w.-]+=)(\/.*)$/.exec(arg);
    return flag ? flag[1] + relativePath(flag[2], root) : arg;
  });
}

/** Free text (an error message, a stack trace) whose absolute paths — `file:///abs/x.ts` frames
 * and bare `/abs/dir/file` words — are made relative to `root`, so frames read `lib/x.ts:1:2`.
 * URLs keep their paths. */
export function relativeText(text: string, root: string): string {
  const dir = root.replace(/\/+$/, "");
  return text
    .replace(/file:\/\/(\/[^\s:()'"]+)/g, (_m, path: string) => relativePath(decodeURI(path), dir))
    .replace(
      /(?<![\w.:/~-])\/(?:[\w.@+-]+\/)+[\w.@+-]*/g,
      (path) => relativePath(path, dir),
    );
}
