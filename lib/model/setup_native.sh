#!/usr/bin/env bash
# deno task setup:native [--gpu] — makes the native TensorFlow backend ("tensorflow", or
# "tensorflow-gpu" with --gpu) available to capo. Optional: everything else runs without it.
#
# 1. Standard path: the package's own npm install script (downloads libtensorflow 2.9.1 and a
#    prebuilt addon from storage.googleapis.com).
# 2. Offline path, when that download is refused: pip resolves a TensorFlow wheel (tensorflow-cpu,
#    or tensorflow for --gpu), we unpack libtensorflow_cc.so.2 + libtensorflow_framework.so.2 + the
#    C headers into the package's deps/, link libtensorflow.so, and build the addon with node-gyp
#    against Node's installed headers. The addon uses only the stable TF C API.
# Env: CAPO_TF_WHEEL=/path/to.whl skips pip; CAPO_NATIVE_WORK=/tmp/dir is the scratch folder;
#      CAPO_SKIP_STANDARD=1 skips the network attempt.
set -euo pipefail

variant=cpu
for arg in "$@"; do
  case "$arg" in
    --gpu) variant=gpu ;;
    --cpu) variant=cpu ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "setup:native: unknown argument '$arg' (expected --cpu or --gpu)" >&2; exit 2 ;;
  esac
done
pkg_name=tfjs-node; backend=tensorflow; wheel=tensorflow-cpu
if [ "$variant" = gpu ]; then pkg_name=tfjs-node-gpu; backend=tensorflow-gpu; wheel=tensorflow; fi

say() { echo "setup:native: $*"; }
die() { echo "setup:native: FAILED: $*" >&2; echo "setup:native: native stays optional; wasm/cpu backends still work" >&2; exit 1; }

cd "$(dirname "$0")/../.."
root=$(pwd)
# Deno ignores npm install scripts, so the package is present but its addon is not built.
[ -e "node_modules/@tensorflow/$pkg_name" ] || deno install >/dev/null 2>&1 || true
[ -e "node_modules/@tensorflow/$pkg_name" ] || die "node_modules/@tensorflow/$pkg_name is missing: run 'deno install' first"
pkg=$(readlink -f "node_modules/@tensorflow/$pkg_name")
say "package at $pkg"

check() {
  (cd "$root" && deno eval "import { chooseBackend, tf } from './lib/model/mod.ts';
    const info = await chooseBackend('$backend');
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const s = (await tf.matMul(a, a).data()).join(',');
    if (s !== '7,10,15,22') throw new Error('wrong matMul: ' + s);
    console.log('setup:native: OK', JSON.stringify(info));")
}

if ls "$pkg"/lib/napi-v*/tfjs_binding.node >/dev/null 2>&1 && check 2>/dev/null; then
  say "already built"; exit 0
fi

# --- 1. standard install (network) --------------------------------------------------------------
if [ "${CAPO_SKIP_STANDARD:-0}" != 1 ]; then
  say "trying the standard install (npm run install in $pkg_name)"
  if (cd "$pkg" && timeout 300 npm run install --ignore-scripts=false) >/tmp/capo_native_std.log 2>&1 && check; then
    say "standard install worked"; exit 0
  fi
  say "standard install failed (log: /tmp/capo_native_std.log: $(grep -m1 -iE 'error|fail' /tmp/capo_native_std.log || true))"
fi

# --- 2. offline build against a pip-resolved TensorFlow wheel -----------------------------------
work=${CAPO_NATIVE_WORK:-/tmp/capo_native}
mkdir -p "$work"
whl=${CAPO_TF_WHEEL:-}
if [ -z "$whl" ]; then
  whl=$(ls "$work"/${wheel//-/_}-*.whl 2>/dev/null | head -n1 || true)
fi
if [ -z "$whl" ]; then
  say "pip download --no-deps $wheel"
  pip download --no-deps --only-binary=:all: -d "$work" "$wheel" >"$work/pip.log" 2>&1 \
    || die "pip could not resolve a $wheel wheel (see $work/pip.log); set CAPO_TF_WHEEL=/path/to/wheel"
  whl=$(ls "$work"/${wheel//-/_}-*.whl | head -n1)
fi
say "using wheel $whl"

deps="$pkg/deps"
rm -rf "$deps" "$work/unpacked"
mkdir -p "$deps/lib" "$deps/include" "$work/unpacked"
say "unpacking libtensorflow and C headers"
python3 - "$whl" "$work/unpacked" <<'PY' || die "could not unpack $whl"
import sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    wanted = [n for n in z.namelist() if n in (
        "tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2")
        or n.startswith(("tensorflow/include/tensorflow/c/", "tensorflow/include/tensorflow/core/platform/",
                         "tensorflow/include/tsl/", "tensorflow/include/xla/tsl/"))]
    if not any(n.endswith("libtensorflow_cc.so.2") for n in wanted):
        sys.exit("no libtensorflow_cc.so.2 in " + wheel)
    for n in wanted:
        z.extract(n, out)
PY
mv "$work/unpacked/tensorflow/libtensorflow_cc.so.2" "$work/unpacked/tensorflow/libtensorflow_framework.so.2" "$deps/lib/"
cp -r "$work/unpacked/tensorflow/include/." "$deps/include/"
rm -rf "$work/unpacked"
(cd "$deps/lib" && ln -sf libtensorflow_cc.so.2 libtensorflow.so.2 && ln -sf libtensorflow.so.2 libtensorflow.so \
  && ln -sf libtensorflow_framework.so.2 libtensorflow_framework.so)

gyp=$(ls /usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js \
  "$(dirname "$(readlink -f "$(command -v npm)")")"/../node_modules/node-gyp/bin/node-gyp.js 2>/dev/null | head -n1 || true)
[ -n "$gyp" ] || gyp=$(command -v node-gyp || true)
[ -n "$gyp" ] || die "node-gyp not found (it ships with npm)"
nodedir=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
[ -f "$nodedir/include/node/node_api.h" ] || die "Node headers not found under $nodedir/include/node"
say "building the addon with node-gyp (a few minutes on 2 cores)"
# binding.gyp expects the variables node-pre-gyp would pass.
(cd "$pkg" && nice node "$gyp" rebuild --nodedir="$nodedir" -j 2 --module_name=tfjs_binding \
  --module_path="$pkg/lib/napi-v8" --napi_build_version=8) >"$work/gyp.log" 2>&1 \
  || { tail -n 30 "$work/gyp.log" >&2; die "node-gyp build failed (log: $work/gyp.log)"; }
# node-pre-gyp looks for lib/napi-v<N>/ with N the highest napi version the runtime supports.
for n in 3 4 5 6 7; do
  mkdir -p "$pkg/lib/napi-v$n"
  cp "$pkg/lib/napi-v8/tfjs_binding.node" "$pkg/lib/napi-v$n/"
done
check || die "the addon built but the '$backend' backend did not start"
say "done: chooseBackend('$backend') works; deps in $deps"
