/**
 * The reference (symbolic) critic and its OpenAI-compatible server: a step checker that verifies
 * the arithmetic claims in each step and answers in the GenPRM format, with seeded noise standing
 * in for an imperfect LLM judge, and a server with fault injection for reliability tests. The
 * production client in `lib/critic` talks to it exactly as to any endpoint.
 *
 * @example
 * ```ts
 * import { startReferenceCriticServer } from "./mod.ts";
 * const server = await startReferenceCriticServer({ port: 0, noise: { falseFlagRate: 0.1 } });
 * console.log(server.baseUrl); // http://127.0.0.1:PORT/v1
 * await server.close();
 * ```
 * @module
 */
export * from "./critic.ts";
export * from "./server.ts";
