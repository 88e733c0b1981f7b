#!/bin/sh
# Runs the catalog on the built-in and third-party Node kernels and one buggy example kernel, with
# fixed seeds, writing one report directory per run under OUT (relative to the checkout root, so
# the saved-counterexample paths in the reports are the same in every checkout). Run it from the
# root of a built checkout (`npm run build`), once before and once after a change, then compare:
#   node scripts/compare-reports.mjs OUT_BEFORE OUT_AFTER
# docs/architecture.md ("Behaviour kept") records a run of it.
set -u
out=${1:?usage: scripts/behaviour-runs.sh OUT}
mkdir -p "$out"
for seed in 1 2; do
  for k in builtin:reference builtin:im2col builtin:im2col64 tfjs:cpu tfjs:wasm onnxruntime:node onnxruntime:web examples/buggy-kernel.mjs; do
    d="$out/$(printf %s "$k" | tr ':/.' '---')-seed$seed"
    start=$(date +%s)
    node bin/convcheck.js verify --kernel "$k" --seed "$seed" --report-dir "$d" >"$d.log" 2>&1
    echo "$k seed $seed: exit $? in $(($(date +%s) - start)) s"
  done
done
