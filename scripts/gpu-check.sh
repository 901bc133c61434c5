#!/usr/bin/env bash
# One command for a machine with a real GPU (any vendor): install, test on that GPU, tune, benchmark, summarise.
#   scripts/gpu-check.sh [--device D] [--out DIR] [--quick] [--force] [--no-install] [--no-tests]
# Steps: (1) scripts/setup.sh installs the Debian packages and builds Release (the GPU's own Vulkan driver, e.g.
# NVIDIA's, must already be installed: no package manager can pick it for you); (2) picks the device: --device D
# (index or name substring, as `vkresnet --device`), else the first device that is not a CPU; with none it stops,
# unless --force, which takes the CPU device (lavapipe); (3) runs scripts/test.sh with VKRESNET_TEST_DEVICE set to
# it (--quick: only the Runtime tests); (4) `vkresnet tune` for each measure where this build has that command, then
# `vkresnet graph --kernels` from the tuning cache (kernels-*.log: each conv and linear pass's chosen candidate, among
# them the _gpu tile sets, split-K and subgroup-size forms, with the times measured for the others);
# (5) `vkresnet bench` of ResNet-18 and ResNet-50 inference (batch 1 and 32) and the ResNet-20 training step
# (batch 128), with --json. Writes DIR (default gpu-check/<device>-<time>/): devices.json, tests.log, tune-*.log,
# kernels-*.log, bench-*.json, bench-*.log and summary.md. Exit 0 only when every step passed. On lavapipe, to test this script:
#   scripts/gpu-check.sh --device llvmpipe --quick
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

die() { echo "gpu-check: $*" >&2; exit 1; }
device=""; out=""; quick=0; force=0; install=1; tests=1
while [ $# -gt 0 ]; do
  case "$1" in
    --device) [ $# -ge 2 ] || die "--device needs a value (an index or a name substring)"; device="$2"; shift 2 ;;
    --out) [ $# -ge 2 ] || die "--out needs a folder"; out="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --force) force=1; shift ;;
    --no-install) install=0; shift ;;
    --no-tests) tests=0; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown argument $1 (--device D, --out DIR, --quick, --force, --no-install, --no-tests)" >&2; exit 2 ;;
  esac
done

# (1) install and build
if [ "$install" -eq 1 ]; then
  ./scripts/setup.sh || die "scripts/setup.sh failed (see above)"
else
  command -v dotnet >/dev/null || die "the .NET 10 SDK (dotnet) is not on PATH; run without --no-install or see scripts/setup.sh"
  dotnet build VkResNet.sln -c Release -v quiet -nologo || die "the Release build failed"
fi
cli=(dotnet src/Cli/bin/Release/net10.0/vkresnet.dll)
command -v python3 >/dev/null || die "python3 is needed to read the JSON (Debian: apt-get install python3)"

# (2) the device
devices_json="$(mktemp)"
trap 'rm -f "$devices_json"' EXIT
"${cli[@]}" devices --json >"$devices_json" || die "vkresnet devices found no Vulkan device (is a Vulkan driver installed? vulkaninfo --summary)"
pick="$(python3 - "$devices_json" "$device" "$force" 2>&1 <<'PY'
import json, sys
devs = json.load(open(sys.argv[1]))["devices"]
want, force = sys.argv[2], sys.argv[3] == "1"
if want:
    hit = [d for d in devs if str(d["index"]) == want] or [d for d in devs if want.lower() in d["name"].lower()]
    if not hit:
        sys.exit("no Vulkan device matches --device %r; devices: %s" % (want, "; ".join(f"{d['index']}: {d['name']} ({d['kind']})" for d in devs)))
    d = hit[0]
else:
    gpus = [d for d in devs if d["kind"] != "Cpu"]
    if not gpus and not force:
        sys.exit("no GPU: every Vulkan device here is a CPU device (%s). Install the GPU's Vulkan driver, or pass "
                 "--force (or --device NAME) to run on the CPU device anyway" % "; ".join(d["name"] for d in devs))
    d = (gpus or devs)[0]
print(f"{d['index']}\t{d['kind']}\t{d['line']}")
PY
)" || die "$(printf '%s' "$pick" | tail -n 1)"
IFS=$'\t' read -r index kind line <<<"$pick"
[[ "$index" =~ ^[0-9]+$ ]] || die "could not pick a device (${pick:-no output})"
[ "$kind" = Cpu ] && echo "gpu-check: note: device $index is a CPU device ($line); its figures are not GPU figures"
echo "gpu-check: device $index: $line"

stamp="$(date -u +%Y%m%d-%H%M%S)"
[ -n "$out" ] || out="gpu-check/$(printf '%s' "$line" | cut -d' ' -f1 | tr -c 'A-Za-z0-9._-\n' '_')-$stamp"
mkdir -p "$out" || die "cannot create $out"
cp "$devices_json" "$out/devices.json"
status=0
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a; }
echo "$(load)" >"$out/load-start.txt"

