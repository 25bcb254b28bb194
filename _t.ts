import { extractAnswer } from "./lib/verify/mod.ts";
for (const t of ["The answer is 5, since 2+3=5.", "The answer: 7", "so the answer is 12 because we add", "The answer is 1, 2 and 3.", "answer is 3.5.", "Answer: 4", "The answers is 4", "the answer is $\\frac{1}{2}$ when x = 1"]) console.log(JSON.stringify(t), JSON.stringify(extractAnswer(t)));
