/**
 * Runs the reference critic server inside a Web Worker, so a benchmark's client and server do not
 * share one event loop (as they would not with a real endpoint). Message in: server options; out:
 * `{ baseUrl }`, then `"closed"` after a `"close"` message.
 * @module
 */
import { type ReferenceCriticServer, startReferenceCriticServer } from "./server.ts";

let server: ReferenceCriticServer | undefined;
const scope = self as unknown as {
  onmessage: (event: MessageEvent) => void;
  postMessage: (value: unknown) => void;
};
scope.onmessage = async (event: MessageEvent) => {
  if (event.data === "close") {
    await server?.close();
    scope.postMessage("closed");
    return;
  }
  server = await startReferenceCriticServer(event.data);
  scope.postMessage({ baseUrl: server.baseUrl });
};
