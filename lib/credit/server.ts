/**
 * The credit service over HTTP: `POST /v1/credit` scores a batch with {@linkcode scoreCredit},
 * `GET /v1/health` reports the schema version and settings. Loopback by default, an optional bearer
 * token read from an environment variable whose name is configured, bounded request bodies, and
 * one-line JSON errors `{"error":{"code","message"}}`.
 * @module
 */
import { CREDIT_SCHEMA_VERSION, parseCreditRequest } from "./schema.ts";
import { scoreCredit, type ScoreCreditDeps, type ScoreCreditOptions } from "./score.ts";

/** Options for {@linkcode startCreditServer}. */
export interface CreditServerOptions extends ScoreCreditOptions {
  /** Interface to bind; anything but loopback exposes the service. @default "127.0.0.1" */
  hostname?: string;
  /** Port; 0 picks a free one. @default 0 */
  port?: number;
  /** Name of the environment variable holding the bearer token; unset = no auth. @default undefined */
  tokenEnv?: string;
  /** Reads an environment variable. @default Deno.env.get */
  getEnv?: (name: string) => string | undefined;
  /** Largest request body, bytes. @default 16777216 */
  maxBodyBytes?: number;
  /** Most items per request. @default 4096 */
  maxItems?: number;
  /** Receives one line per failed request (never the token). @default undefined */
  log?: (line: string) => void;
}

/** Counters of a running credit server. */
export interface CreditServerStats {
  /** Scoring requests answered with 200. */
  batches: number;
  /** Items scored. */
  items: number;
  /** Requests answered with an error, by HTTP status. */
  errors: Record<number, number>;
}

/** A running credit server. */
export interface CreditServer {
  /** `http://HOST:PORT` (the credit endpoint is `${url}/v1/credit`). */
  url: string;
  /** The bound port. */
  port: number;
  /** Live counters. */
  stats: CreditServerStats;
  /** Stops the server. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = "HttpError";
  }
}

/**
 * Starts the credit service.
 *
 * @param deps The critic.
 * @param options See {@linkcode CreditServerOptions}.
 * @returns The URL, live stats and `close`.
 * @throws {TypeError} When `tokenEnv` names an unset or empty variable.
 * @example
 * ```ts
 * const critic = await startReferenceCriticServer({ port: 0 });
 * const client = new CriticClient({ baseUrl: critic.baseUrl, k: 4 });
 * const server = await startCreditServer({
 *   critique: async (r) => (await client.critiqueBatch(r)).outcomes,
 * }, { port: 0, k: 4, voteRule: "majority" });
 * console.log(`${server.url}/v1/credit`);
 * await server.close();
 * await critic.close();
 * ```
 */
// deno-lint-ignore require-await
export async function startCreditServer(
  deps: ScoreCreditDeps,
  options: CreditServerOptions = {},
): Promise<CreditServer> {
  const {
    hostname = "127.0.0.1",
    port = 0,
    tokenEnv,
    getEnv = (name: string) => Deno.env.get(name),
    maxBodyBytes = 16 * 1024 * 1024,
    maxItems = 4096,
    log,
    ...scoreOptions
  } = options;
  const token = tokenEnv ? getEnv(tokenEnv) : undefined;
  if (tokenEnv && !token) {
    throw new TypeError(
      `Cannot start the credit server: expected environment variable ${tokenEnv} to hold the bearer token, got nothing`,
    );
  }
  const stats: CreditServerStats = { batches: 0, items: 0, errors: {} };
  const settings = {
    wWhole: scoreOptions.wWhole ?? 2,
    wProcess: scoreOptions.wProcess ?? 1,
    k: scoreOptions.k ?? 4,
    voteRule: scoreOptions.voteRule ?? "majority",
    includeReference: scoreOptions.includeReference ?? false,
  };
  const handle = async (req: Request): Promise<Response> => {
    const path = new URL(req.url).pathname;
    if (
      token !== undefined && !sameSecret(req.headers.get("authorization") ?? "", `Bearer ${token}`)
    ) {
      throw new HttpError(
        401,
        "unauthorized",
        "Missing or wrong bearer token: send Authorization: Bearer <token>",
      );
    }
    if (path === "/v1/health") {
      return json(200, { version: CREDIT_SCHEMA_VERSION, settings });
    }
    if (path !== "/v1/credit") {
      throw new HttpError(
        404,
        "not_found",
        `No route ${path}: use POST /v1/credit or GET /v1/health`,
      );
    }
    if (req.method !== "POST") {
      throw new HttpError(
        405,
        "method_not_allowed",
        `Expected POST on /v1/credit, got ${req.method}`,
      );
    }
    const text = await readBounded(req, maxBodyBytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new HttpError(
        400,
        "bad_json",
        `Cannot parse the request body as JSON: ${(error as Error).message}`,
      );
    }
    let request;
    try {
      request = parseCreditRequest(body, { maxItems });
    } catch (error) {
      throw new HttpError(400, "bad_request", (error as Error).message);
    }
    const out = await scoreCredit(request, deps, scoreOptions);
    stats.batches++;
    stats.items += out.items.length;
    return json(200, out);
  };
  const server = Deno.serve({ hostname, port, onListen: () => {} }, async (req) => {
    try {
      return await handle(req);
    } catch (error) {
      const e = error instanceof HttpError ? error : new HttpError(
        500,
        "internal",
        `Cannot score the batch: ${(error as Error)?.message ?? error}`,
      );
      stats.errors[e.status] = (stats.errors[e.status] ?? 0) + 1;
      log?.(`credit: ${e.status} ${e.code}: ${e.message}`);
      return json(e.status, { error: { code: e.code, message: e.message } });
    }
  });
  const addr = server.addr as Deno.NetAddr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    stats,
    close: () => server.shutdown(),
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

// Compares in time independent of where the strings first differ.
function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

async function readBounded(req: Request, limit: number): Promise<string> {
  const tooBig = () =>
    new HttpError(413, "too_large", `Request body exceeds ${limit} bytes: send smaller batches`);
  if (Number(req.headers.get("content-length") ?? 0) > limit) throw tooBig();
  if (!req.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.length;
    if (size > limit) throw tooBig();
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(bytes);
}
