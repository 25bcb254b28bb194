/**
 * The critic client (CAPO §3, GenPRM): prompt templates, an OpenAI-compatible client with
 * concurrency and rate limits, bounded attempts, a request budget and a content-addressed cache,
 * critique parsing and voting. The reference critic and its server live in `./reference/mod.ts`;
 * evaluation harnesses in `../eval/mod.ts`.
 *
 * @example
 * ```ts
 * import { CriticClient } from "./mod.ts";
 * import { startReferenceCriticServer } from "./reference/mod.ts";
 * const server = await startReferenceCriticServer({ port: 0 });
 * const client = new CriticClient({ baseUrl: server.baseUrl, k: 4, voteRule: "majority" });
 * const { outcomes, metrics } = await client.critiqueBatch([
 *   { problem: "7+5*3", response: "7+5=12\n\n12*3=37\n\n\\boxed{37}" },
 * ]);
 * console.log(outcomes[0].wrongness, metrics); // [0, 1, 1]
 * await server.close();
 * ```
 * @module
 */
export * from "./config.ts";
export * from "./vote.ts";
export * from "./errors.ts";
export * from "./template.ts";
export * from "./cache.ts";
export * from "./client.ts";
export * from "./section.ts";
export * from "./open.ts";
export * from "./parse.ts";
