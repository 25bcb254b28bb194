/**
 * The error boundary of the critic commands: the one every task uses (lib/run's `runMain`): a
 * usage error prints one line and exits 2, any other error one line (never a stack trace) and 1.
 * @module
 */
export { runVoid as runCriticCommand, UsageError } from "../run/command.ts";
