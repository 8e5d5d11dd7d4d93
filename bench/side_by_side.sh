#!/usr/bin/env bash
# Runs pacnet's speed benchmark and its PyTorch twin back to back on this machine and prints
# one ratio table. Needs a Python with torch and numpy (default: /tmp/torchenv, see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
# pacnet loads a system BLAS only when asked: on by default here, so `gemm` also reports the BLAS
# path, as in bench/README.md's tables (PACNET_BLAS=off for the built-in kernel alone).
export PACNET_BLAS=${PACNET_BLAS-on}
python=${TORCH_PYTHON:-/tmp/torchenv/bin/python}
out=${OUT:-$(mktemp -d)}
swift build -c release --product pacnet >/dev/null
.build/release/pacnet bench --json | tee "$out/pacnet.jsonl"
"$python" bench/torch_twin.py --json | tee "$out/torch.jsonl"
/usr/bin/time -v .build/release/pacnet friedman --seeds 1 --quiet 2> "$out/rss.txt" > /dev/null
echo
python3 bench/compare.py "$out/pacnet.jsonl" "$out/torch.jsonl"
echo
grep -E "Maximum resident" "$out/rss.txt" | sed 's/^\s*/pacnet friedman --seeds 1: /'
echo "raw results in $out"
