/**
 * Collects what a lineage record says about the code and the runtime: git commit, dirty flag and
 * diff hash (or why they are missing), Deno/V8/TypeScript versions and the npm packages pinned in
 * deno.json. Private to lib/lineage.
 * @module
 */
import { sha256Hex } from "../util/mod.ts";
import type { CodeRecord, RuntimeRecord } from "./schema.ts";

async function git(
  cwd: string,
  args: string[],
): Promise<{ ok: boolean; out: string; err: string }> {
  const output = await new Deno.Command("git", {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" },
  }).output();
  const decoder = new TextDecoder();
  return {
    ok: output.success,
    out: decoder.decode(output.stdout),
    err: decoder.decode(output.stderr),
  };
}

/** Git state of `cwd`; never throws (a missing git, repo or permission becomes `error`). */
export async function collectCode(cwd: string): Promise<CodeRecord> {
  const empty = { commit: null, dirty: null, diff_sha256: null, untracked_files: null };
  try {
    const head = await git(cwd, ["rev-parse", "HEAD"]);
    if (!head.ok) {
      const inside = await git(cwd, ["rev-parse", "--is-inside-work-tree"]);
      const error = inside.ok ? "repository has no commits" : "not a git repository";
      return { ...empty, error };
    }
    const status = await git(cwd, ["status", "--porcelain"]);
    const lines = status.out.split("\n").filter((l) => l.length > 0);
    const untracked = lines.filter((l) => l.startsWith("??")).length;
    const diff = await git(cwd, ["diff", "HEAD", "--no-color", "--no-ext-diff"]);
    return {
      commit: head.out.trim(),
      dirty: lines.length > 0,
      diff_sha256: diff.out.length > 0 ? await sha256Hex(diff.out) : null,
      untracked_files: untracked,
    };
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "git not installed"
      : error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
      ? "no permission to run git"
      : `git failed: ${(error as Error).message}`;
    return { ...empty, error: reason };
  }
}

/** Parses `npm:name@version` / `jsr:@scope/name@version` specifiers into name → version. */
export function pinnedPackages(imports: Record<string, string>): Record<string, string> {
  const packages: Record<string, string> = {};
  for (const [alias, spec] of Object.entries(imports)) {
    const match = /^(?:npm|jsr):(@?[^@]+)@([^/]+)/.exec(spec);
    packages[match ? match[1] : alias] = match ? match[2] : spec;
  }
  return packages;
}

/** Runtime versions plus the packages pinned in the nearest deno.json at or above `cwd`. */
export async function collectRuntime(cwd: string): Promise<RuntimeRecord> {
  let packages: Record<string, string> = {};
  let dir = cwd.replace(/\/+$/, "") || "/";
  for (let depth = 0; depth < 32; depth++) {
    try {
      const config = JSON.parse(await Deno.readTextFile(`${dir}/deno.json`));
      packages = pinnedPackages(config.imports ?? {});
      break;
    } catch {
      // Not here (a notebook runs from experiments/): look one folder up.
    }
    if (dir === "/" || !dir.includes("/")) break;
    dir = dir.slice(0, dir.lastIndexOf("/")) || "/";
  }
  return {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    os: Deno.build.os,
    arch: Deno.build.arch,
    packages,
  };
}
