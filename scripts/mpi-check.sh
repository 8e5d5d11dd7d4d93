#!/usr/bin/env bash
# Two-rank loopback checks of pacnet under Open MPI (run by .ci/run when openmpi-bin is there):
#   1. `pacnet cluster`: every collective on 2 ranks;
#   2. a distributed `pacnet friedman` whose JSON lines equal the single-process run's (timings aside);
#   3. a data-parallel `pacnet transfer` (ResNet, batch norm) whose predictions agree with the
#      single-process model's to 1e-4.
# Usage: scripts/mpi-check.sh [path/to/pacnet]   (default: .build/release/pacnet)
set -euo pipefail
cd "$(dirname "$0")/.."
pacnet=$(realpath "${1:-.build/release/pacnet}")
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun=(mpirun -np 2 --oversubscribe)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== pacnet cluster on 2 ranks"
"${mpirun[@]}" "$pacnet" cluster | tee "$work/cluster.txt"
grep -q '^ranks: 2$' "$work/cluster.txt"

echo "== distributed friedman: 2 ranks against 1 process"
args=(friedman --seeds 3 --n-target 10,50 --methods finetune,pacnet,l2sp --source-epochs 20 --allocate-epochs 5 --target-epochs 20 --json --quiet --jobs 1)
"$pacnet" "${args[@]}" | sed -E 's/"(selection_)?seconds":[0-9.e+-]+//g' > "$work/one.jsonl"
"${mpirun[@]}" "$pacnet" "${args[@]}" | sed -E 's/"(selection_)?seconds":[0-9.e+-]+//g' > "$work/two.jsonl"
if ! cmp -s "$work/one.jsonl" "$work/two.jsonl"; then
  diff "$work/one.jsonl" "$work/two.jsonl" | head -20
  echo "== the distributed records differ from the single-process ones"
  exit 1
fi
echo "identical: $(wc -l < "$work/one.jsonl") records"

echo "== data-parallel transfer: 2 ranks against 1 process"
fixtures=Tests/Fixtures/torchvision
transfer=(transfer --source "$fixtures/source_images.npy" --source-labels "$fixtures/source_labels.npy"
          --target "$fixtures/target_images.npy" --target-labels "$fixtures/target_labels.npy"
          --arch resnet:1:8-16 --source-epochs 4 --allocate-epochs 2 --target-epochs 4 --batch-size 4 --quiet --seed 1)
"$pacnet" "${transfer[@]}" --out "$work/one.safetensors" > /dev/null
"${mpirun[@]}" "$pacnet" "${transfer[@]}" --out "$work/two.safetensors" > /dev/null
for task in source target; do
  "$pacnet" predict --model "$work/one.safetensors" --task $task --data "$fixtures/target_images.npy" --out "$work/one-$task.csv" > /dev/null
  "$pacnet" predict --model "$work/two.safetensors" --task $task --data "$fixtures/target_images.npy" --out "$work/two-$task.csv" > /dev/null
  # Largest difference of the predicted probabilities (the p_ columns).
  largest=$(paste -d, "$work/one-$task.csv" "$work/two-$task.csv" | awk -F, 'NR > 1 {
      half = NF / 2
      for (i = 1; i <= half; i++) { d = $i - $(i + half); if (d < 0) d = -d; if (d > m) m = d } }
    END { printf "%.3g", m }')
  echo "$task: largest probability difference $largest"
  awk -v d="$largest" 'BEGIN { exit !(d < 1e-4) }' || { echo "== the data-parallel model differs by more than 1e-4"; exit 1; }
done
echo "== MPI checks passed"
