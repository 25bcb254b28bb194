"""Reads a TensorBoard log folder with TensorBoard's own EventAccumulator and prints its scalars.

Used by the opt-in check in tests/lineage/tensorboard_test.ts: proves capo's hand-written event
files load in TensorBoard. Output: one JSON object {tag: [[step, value], ...]}.
"""
import json
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: read_tensorboard.py LOGDIR")
    acc = EventAccumulator(sys.argv[1])
    acc.Reload()
    out = {
        tag: [[e.step, e.value] for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]
    }
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
