/**
 * Reads the JSON files of a checkpoint folder (config, generation config, tokenizer files, shard
 * index): each must be a JSON object; an optional file that is absent gives `undefined`.
 * @module
 */

/** Reads a JSON object file; errors name the file. */
export async function readJson(
  path: string,
  required: boolean,
): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!required && error instanceof Deno.errors.NotFound) return undefined;
    throw new Error(`Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
    throw new SyntaxError("not an object");
  } catch (error) {
    throw new SyntaxError(`Cannot parse ${path}: expected a JSON object`, { cause: error });
  }
}
