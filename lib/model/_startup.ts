/**
 * Backend start-up helpers for tf.ts: holding back tfjs's start-up chatter while a backend starts,
 * and the GPU device check that keeps a GPU-less Linux machine from opening a WebGPU adapter.
 * @module
 */

/**
 * tfjs's start-up chatter: platform and registration notices, and its "Initialization of backend
 * failed" lines (whose text the caller folds into the reason it returns). Anything else still
 * reaches the console.
 */
const TFJS_CHATTER = [
  /^Platform \S+ has already been set/,
  /backend was already registered/,
  /^The kernel '.*' for backend '.*' is already registered/,
  /^The gradient '.*' for backend '.*' is already registered/,
  /^Initialization of backend \S+ failed/,
];

/** Holds back tfjs's known start-up lines while a backend starts; `restore` ends it. */
export function muteTfjsChatter(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const { warn, log } = console;
  let failing = false;
  const filter = (original: (...args: unknown[]) => void) => (...args: unknown[]) => {
    const text = args.map((a) => (a instanceof Error ? a.message : String(a))).join(" ");
    if (TFJS_CHATTER.some((re) => re.test(text))) {
      failing = /^Initialization of backend/.test(text);
      if (failing) lines.push(text);
    } else if (failing) {
      lines.push(firstLine(text)); // the error tfjs prints right after "Initialization ... failed"
      failing = false;
    } else {
      original.apply(console, args);
    }
  };
  console.warn = filter(warn);
  console.log = filter(log);
  return {
    lines,
    restore: () => {
      console.warn = warn;
      console.log = log;
    },
  };
}

/**
 * False when this is a Linux machine with no GPU device node, where any WebGPU adapter is a
 * software fallback. Asking for one there is not only useless but harmful: Deno's WebGPU then
 * initialises Mesa's EGL/llvmpipe, and a process that did so sometimes corrupts its heap while it
 * exits ("malloc_consolidate(): unaligned fastbin chunk", "corrupted size vs. prev_size"), after
 * its work is done: measured 1 abort in 10 runs of a `deno test` whose files request adapters.
 * Elsewhere (macOS, Windows, or /dev unreadable) it says true and the adapter is asked.
 */
export async function mayHaveGpu(): Promise<boolean> {
  if (Deno.build.os !== "linux") return true;
  try {
    return (await hasEntry("/dev/dri", /^renderD\d+$/)) ||
      (await hasEntry("/dev", /^(nvidia\d+|dxg)$/));
  } catch {
    return true; // /dev unreadable (permissions) proves nothing
  }
}

async function hasEntry(dir: string, pattern: RegExp): Promise<boolean> {
  try {
    for await (const entry of Deno.readDir(dir)) if (pattern.test(entry.name)) return true;
    return false;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0].slice(0, 300);
}
