#!/usr/bin/env bash
# llvmpipe's SIMD width, 256 against 512 bits (LP_NATIVE_VECTOR_WIDTH), alternating run by run, ratios in one table.
#   bench/vector-width.sh [--rounds R] [--iterations N] [--warmup W] [--widths 256,512] [--quick] [--cpu-time]
# Each round runs, once per width (the order rotated round by round): `vkresnet bench` of ResNet-18 and ResNet-50
# inference at batch 1 and of the ResNet-20 training step at batch 128, each with its own PeakProbe (vec4 FMA
# peak). A width of 512 only means something on a CPU with AVX-512 (avx512f in /proc/cpuinfo); llvmpipe's
# subgroup size is then 16 instead of 8. Output: bench/peers/out/vector-width-<time>/table.md.
# --cpu-time: for a machine too busy for wall times. Per width, ResNet-18 inference b1 and the ResNet-20 training
# step b128 are run with 1 and with 1 + N timed iterations under /usr/bin/time; the difference of the process's
# CPU seconds (user + system, every llvmpipe thread) over N is the CPU time per step, which other processes'
# load changes much less than the wall time (llvmpipe's workers sleep, not spin, while they wait).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

rounds=2; iterations=5; warmup=2; widths=256,512; cpu_time=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --iterations) iterations="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --widths) widths="$2"; shift 2 ;;
    --quick) rounds=1; iterations=3; warmup=1; shift ;;
    --cpu-time) cpu_time=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "vector-width.sh: unknown argument $1 (--rounds R, --iterations N, --warmup W, --widths A,B, --quick)" >&2; exit 2 ;;
  esac
done
IFS=',' read -r -a ws <<<"$widths"
for w in "${ws[@]}"; do
  case "$w" in 128|256|512) ;; *) echo "vector-width.sh: --widths $widths: each width must be 128, 256 or 512" >&2; exit 2 ;; esac
  if [ "$w" = 512 ] && ! grep -qw avx512f /proc/cpuinfo; then
    echo "vector-width.sh: this CPU has no AVX-512 (no avx512f in /proc/cpuinfo); llvmpipe cannot use 512 bits" >&2; exit 1
  fi
done
[ -n "${LP_NATIVE_VECTOR_WIDTH:-}" ] && echo "vector-width.sh: ignoring LP_NATIVE_VECTOR_WIDTH=$LP_NATIVE_VECTOR_WIDTH from the environment"

dll=src/Cli/bin/Release/net10.0/vkresnet.dll
[ -f "$dll" ] || dotnet build src/Cli/VkResNet.Cli.csproj -c Release -v quiet -nologo
out="bench/peers/out/vector-width-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
cut -d' ' -f1-3 /proc/loadavg > "$out/load-start.txt"
n=${#ws[@]}
if [ "$cpu_time" -eq 1 ]; then
  echo "| measure | width | CPU s, 1 iteration | CPU s, $((1 + iterations)) iterations | CPU ms per step | wall ms per step |" >"$out/table.md"
  echo "|---|---:|---:|---:|---:|---:|" >>"$out/table.md"
  for r in $(seq 1 "$rounds"); do
    for i in $(seq 0 $((n - 1))); do
      w=${ws[$(((i + r - 1) % n))]}
      for m in "resnet18-infer-b1|--model resnet18 --batch 1" "resnet20-train-b128|--model resnet20 --batch 128 --train"; do
        IFS='|' read -r tag args <<<"$m"
        for k in 1 $((1 + iterations)); do
          echo "[round $r] LP_NATIVE_VECTOR_WIDTH=$w vkresnet bench $args --iterations $k (CPU time)"
          # shellcheck disable=SC2086
          LP_NATIVE_VECTOR_WIDTH=$w /usr/bin/time -f '%e %U %S' -o "$out/cpu-w$w-$tag-n$k-r$r.txt" \
            dotnet "$dll" bench $args --iterations "$k" --warmup "$warmup" >"$out/cpu-w$w-$tag-n$k-r$r.log"
        done
        read -r e1 u1 s1 <"$out/cpu-w$w-$tag-n1-r$r.txt"; read -r e2 u2 s2 <"$out/cpu-w$w-$tag-n$((1 + iterations))-r$r.txt"
        awk -v t="$tag" -v w="$w" -v n="$iterations" -v e1="$e1" -v c1="$(awk "BEGIN{print $u1 + $s1}")" -v e2="$e2" -v c2="$(awk "BEGIN{print $u2 + $s2}")" \
          'BEGIN { printf "| %s | %s | %.2f | %.2f | %.0f | %.0f |\n", t, w, c1, c2, 1000 * (c2 - c1) / n, 1000 * (e2 - e1) / n }' >>"$out/table.md"
      done
    done
  done
  cut -d' ' -f1-3 /proc/loadavg > "$out/load-end.txt"
  echo "load average (1/5/15 min): start $(cat "$out/load-start.txt"), end $(cat "$out/load-end.txt"); $(nproc) cores" | tee -a "$out/table.md"
  cat "$out/table.md"
  exit 0
fi
for r in $(seq 1 "$rounds"); do
  for i in $(seq 0 $((n - 1))); do
    w=${ws[$(((i + r - 1) % n))]}
    for m in "infer|--model resnet18,resnet50 --batch 1" "train|--model resnet20 --batch 128 --train"; do
      IFS='|' read -r tag args <<<"$m"
      echo "[round $r] LP_NATIVE_VECTOR_WIDTH=$w vkresnet bench $args"
      # shellcheck disable=SC2086
      LP_NATIVE_VECTOR_WIDTH=$w dotnet "$dll" bench $args --iterations "$iterations" --warmup "$warmup" \
        --json "$out/w$w-$tag-r$r.json" >"$out/w$w-$tag-r$r.log"
    done
  done
done
cut -d' ' -f1-3 /proc/loadavg > "$out/load-end.txt"
/usr/bin/python3 - "$out" "${ws[@]}" <<'PY' | tee "$out/table.md"
import glob, json, os, statistics, sys
folder, widths = sys.argv[1], sys.argv[2:]
rows = {}  # (measure) -> width -> [p50 per round]; "peak" -> width -> [GFLOP/s per run]
for w in widths:
    for f in sorted(glob.glob(os.path.join(folder, f"w{w}-*.json"))):
        rep = json.load(open(f))
        rows.setdefault("peak vec4 FMA (GFLOP/s)", {}).setdefault(w, []).append(rep["peakVec4Gflops"])
        for m in rep["results"]:
            key = f"{m['model']} {m['mode']} b{m['batch']} p50 ms"
            rows.setdefault(key, {}).setdefault(w, []).append(m["msP50"])
            rows.setdefault(f"{m['model']} {m['mode']} b{m['batch']} % of peak", {}).setdefault(w, []).append(100 * m["shareOfPeak"])
load = lambda n: open(os.path.join(folder, n)).read().strip()
print(f"load average (1/5/15 min): start {load('load-start.txt')}, end {load('load-end.txt')}; {os.cpu_count()} cores")
print()
print("| measure | " + " | ".join(f"{w} bits (median; runs)" for w in widths) + f" | {widths[-1]} / {widths[0]} |")
print("|---|" + "---:|" * (len(widths) + 1))
for key, per in rows.items():
    meds = [statistics.median(per[w]) if per.get(w) else float("nan") for w in widths]
    cells = [f"{m:.1f} ({', '.join(f'{x:.1f}' for x in per.get(w, []))})" for m, w in zip(meds, widths)]
    print(f"| {key} | " + " | ".join(cells) + f" | {meds[-1] / meds[0]:.2f} |")
PY
