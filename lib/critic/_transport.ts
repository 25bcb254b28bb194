/**
 * The critic client's transport glue: a `fetch` wrapper that reads the whole body inside the
 * request timeout (so a dropped connection is a retryable error), and the mapping of openai-node's
 * errors onto capo's critic error classes, so no SDK type leaves lib/critic.
 * @module
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import {
  CriticError,
  CriticRateLimitError,
  CriticServerError,
  CriticTimeoutError,
} from "./errors.ts";

/** Reads the whole body inside the timeout and turns a dropped connection into a retryable error. */
export function guardedFetch(baseFetch: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await baseFetch(input, init);
    let body: Uint8Array;
    try {
      body = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      if (init?.signal?.aborted) throw error;
      throw new CriticServerError(
        `Cannot read critic response: expected a complete body, got a dropped connection`,
        { cause: error, status: response.status },
      );
    }
    return new Response(body as Uint8Array<ArrayBuffer>, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** Maps SDK and transport errors onto the critic error classes. */
export function toCriticError(error: unknown): CriticError {
  if (error instanceof CriticError) return error;
  // The SDK parses the body it was handed in full, so a SyntaxError means a truncated JSON body.
  if (error instanceof SyntaxError) {
    return new CriticServerError(
      `Cannot parse critic response: expected JSON, got a truncated body (${error.message})`,
      { cause: error },
    );
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new CriticTimeoutError(`Critic request timed out: ${error.message}`, { cause: error });
  }
  if (error instanceof APIConnectionError) {
    if (error.cause instanceof CriticError) return error.cause;
    return new CriticServerError(`Critic connection failed: ${error.message}`, { cause: error });
  }
  if (error instanceof APIError && error.status !== undefined) {
    const options = { cause: error, status: error.status, headers: error.headers };
    const message = `Critic endpoint answered ${error.status}: ${error.message}`;
    if (error.status === 429) return new CriticRateLimitError(message, options);
    if (error.status >= 500) return new CriticServerError(message, options);
    return new CriticError(message, options);
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new CriticError(`Critic request failed: ${message}`, { cause: error });
}
