import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const BBM =
  new URL("../../../shared/data/big-bench-mistake/multistep_arithmetic.jsonl", import.meta.url)
    .pathname;

Deno.test("critic:eval scores BIG-Bench-Mistake with its own reference server and writes JSON", async () => {
  const out = `${await Deno.makeTempDir()}/eval.json`;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "lib/cli/critic_eval.ts",
      BBM,
      "--k",
      "1,2",
      "--rules",
      "majority,union",
      "--out",
      out,
    ],
    cwd: ROOT,
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.match(text, /\| majority \| 1 \|/);
  const { results } = JSON.parse(await Deno.readTextFile(out));
  assert.equal(results.length, 4);
  for (const r of results) {
    assert.deepEqual(Object.keys(r).sort(), [
      "f1",
      "first_error_accuracy",
      "k",
      "n",
      "precision",
      "recall",
      "rule",
    ]);
    assert.equal(r.n, 300);
    assert.ok(r.f1 > 0.9);
  }
  await Deno.remove(out);
});

Deno.test("critic:eval reads synthetic labelled JSONL", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/synthetic.jsonl`;
  await Deno.writeTextFile(
    file,
    [
      {
        question: "7+5*3",
        response: "7+5=12\n\n12*3=37\n\n\\boxed{37}",
        step_labels: [true, false, false],
      },
      { question: "2+2", response: "2+2=4\n\n\\boxed{4}", step_labels: [true, true] },
    ].map((r) => JSON.stringify(r)).join("\n") + "\n",
  );
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "lib/cli/critic_eval.ts",
      file,
      "--format",
      "synthetic",
      "--k",
      "1",
      "--rules",
      "union",
    ],
    cwd: ROOT,
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.match(
    new TextDecoder().decode(stdout),
    /\| union \| 1 \| 1\.000 \| 1\.000 \| 1\.000 \| 1\.000 \| 2 \|/,
  );
  await Deno.remove(dir, { recursive: true });
});
