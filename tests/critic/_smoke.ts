import { startReferenceCriticServer } from "../../lib/critic/server.ts";
import { CriticClient } from "../../lib/critic/client.ts";
const server = await startReferenceCriticServer({ port: 0 });
const client = new CriticClient({ baseUrl: server.baseUrl, k: 4 });
const { outcomes, metrics } = await client.critiqueBatch([
  { problem: "7+5*3", response: "7+5=12\n\n12*3=37\n\n\\boxed{37}" },
  { problem: "(((-9 - 5 - 0) - (4 + 3 + -5)) - ((3 * 4 * 5) * (7 - -7 * 4))) =", response: "Let's calculate A = (-9 - 5 - 0) = (-9 - 5) = -14.\n\nLet's calculate C = ((3 * 4 * 5) * (7 - -7 * 4)) = ((3 * 4 * 5) * (7 - 28)) = ((3 * 4 * 5) * (-21)) = (60 * (-21)) = -1260." },
]);
console.log(JSON.stringify(outcomes, null, 1).slice(0, 1500), metrics);
await server.close();