# (3) the test suite on that device
test_line="not run (--no-tests)"
if [ "$tests" -eq 1 ]; then
  filter=()
  [ "$quick" -eq 1 ] && filter=(--filter "FullyQualifiedName~VkResNet.Runtime.Tests")
  echo "gpu-check: tests on device $index${filter:+ (quick: Runtime tests only)} -> $out/tests.log"
  VKRESNET_TEST_DEVICE="$index" ./scripts/test.sh "${filter[@]}" >"$out/tests.log" 2>&1 || status=1
  test_line="$(tail -n 1 "$out/tests.log")"
  echo "gpu-check: tests: $test_line"
fi

# tag | vkresnet bench arguments
if [ "$quick" -eq 1 ]; then iters=(--iterations 3 --warmup 1); batches_infer=1; else iters=(--iterations 20 --warmup 3); batches_infer=1,32; fi
measures=(
  "infer|--model resnet18,resnet50 --batch $batches_infer"
  "train|--model resnet20 --batch 128 --train"
)

# (4) tune, where this build has `vkresnet tune` (one model per call)
tunes=("resnet18 --batch 1" "resnet50 --batch 1" "resnet20 --batch 128 --train")
tune_line="skipped: this build has no 'vkresnet tune' command"
# (an unknown subcommand's --help still exits 0, so look for it in the root help's command list)
if "${cli[@]}" --help 2>/dev/null | sed -n '/^Commands:/,$p' | grep -qE '^ +tune( |$)'; then
  tune_line="ok"
  for t in "${tunes[@]}"; do
    read -r -a a <<<"$t"
    echo "gpu-check: vkresnet tune $t --device $index"
    "${cli[@]}" tune "${a[@]}" --device "$index" >"$out/tune-${a[0]}.log" 2>&1 || { status=1; tune_line="failed (see tune-${a[0]}.log)"; }
    VKRESNET_TUNE=cached "${cli[@]}" graph "${a[@]}" --kernels --device "$index" >"$out/kernels-${a[0]}.log" 2>&1 \
      || { status=1; tune_line="failed (see kernels-${a[0]}.log)"; }
  done
else
  echo "gpu-check: $tune_line"
fi

# (5) benchmarks
for m in "${measures[@]}"; do
  IFS='|' read -r tag args <<<"$m"
  echo "gpu-check: vkresnet bench $args --device $index"
  # shellcheck disable=SC2086
  "${cli[@]}" bench $args "${iters[@]}" --device "$index" --json "$out/bench-$tag.json" >"$out/bench-$tag.log" 2>&1 \
    || { status=1; echo "gpu-check: bench $tag failed (see $out/bench-$tag.log)" >&2; }
done
echo "$(load)" >"$out/load-end.txt"

# summary.md
python3 - "$out" "$index" "$test_line" "$tune_line" "$quick" <<'PY' >"$out/summary.md"
import glob, json, os, sys
out, index, test_line, tune_line, quick = sys.argv[1:]
dev = next(d for d in json.load(open(os.path.join(out, "devices.json")))["devices"] if str(d["index"]) == index)
rd = lambda n: open(os.path.join(out, n)).read().strip()
print(f"# gpu-check on {dev['name']}\n")
print(f"- device: {dev['line']}; subgroup {dev['subgroupSize']} (sizes {dev.get('minSubgroupSize', '?')}-{dev.get('maxSubgroupSize', '?')}, "
      f"required on request: {'yes' if dev.get('requiredSubgroupSizeCompute') else 'no'}), "
      f"shared memory {dev['maxSharedMemoryBytes'] // 1024} KiB, fp16 {'yes' if dev['shaderFloat16'] else 'no'}")
print(f"- mode: {'quick (Runtime tests only, 3 iterations)' if quick == '1' else 'full suite, 20 iterations'}")
print(f"- tests: {test_line}")
print(f"- tune: {tune_line}")
kernel_logs = sorted(os.path.basename(f) for f in glob.glob(os.path.join(out, "kernels-*.log")))
if kernel_logs: print(f"- chosen kernels: {', '.join(kernel_logs)}")
print(f"- load average (1/5/15 min): start {rd('load-start.txt')}, end {rd('load-end.txt')}")
print()
print("| measure | p50 ms | p90 ms | images/s | % of peak | peak vec4 GFLOP/s (same run) | commit |")
print("|---|---:|---:|---:|---:|---:|---|")
for f in sorted(glob.glob(os.path.join(out, "bench-*.json"))):
    rep = json.load(open(f))
    for m in rep["results"]:
        ips = m.get("imagesPerSecond", m["batch"] * 1000 / m["msP50"])
        print(f"| {m['model']} {m['mode']} batch {m['batch']} | {m['msP50']:.2f} | {m.get('msP90', float('nan')):.2f} | "
              f"{ips:.3g} | {100 * m['shareOfPeak']:.0f}% | {rep['peakVec4Gflops']:.1f} | {rep.get('commit', '?')} |")
PY
[ $? -eq 0 ] || { status=1; echo "gpu-check: could not write $out/summary.md" >&2; }
cat "$out/summary.md"
echo "gpu-check: wrote $out"
exit "$status"
