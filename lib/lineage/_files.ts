/**
 * File helpers private to lib/lineage: run ids, JSON lines that survive NaN, shell quoting of the
 * reproduce command, and artifact hashing.
 * @module
 */
import { sha256Hex } from "../util/mod.ts";
import type { ArtifactRecord } from "./schema.ts";
import { isInside, relativePath } from "./_paths.ts";

/** `YYYYMMDD-HHMMSS-<slug>-<6 hex>`: sorts by start time, unique across parallel runs. */
export function runId(name: string, date = new Date()): string {
  const stamp = date.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) ||
    "run";
  return `${stamp}-${slug}-${crypto.randomUUID().slice(0, 6)}`;
}

/** JSON with non-finite numbers as null and a trailing newline. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
  ) +
    "\n";
}

/** POSIX shell quoting of an argv. */
export function quoteCommand(argv: string[]): string {
  return argv.map((
    a,
  ) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`))
    .join(" ");
}

/** Artifact entries for a file, or for every file under a folder (sorted by path): paths inside
 * `runDir` relative to it, others relative to the repository `root`. */
export async function artifactRecords(
  path: string,
  kind: string,
  runDir: string,
  root: string,
): Promise<ArtifactRecord[]> {
  const stat = await Deno.stat(path).catch((error) => {
    throw new Error(`Cannot add artifact ${path}: expected an existing file or folder`, {
      cause: error,
    });
  });
  const files: string[] = [];
  if (stat.isDirectory) await collect(path.replace(/\/+$/, ""), files);
  else files.push(path);
  files.sort();
  const out: ArtifactRecord[] = [];
  for (const file of files) {
    const bytes = await Deno.readFile(file);
    const inRun = isInside(file, runDir);
    out.push({
      path: relativePath(file, inRun ? runDir : root),
      ...(inRun ? {} : { relative_to: "repository" as const }),
      kind,
      sha256: await sha256Hex(bytes),
      bytes: bytes.length,
    });
  }
  return out;
}

async function collect(dir: string, files: string[]): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const p = `${dir}/${entry.name}`;
    if (entry.isDirectory) await collect(p, files);
    else if (entry.isFile) files.push(p);
  }
}
