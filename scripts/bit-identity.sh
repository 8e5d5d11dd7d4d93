#!/usr/bin/env bash
# Fixed-seed outputs of the benchmarks and of the bring-your-own-data commands, for proving that
# a refactor changes no number (issue 11's acceptance check).
#
#   scripts/bit-identity.sh record DIR [PACNET]   # run everything, write normalized outputs to DIR
#   scripts/bit-identity.sh compare DIR [PACNET]  # run again and compare bit for bit with DIR
#
# PACNET defaults to .build/release/pacnet (build it first: swift build -c release). Every run
# uses the built-in GEMM (PACNET_BLAS=off), whose bits do not depend on the machine's BLAS.
# Benchmark JSON lines are compared with their timing fields removed; model files byte for byte.
# Needs python3 (standard library only) for the example data; the project itself does not.
set -euo pipefail
mode=${1:?usage: bit-identity.sh record|compare DIR [PACNET]}
reference=${2:?usage: bit-identity.sh record|compare DIR [PACNET]}
here=$(cd "$(dirname "$0")/.." && pwd)
pacnet=$(realpath "${3:-$here/.build/release/pacnet}")
export PACNET_BLAS=off
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

untimed() { sed -E 's/,"(selection_)?seconds":[^,}]*//g'; }
bench() {
  local name=$1; shift
  echo "== $name: pacnet $*" >&2
  "$pacnet" "$@" --json --quiet | untimed > "$out/$name.jsonl"
}
bench friedman friedman --seeds 2 --n-target 10,50
bench pendulum pendulum --seeds 1 --n-target 20
bench burgers burgers --seeds 1 --n-target 50 --target-epochs 100
bench shapes shapes --seeds 1 --n-target 100 --source-epochs 1 --allocate-epochs 1 --target-epochs 1 --methods finetune,pacnet
bench friedman-auto friedman --seeds 1 --n-target 20 --ratio auto --lambda auto --methods pacnet,l2sp --target-epochs 50
bench friedman-lr friedman --seeds 1 --n-target 20 --lambda auto --target-learning-rate auto --methods finetune,pacnet-bias --target-epochs 50
bench chain chain --seeds 1 --targets 2 --n-target 20 --own-biases

# The README's example data and commands.
data="$out/data"
python3 "$here/examples/make_example_data.py" "$data" > /dev/null
models="$out/models"
mkdir -p "$models"
(
  cd "$data"
  run() { echo "== pacnet $*" >&2; "$pacnet" "$@" --quiet > /dev/null; }
  # --no-standardize: recorded before standardization became the default of these commands.
  run transfer --source source.csv --target target.csv --targets y --arch mlp:5-64-64-1:relu --no-standardize --out "$models/transfer.safetensors" --save-stages "$models/stages"
  run transfer --source source.csv --target target.csv --targets y --arch mlp:5-32-1:tanh --standardize --ratio auto --lambda auto \
    --target-epochs 40 --out "$models/transfer-auto.safetensors"
  run transfer --source source.csv --target target.csv --targets y --arch mlp:5-32-1:tanh --own-biases --target-learning-rate auto \
    --target-epochs 40 --out "$models/transfer-own-biases.safetensors"
  run train --data source.csv --targets y --arch mlp:5-64-64-1:relu --no-standardize --out "$models/trained.safetensors"
  run prune --model "$models/trained.safetensors" --out "$models/pruned.safetensors"
  run allocate --model "$models/pruned.safetensors" --data source.csv --out "$models/allocated.safetensors"
  run calibrate --model "$models/allocated.safetensors" --data target.csv --out "$models/calibrated.safetensors"
  run calibrate --model "$models/allocated.safetensors" --data target.csv --lambda auto --epochs 30 --validation 0.2 --out "$models/calibrated-auto.safetensors"
  # A third task on the calibrated file (the target test rows stand in for its data).
  run calibrate --model "$models/transfer-own-biases.safetensors" --task t2 --data target_test.csv --previous-data target.csv \
    --reading source --keep 0.6 --epochs 30 --out "$models/chain.safetensors"
  "$pacnet" predict --model "$models/calibrated.safetensors" --task source --data source_test.csv --out "$models/predict-source.csv" > /dev/null
  # The scores, without the line naming the (temporary) model path.
  "$pacnet" evaluate --model "$models/calibrated.safetensors" --task target --data target_test.csv | grep -v '^model:' > "$models/evaluate-target.txt"
)
# A small image transfer (uint8 N x H x W x C arrays written with the standard library).
python3 - "$data" <<'PY'
import random, struct, sys
def save(path, shape, values):
    header = "{'descr': '|u1', 'fortran_order': False, 'shape': (%s), }" % "".join(f"{d}, " for d in shape)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + bytes(values))
rng = random.Random(0)
for name, n in (("src", 96), ("tgt", 24)):
    pixels = [rng.randrange(256) for _ in range(n * 12 * 12 * 3)]
    labels = [rng.randrange(2) for _ in range(n * 3)]
    save(f"{sys.argv[1]}/{name}.npy", (n, 12, 12, 3), pixels)
    save(f"{sys.argv[1]}/{name}_attrs.npy", (n, 3), labels)
PY
(
  cd "$data"
  echo "== pacnet transfer (images)" >&2
  "$pacnet" transfer --source src.npy --source-labels src_attrs.npy --target tgt.npy --target-labels tgt_attrs.npy \
    --arch resnet:1:4-8-8 --source-epochs 1 --allocate-epochs 1 --target-epochs 2 --out "$models/images.safetensors" --quiet > /dev/null
)
cp -r "$models" "$out/models-final"
rm -rf "$models"
mv "$out/models-final" "$out/models"

case $mode in
  record)
    rm -rf "$reference"; mkdir -p "$reference"
    cp -r "$out"/*.jsonl "$out/models" "$reference/"
    echo "recorded in $reference" ;;
  compare)
    status=0
    for file in "$reference"/*.jsonl; do
      name=$(basename "$file")
      if cmp -s "$file" "$out/$name"; then echo "identical: $name"; else echo "DIFFERENT: $name"; { diff "$file" "$out/$name" | head -5 || true; }; status=1; fi
    done
    while IFS= read -r file; do
      rel=${file#"$reference/"}
      if cmp -s "$file" "$out/$rel"; then echo "identical: $rel"; else echo "DIFFERENT: $rel"; status=1; fi
    done < <(find "$reference/models" -type f | sort)
    exit $status ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
