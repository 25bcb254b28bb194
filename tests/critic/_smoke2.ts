import { loadTemplate, recoverPrompt, renderPrompt } from "../../lib/critic/template.ts";
import { splitSteps } from "../../lib/steps/mod.ts";
const t = await loadTemplate();
const p = renderPrompt(t, { problem: "7+5*3", steps: splitSteps("7+5=12\n\n12*3=37\n\n\\boxed{37}") });
console.log(p.user); console.log(recoverPrompt(p.user));
