#!/usr/bin/env bash
# VkResNet against PyTorch CPU and ONNX Runtime CPU on this machine, alternating run by run, ratios in one table.
#   bench/peers/run.sh [--rounds R] [--iterations N] [--warmup W] [--quick] [--no-onnx]
# Measures: ResNet-18 and ResNet-50 inference at 3x224x224 batch 1; ResNet-20 (option A, 1x28x28) one SGD
# training step at batch 128 (and, since `vkresnet bench --train` times it too, its inference at batch 128).
# Each round runs every measure on every peer back to back, the order rotated round by round (VkResNet first
# in round 1, PyTorch in round 2, ONNX Runtime in round 3, ...), so a load change on this shared machine hits
# all. PyTorch: Debian's python3-torch, 2 threads. ONNX Runtime: NuGet Microsoft.ML.OnnxRuntime (CPU provider,
# 2 intra-op threads, bench/peers/OnnxPeer, built here), ResNet-18/50 only, on torchvision's models exported
# to ONNX by export_onnx.py on first use into bench/peers/models/ (git-ignored).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

rounds=3; iterations=5; warmup=2; onnx=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --iterations) iterations="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --quick) rounds=1; iterations=3; warmup=1; shift ;;
    --no-onnx) onnx=0; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (--rounds R, --iterations N, --warmup W, --quick, --no-onnx)" >&2; exit 2 ;;
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

# The ONNX Runtime peer: its own small project (not in VkResNet.sln: its package carries every platform's
# native library), built when missing or older than its sources; the ONNX files exported once.
ort_dll=bench/peers/OnnxPeer/bin/Release/net10.0/onnx-peer.dll
models=bench/peers/models
if [ "$onnx" -eq 1 ]; then
  if [ ! -f "$ort_dll" ] || [ -n "$(find bench/peers/OnnxPeer Directory.Packages.props \( -name bin -o -name obj \) -prune -o -newer "$ort_dll" \
        \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -print -quit)" ]; then
    echo "run.sh: building bench/peers/OnnxPeer (Release)"
    dotnet build bench/peers/OnnxPeer/OnnxPeer.csproj -c Release -v quiet -nologo
  fi
  for m in resnet18 resnet50; do
    [ -f "$models/$m.onnx" ] || "$py" bench/peers/export_onnx.py "$models" --models "$m"
  done
fi

out="bench/peers/out/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
cut -d' ' -f1-3 /proc/loadavg > "$out/load-start.txt"

# name | vkresnet bench arguments | torch_peer.py arguments | onnx-peer model (empty: not measured there)
measures=(
  "resnet18-infer-b1|--model resnet18 --batch 1|--model resnet18 --batch 1|resnet18"
  "resnet50-infer-b1|--model resnet50 --batch 1|--model resnet50 --batch 1|resnet50"
  "resnet20-train-b128|--model resnet20 --batch 128 --train|--model resnet20 --batch 128 --train|"
  "resnet20-infer-b128||--model resnet20 --batch 128|"
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
run_ort() {
  [ "$onnx" -eq 1 ] && [ -n "$2" ] || return 0
  echo "[round $3] onnxruntime $1"
  dotnet "$ort_dll" --onnx "$models/$2.onnx" --model "$2" --batch 1 --iterations "$iterations" --warmup "$warmup" \
    --threads 2 --json "$out/ort-$1-r$3.json"
}

for r in $(seq 1 "$rounds"); do
  for m in "${measures[@]}"; do
    IFS='|' read -r name vk pt ort <<<"$m"
    case $((r % 3)) in
      1) run_vk "$name" "$vk" "$r"; run_pt "$name" "$pt" "$r"; run_ort "$name" "$ort" "$r" ;;
      2) run_pt "$name" "$pt" "$r"; run_ort "$name" "$ort" "$r"; run_vk "$name" "$vk" "$r" ;;
      0) run_ort "$name" "$ort" "$r"; run_vk "$name" "$vk" "$r"; run_pt "$name" "$pt" "$r" ;;
    esac
  done
done
cut -d' ' -f1-3 /proc/loadavg > "$out/load-end.txt"
"$py" bench/peers/compare.py "$out" | tee "$out/table.md"
