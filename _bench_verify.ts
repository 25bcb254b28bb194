import { benchVerifier } from "./lib/verify/mod.ts";
for (let k = 0; k < 3; k++) {
  const r = await benchVerifier({ rounds: 5 });
  console.log(r.casesPerSecond.toFixed(0), r.coldCasesPerSecond.toFixed(0), r.agreement, r.maxCaseMs.toFixed(1));
}
