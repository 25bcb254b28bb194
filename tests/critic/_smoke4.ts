import { benchCritic } from "../../lib/critic/mod.ts";
console.log(await benchCritic());
