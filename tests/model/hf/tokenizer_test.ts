import assert from "node:assert/strict";
import { loadHfTokenizer } from "../../../lib/model/hf/mod.ts";
import { splitSteps, stepTokenSpans } from "../../../lib/steps/mod.ts";
import { FIXTURES } from "./_fixtures.ts";

const DIR = `${FIXTURES}qwen2_chat`;
const ref = JSON.parse(await Deno.readTextFile(`${DIR}/tokenizer_expected.json`));
const tok = await loadHfTokenizer(DIR);

Deno.test("the real Qwen tokenizer gives the ids Python's tokenizers gives", () => {
  for (const [i, text] of ref.texts.entries()) assert.deepEqual(tok.encode(text), ref.ids[i]);
  assert.equal(tok.eosId, 151645);
  assert.deepEqual(tok.eosIds, [151645, 151643]);
  assert.equal(tok.padId, 151643);
});

Deno.test("chat templates render and encode as transformers' apply_chat_template does", () => {
  for (const [i, messages] of ref.chats.entries()) {
    assert.equal(tok.applyChatTemplate(messages), ref.chat_texts[i]);
    assert.deepEqual(tok.encodePrompt(messages), ref.chat_ids[i]);
  }
  assert.deepEqual(tok.encodePrompt(ref.chats[0][0].content, { chat: true }), ref.chat_ids[0]);
});

Deno.test("offsets tile the decoded text, multi-byte chars going to the token that completes them", () => {
  for (const ids of ref.ids as number[][]) {
    const text = tok.decode(ids);
    const spans = tok.offsets(ids);
    assert.equal(spans.length, ids.length);
    let at = 0;
    for (const [start, end] of spans) {
      assert.equal(start, at);
      at = end;
    }
    assert.equal(at, text.length);
    assert.equal(spans.map(([s, e]) => text.slice(s, e)).join(""), text);
  }
  // 🧮, 𓀀 and ꙮ are split over 2–3 byte-level tokens: the first ones get empty spans.
  const ids = ref.ids[3] as number[];
  const text = tok.decode(ids);
  const spans = tok.offsets(ids);
  const pieces = spans.map(([s, e]) => text.slice(s, e));
  const whole = [" 🧮", "𓀀", " ꙮ"];
  assert.deepEqual(pieces.filter((p) => whole.includes(p)), whole);
  assert.equal(spans.filter(([s, e]) => s === e).length, 6);
});

Deno.test("step spans from offsets: a boundary inside a token and whitespace-merged tokens", () => {
  const text = ref.texts[0];
  const ids = tok.encode(text) as number[];
  const steps = splitSteps(text);
  assert.equal(steps.length, 3);
  const spans = stepTokenSpans(steps, tok.offsets(ids));
  // ".\n\n" is one token (382): the boundary falls inside it, and it belongs to the step it ends.
  assert.equal(tok.decode([ids[9]]), ".\n\n");
  assert.deepEqual(spans[0], [0, 10]);
  // ".\n\n\n" is one whitespace-merged token that closes step 1.
  assert.equal(tok.decode([ids[20]]), ".\n\n\n");
  assert.deepEqual(spans[1], [10, 21]);
  assert.deepEqual(spans[2], [21, ids.length]);
  // Multi-byte text: every token lands in exactly one step.
  const multi = ref.texts[1];
  const mids = tok.encode(multi);
  const mspans = stepTokenSpans(splitSteps(multi), tok.offsets(mids));
  assert.equal(mspans.at(-1)![1], mids.length);
  assert.equal(mspans[0][0], 0);
});

Deno.test("a prompt without a chat template fails with a one-line hint", async () => {
  const { HfTokenizer } = await import("../../../lib/model/hf/mod.ts");
  const json = JSON.parse(await Deno.readTextFile(`${DIR}/tokenizer.json`));
  const bare = new HfTokenizer(json, { eos_token: "<|im_end|>" });
  assert.throws(() => bare.encodePrompt("hi", { chat: true }), /has no chat_template/);
  assert.deepEqual(bare.encodePrompt("hi"), bare.encode("hi"));
});

Deno.test("templates can call strftime_now (jinja provides it), as Llama 3 templates do", async () => {
  const { HfTokenizer } = await import("../../../lib/model/hf/mod.ts");
  const json = JSON.parse(await Deno.readTextFile(`${DIR}/tokenizer.json`));
  const dated = new HfTokenizer(json, {
    eos_token: "<|im_end|>",
    chat_template: "Today: {{ strftime_now('%d %b %Y') }}|{{ messages[0].content }}",
  });
  const text = dated.applyChatTemplate([{ role: "user", content: "hi" }]);
  assert.match(text, /^Today: \d\d [A-Z][a-z]{2} \d{4}\|hi$/);
});
