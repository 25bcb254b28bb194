import assert from "node:assert/strict";
import { displayStatus, isProcessAlive, type RunRecord } from "../../lib/lineage/mod.ts";

const beat = "2026-01-01T00:00:00.000Z";
const t0 = Date.parse(beat);

function record(fields: Partial<RunRecord>): RunRecord {
  return {
    status: "running",
    pid: 42,
    host: "a",
    heartbeat_at: beat,
    updated_at: beat,
    heartbeat_interval_s: 10,
    ...fields,
  } as RunRecord;
}

Deno.test("a running record on this host whose pid is gone shows as died", () => {
  const gone = () => false;
  const alive = () => true;
  const unknown = () => undefined;
  const now = t0 + 1000;
  assert.equal(displayStatus(record({}), { host: "a", isAlive: gone, now }), "died");
  assert.equal(displayStatus(record({}), { host: "a", isAlive: alive, now }), "running");
  assert.equal(displayStatus(record({}), { host: "a", isAlive: unknown, now }), "running");
  // Another host's pid says nothing here: only the heartbeat counts.
  assert.equal(displayStatus(record({}), { host: "b", isAlive: gone, now }), "running");
  // Ended runs keep their written status.
  for (const status of ["completed", "failed", "interrupted"] as const) {
    assert.equal(displayStatus(record({ status }), { host: "a", isAlive: gone, now }), status);
  }
});

Deno.test("a stale heartbeat shows as died, allowing at least six heartbeat intervals", () => {
  const opts = { host: "b", isAlive: () => true, staleAfterMs: 60_000 };
  assert.equal(displayStatus(record({}), { ...opts, now: t0 + 59_000 }), "running");
  assert.equal(displayStatus(record({}), { ...opts, now: t0 + 61_000 }), "died");
  const slow = record({ heartbeat_interval_s: 20 }); // 6 × 20 s = 120 s > 60 s
  assert.equal(displayStatus(slow, { ...opts, now: t0 + 100_000 }), "running");
  assert.equal(displayStatus(slow, { ...opts, now: t0 + 121_000 }), "died");
  // A 1.0 record (no pid, host or heartbeat) is judged by updated_at.
  const old = record({ pid: null, host: null, heartbeat_at: undefined as unknown as string });
  assert.equal(displayStatus(old, { ...opts, now: t0 + 700_000, staleAfterMs: 600_000 }), "died");
});

Deno.test("isProcessAlive sees this process and not a finished one", async () => {
  assert.equal(isProcessAlive(Deno.pid), true);
  const child = new Deno.Command("true").spawn();
  await child.status;
  assert.equal(isProcessAlive(child.pid), false);
  assert.equal(isProcessAlive(-1), undefined);
});
