#!/usr/bin/env bash
# `deno task test:trl`: opt-in check of the TRL integration. Builds python/.venv from pip (reused
# when it already imports trl and tensorboard; set PIP_INDEX_URL for a local mirror), starts
# credit:serve with the reference critic, runs two TRL steps (tests/python/test_trl.py), then reads
# capo's TensorBoard event files with TensorBoard's own reader.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=python/.venv
PY=$VENV/bin/python
if ! { [ -x "$PY" ] && "$PY" -c "import trl, tensorboard, datasets" 2>/dev/null; }; then
  python3 -m venv "$VENV"
  timeout 1200 "$VENV/bin/pip" install -q trl transformers torch accelerate datasets tensorboard
fi
LOG=$(mktemp)
deno run --allow-net=127.0.0.1 --allow-read --allow-env lib/cli/credit_serve.ts --port 0 --k 4 >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -f "$LOG"' EXIT
URL=""
for _ in $(seq 1 120); do
  URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$LOG" | head -1 || true)
  [ -n "$URL" ] && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$LOG"; echo "credit:serve exited before listening" >&2; exit 1; }
  sleep 0.5
done
[ -n "$URL" ] || { cat "$LOG"; echo "credit:serve did not print its URL within 60 s" >&2; exit 1; }
echo "credit service at $URL"
PYTHONPATH=python timeout 900 "$PY" tests/python/test_trl.py --credit-url "$URL"
CAPO_PYTHON="$PY" deno test -A --no-check=remote tests/lineage/tensorboard_test.ts
