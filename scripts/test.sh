#!/usr/bin/env bash
# Runs every test (validation layers on) and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
results=TestResults
rm -rf "$results"
dotnet test VkResNet.sln -c Release --logger "trx" --results-directory "$results" "$@"
status=$?
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
