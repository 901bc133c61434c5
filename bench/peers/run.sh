#!/usr/bin/env bash
# VkResNet against PyTorch CPU on this machine, alternating run by run, ratio per measure in one table.
#   bench/peers/run.sh [--rounds R] [--iterations N] [--warmup W] [--quick]
# Measures: ResNet-18 and ResNet-50 inference at 3x224x224 batch 1; ResNet-20 (option A, 1x28x28) one SGD
# training step at batch 128 (and, since `vkresnet bench --train` times it too, its inference at batch 128).
# Each round runs every measure on both sides back to back, VkResNet first in odd rounds, PyTorch first in
# even ones, so a load change on this shared machine hits both. PyTorch: Debian's python3-torch, 2 threads.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

rounds=3; iterations=5; warmup=2
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --iterations) iterations="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --quick) rounds=1; iterations=3; warmup=1; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (--rounds R, --iterations N, --warmup W, --quick)" >&2; exit 2 ;;
  esac
done

py=/usr/bin/python3
if ! "$py" -c "import torch, torchvision" 2>/dev/null; then
  echo "run.sh: $py cannot import torch/torchvision; scripts/setup.sh installs python3-torch python3-torchvision" >&2
  exit 1
fi
command -v dotnet >/dev/null || { echo "run.sh: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }

# Build Release when the CLI is missing or older than any source.
dll=src/Cli/bin/Release/net10.0/vkresnet.dll
if [ ! -f "$dll" ] || [ -n "$(find src Directory.Build.props Directory.Packages.props \( -name bin -o -name obj \) -prune -o -newer "$dll" \
      \( -name '*.cs' -o -name '*.comp' -o -name '*.glsl' -o -name '*.csproj' -o -name '*.props' \) -print -quit)" ]; then
  echo "run.sh: building src/Cli (Release)"
  dotnet build src/Cli/VkResNet.Cli.csproj -c Release -v quiet -nologo
fi

out="bench/peers/out/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
cut -d' ' -f1-3 /proc/loadavg > "$out/load-start.txt"

# name | vkresnet bench arguments | torch_peer.py arguments
measures=(
  "resnet18-infer-b1|--model resnet18 --batch 1|--model resnet18 --batch 1"
  "resnet50-infer-b1|--model resnet50 --batch 1|--model resnet50 --batch 1"
  "resnet20-train-b128|--model resnet20 --batch 128 --train|--model resnet20 --batch 128 --train"
  "resnet20-infer-b128||--model resnet20 --batch 128"
)

run_vk() { # name args round
  [ -n "$2" ] || return 0
  echo "[round $3] vkresnet $1"
  # shellcheck disable=SC2086
  dotnet "$dll" bench $2 --iterations "$iterations" --warmup "$warmup" --json "$out/vk-$1-r$3.json" | grep -E "p50 [0-9]|FMA" || true
}
run_pt() {
  echo "[round $3] pytorch $1"
  # shellcheck disable=SC2086
  "$py" bench/peers/torch_peer.py $2 --iterations "$iterations" --warmup "$warmup" --threads 2 --json "$out/pt-$1-r$3.json"
}

for r in $(seq 1 "$rounds"); do
  for m in "${measures[@]}"; do
    IFS='|' read -r name vk pt <<<"$m"
    if [ $((r % 2)) -eq 1 ]; then run_vk "$name" "$vk" "$r"; run_pt "$name" "$pt" "$r"
    else run_pt "$name" "$pt" "$r"; run_vk "$name" "$vk" "$r"; fi
  done
done
cut -d' ' -f1-3 /proc/loadavg > "$out/load-end.txt"
"$py" bench/peers/compare.py "$out" | tee "$out/table.md"
