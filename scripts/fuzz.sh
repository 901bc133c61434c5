#!/usr/bin/env bash
# Opt-in coverage-guided fuzzing of the readers of untrusted files: SharpFuzz-instrumented assemblies under afl++.
#   scripts/fuzz.sh [--minutes N] [--targets pickle,onnx,safetensors,checkpoint] [--out DIR] [--no-save]
# Targets (tools/fuzz/FuzzTargets.cs): the importer's pickle (RestrictedUnpickler), ONNX (OnnxReader) and
# safetensors (GraphWeightFiles) parsers, and the checkpoint reader (Checkpoint.Load). A finding is any exception
# other than the one the reader documents (ImportException / WeightFileException), or a hang past 10 s.
# Installs what is missing: Debian's afl++ (apt-get) and the SharpFuzz.CommandLine 2.3.0 tool (into
# tools/fuzz/.tools). Builds tools/fuzz, copies it to DIR/bin, instruments vkresnet-import.dll and
# VkResNet.Graph.dll there, then runs afl-fuzz for N minutes (default 5) per target from tools/fuzz/seeds/<target>
# (with tools/fuzz/dict/ token dictionaries for the pickle and safetensors/checkpoint targets).
# Each crash or hang input is replayed (its exception printed) and saved, unless --no-save, as a regression input
# in tests/VkResNet.Importer.Tests/FuzzRegressions/<target>/, which FuzzRegressionTests feed to the reader.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

die() { echo "fuzz: $*" >&2; exit 1; }
minutes=5; targets=pickle,onnx,safetensors,checkpoint; out=""; save=1
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) [ $# -ge 2 ] || die "--minutes needs a number"; minutes="$2"; shift 2 ;;
    --targets) [ $# -ge 2 ] || die "--targets needs a list"; targets="$2"; shift 2 ;;
    --out) [ $# -ge 2 ] || die "--out needs a folder"; out="$2"; shift 2 ;;
    --no-save) save=0; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "fuzz: unknown argument $1 (--minutes N, --targets LIST, --out DIR, --no-save)" >&2; exit 2 ;;
  esac
done
[[ "$minutes" =~ ^[0-9]+(\.[0-9]+)?$ ]] && [ "$(awk "BEGIN{print ($minutes > 0)}")" = 1 ] || die "--minutes $minutes: expected a positive number"
seconds=$(awk "BEGIN{printf \"%d\", $minutes * 60}")
IFS=',' read -r -a ts <<<"$targets"
for t in "${ts[@]}"; do
  [ -d "tools/fuzz/seeds/$t" ] || die "--targets: unknown target '$t' (pickle, onnx, safetensors, checkpoint)"
done
command -v dotnet >/dev/null || die "the .NET 10 SDK (dotnet) is not on PATH"

# afl++ from Debian, SharpFuzz's instrumenter from NuGet.
if ! command -v afl-fuzz >/dev/null; then
  echo "fuzz: installing afl++"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends afl++ \
    || die "could not install afl++ (apt-get install afl++)"
fi
tools=tools/fuzz/.tools
if [ ! -x "$tools/sharpfuzz" ]; then
  echo "fuzz: installing SharpFuzz.CommandLine 2.3.0 into $tools"
  dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null || die "could not install SharpFuzz.CommandLine"
fi

[ -n "$out" ] || out="fuzz-out/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
echo "fuzz: building tools/fuzz"
dotnet build tools/fuzz/VkResNet.Fuzz.csproj -c Release -v quiet -nologo >"$out/build.log" 2>&1 || { cat "$out/build.log"; die "build failed"; }
# Instrument copies, never the build output the tests use.
rm -rf "$out/bin" && cp -r tools/fuzz/bin/Release/net10.0 "$out/bin"
for dll in vkresnet-import.dll VkResNet.Graph.dll; do
  "$tools/sharpfuzz" "$out/bin/$dll" >"$out/instrument-$dll.log" 2>&1 || { cat "$out/instrument-$dll.log"; die "sharpfuzz could not instrument $dll"; }
done

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export DOTNET_TieredPGO=0 DOTNET_gcServer=0
summary="$out/summary.md"
{ echo "# scripts/fuzz.sh, $(date -u +%Y-%m-%dT%H:%MZ), $minutes min per target"; echo;
  echo "| target | execs | execs/s | paths found | crashes | hangs |"; echo "|---|---:|---:|---:|---:|---:|"; } >"$summary"
findings=0
for t in "${ts[@]}"; do
  echo "fuzz: $t for $minutes min (afl-fuzz, log $out/$t.log)"
  dict=(); case "$t" in safetensors|checkpoint) dict=(-x tools/fuzz/dict/safetensors.dict) ;; pickle) dict=(-x tools/fuzz/dict/pickle.dict) ;; esac
  afl-fuzz -i "tools/fuzz/seeds/$t" -o "$out/$t" "${dict[@]}" -t 10000 -m none -V "$seconds" -- dotnet "$out/bin/vkresnet-fuzz.dll" "$t" \
    >"$out/$t.log" 2>&1 || echo "fuzz: afl-fuzz exited non-zero for $t (see $out/$t.log)"
  stats="$out/$t/default/fuzzer_stats"
  val() { sed -n "s/^$1 *: *//p" "$stats" 2>/dev/null | head -n 1; }
  crashes=( "$out/$t"/default/crashes/id:* ); hangs=( "$out/$t"/default/hangs/id:* )
  [ -e "${crashes[0]}" ] || crashes=(); [ -e "${hangs[0]}" ] || hangs=()
  echo "| $t | $(val execs_done) | $(val execs_per_sec) | $(val corpus_count) | ${#crashes[@]} | ${#hangs[@]} |" >>"$summary"
  for f in "${crashes[@]}" "${hangs[@]}"; do
    findings=$((findings + 1))
    dotnet "$out/bin/vkresnet-fuzz.dll" "$t" --replay "$f" | head -n 12 || true
    if [ "$save" -eq 1 ]; then
      dest="tests/VkResNet.Importer.Tests/FuzzRegressions/$t"
      mkdir -p "$dest" && cp "$f" "$dest/$(sha1sum "$f" | cut -c1-12).bin"
    fi
  done
done
echo >>"$summary"; echo "findings: $findings (saved as regression inputs: $([ "$save" -eq 1 ] && echo yes || echo no))" >>"$summary"
cat "$summary"
