#!/usr/bin/env bash
# Runs every test (validation layers on) and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
results=TestResults
rm -rf "$results"
# --blame-crash: a test host that dies (a native fault in a driver or layer) leaves a dump and the names of the tests in flight.
dotnet test VkResNet.sln -c Release --logger "trx" --results-directory "$results" --blame-crash --blame-crash-dump-type mini "$@"
status=$?
while IFS= read -r dump; do
  echo "test host crash dump: $dump"
  if command -v gdb >/dev/null; then  # the faulting thread's native stack, before the summary line
    gdb -batch -nx -ex "thread apply all bt 25" "$(command -v dotnet)" "$dump" 2>/dev/null |
      awk '/^Thread /{ if (hit) print block; block = $0; hit = 0; next } { block = block "\n" $0; if (/signal handler called/) hit = 1 } END { if (hit) print block }' | head -n 60
  fi
done < <(find "$results" -name '*.dmp' 2>/dev/null | awk -F/ '!seen[$NF]++')
passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a build or runner failure counts
echo "$passed passed, $failed failed"
exit "$status"
