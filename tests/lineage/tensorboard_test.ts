import assert from "node:assert/strict";
import {
  crc32c,
  createEventWriter,
  maskedCrc32c,
  readEventFile,
  tfRecord,
} from "../../lib/lineage/tensorboard.ts";

Deno.test("crc32c matches the Castagnoli check value of 123456789", () => {
  assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
});

Deno.test("tfRecord frames length, masked length CRC, data and masked data CRC", () => {
  const data = new Uint8Array([1, 2, 3]);
  const framed = tfRecord(data);
  const view = new DataView(framed.buffer);
  assert.equal(framed.length, 19);
  assert.equal(view.getBigUint64(0, true), 3n);
  assert.equal(view.getUint32(8, true), maskedCrc32c(framed.subarray(0, 8)));
  assert.deepEqual([...framed.subarray(12, 15)], [1, 2, 3]);
  assert.equal(view.getUint32(15, true), maskedCrc32c(data));
  assert.notEqual(maskedCrc32c(data), crc32c(data));
});

Deno.test("an event file starts with brain.Event:2 and reads back every scalar in order", async () => {
  const dir = await Deno.makeTempDir();
  let clock = 1000;
  const writer = await createEventWriter(`${dir}/tb`, { hostname: "test", now: () => clock++ });
  await writer.scalar("reward", 0.5, 1);
  await writer.scalars({ accuracy: 0.25, "critic/failures": 3 }, 2);
  writer.close();
  assert.match(writer.path, /\/tb\/events\.out\.tfevents\.1000\.test$/);
  const events = await readEventFile(writer.path);
  assert.equal(events.length, 4);
  assert.equal(events[0].fileVersion, "brain.Event:2");
  assert.equal(events[0].wallTime, 1000);
  assert.deepEqual(events.slice(1).map((e) => [e.step, e.scalars]), [
    [1, { reward: 0.5 }],
    [2, { accuracy: 0.25 }],
    [2, { "critic/failures": 3 }],
  ]);
  await assert.rejects(writer.scalar("late", 1, 3), /event writer is closed/);
});

Deno.test("readEventFile rejects a flipped data byte with the record and offset", async () => {
  const dir = await Deno.makeTempDir();
  const writer = await createEventWriter(dir, { hostname: "x" });
  await writer.scalar("loss", 1.5, 7);
  writer.close();
  const bytes = await Deno.readFile(writer.path);
  bytes[bytes.length - 6] ^= 0xff;
  await Deno.writeFile(writer.path, bytes);
  await assert.rejects(readEventFile(writer.path), /record 1 at byte \d+ .*data CRC mismatch/);
});

Deno.test("scalar rejects a negative or fractional step", async () => {
  const dir = await Deno.makeTempDir();
  const writer = await createEventWriter(dir);
  assert.throws(() => writer.scalar("x", 1, -1), RangeError);
  assert.throws(() => writer.scalar("x", 1, 1.5), /expected a step ≥ 0, got 1.5/);
  writer.close();
});

// Opt-in: CAPO_PYTHON names an interpreter with `tensorboard` installed (`deno task test:trl`
// builds one in python/.venv). TensorBoard's own reader must see the same scalars.
const python = Deno.env.get("CAPO_PYTHON");
Deno.test({
  name: "TensorBoard's EventAccumulator reads capo's event files (opt-in: CAPO_PYTHON)",
  ignore: !python,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const writer = await createEventWriter(`${dir}/run1`);
    for (let step = 1; step <= 3; step++) {
      await writer.scalars({ reward: step / 4, kl: 0.125 * step }, step);
    }
    writer.close();
    const script = new URL("../python/read_tensorboard.py", import.meta.url).pathname;
    const out = await new Deno.Command(python!, { args: [script, `${dir}/run1`] }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const text = new TextDecoder().decode(out.stdout).trim();
    console.log(`EventAccumulator: ${text}`);
    assert.deepEqual(JSON.parse(text), {
      kl: [[1, 0.125], [2, 0.25], [3, 0.375]],
      reward: [[1, 0.25], [2, 0.5], [3, 0.75]],
    });
  },
});
