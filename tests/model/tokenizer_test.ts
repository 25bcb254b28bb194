// Tests lib/model/tokenizer.ts.
import assert from "node:assert/strict";
import { CharTokenizer } from "../../lib/model/mod.ts";

Deno.test("CharTokenizer round-trips the synthetic task's text and has distinct specials", () => {
  const tok = new CharTokenizer();
  const text = "Q: 7+5*3-4\n7+5=12\n\n12*3=36\n\n36-4=32\n\n\\boxed{32} (a/b) x^2 ~";
  const ids = tok.encode(text);
  assert.equal(ids.length, text.length);
  assert.equal(tok.decode(ids), text);
  assert.equal(new Set([tok.padId, tok.bosId, tok.eosId]).size, 3);
  assert.ok(ids.every((id) => id > 2 && id < tok.vocabSize));
  assert.equal(tok.vocabSize, 99);
  assert.equal(tok.decode([tok.bosId, ...tok.encode("ab"), tok.eosId, tok.padId]), "ab");
});

Deno.test("CharTokenizer offsets are char spans of the decoded text, specials empty", () => {
  const tok = new CharTokenizer();
  const ids = [tok.bosId, ...tok.encode("1+2\n\n"), tok.eosId];
  const offsets = tok.offsets(ids);
  assert.deepEqual(offsets, [[0, 0], [0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 5]]);
  const text = tok.decode(ids);
  assert.equal(offsets.map(([s, e]) => text.slice(s, e)).join(""), text);
});

Deno.test("CharTokenizer replaces or rejects unknown chars and bad ids", () => {
  assert.equal(new CharTokenizer().decode(new CharTokenizer().encode("π≈3")), "??3");
  assert.equal(new CharTokenizer().decode(new CharTokenizer().encode("a\r\nb\tc")), "a\nb c");
  assert.throws(() => new CharTokenizer({ onUnknown: "error" }).encode("π"), RangeError);
  assert.throws(() => new CharTokenizer().decode([999]), RangeError);
  assert.throws(() => new CharTokenizer({ replacement: "π" }), RangeError);
});
