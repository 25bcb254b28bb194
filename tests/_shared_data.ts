/**
 * The shared datasets some tests read (`../shared/data` beside the repository). They are not part of
 * the repository: a fresh clone has none, so those tests are ignored and one line says why.
 */

/** The folder the shared datasets live in, as a file URL. */
export const SHARED_DATA = new URL("../../shared/data/", import.meta.url);

/**
 * The path of a shared dataset file.
 *
 * @param relative Its path under `../shared/data`, e.g. `"gsm8k/test.jsonl"`.
 * @returns An absolute file path.
 */
export function sharedDataPath(relative: string): string {
  return new URL(relative, SHARED_DATA).pathname;
}

/**
 * Whether every named shared dataset is present; prints one line naming what is absent otherwise.
 * Use it as `Deno.test({ name, ignore: !hasSharedData("gsm8k/test.jsonl"), fn })`.
 *
 * @param relatives Paths under `../shared/data`.
 * @returns `true` when all exist.
 */
export function hasSharedData(...relatives: string[]): boolean {
  const missing = relatives.filter((r) => {
    try {
      Deno.statSync(new URL(r, SHARED_DATA));
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    console.log(
      `skipping tests that need ../shared/data/${
        missing.join(", ")
      }: absent (shared datasets are not in the repository)`,
    );
  }
  return missing.length === 0;
}
