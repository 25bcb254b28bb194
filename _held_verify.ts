import { benchVerifier } from "./lib/verify/mod.ts";
const r = await benchVerifier({ rounds: 1, path: Deno.args[0] });
console.log(r.n, r.agreement);
for (const d of r.disagreements) console.log(JSON.stringify(d));
