/**
 * The error boundary of the critic commands: a usage error prints one line and exits 2, any other
 * error prints one line (its message, never a stack trace) and exits 1.
 * @module
 */

/** A bad command line: exit code 2. */
export class UsageError extends Error {
  /** @param message What is wrong and what to do. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Runs a command's main function behind the error boundary. */
export async function runCriticCommand(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    const usage = error instanceof UsageError ||
      (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"));
    const message = error instanceof Error ? error.message : String(error);
    const line = message.split("\n")[0];
    console.error(`${name}: ${line}${usage ? ` (see deno task ${name} --help)` : ""}`);
    Deno.exit(usage ? 2 : 1);
  }
}
