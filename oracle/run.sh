#!/usr/bin/env bash
# oracle/run.sh: build the probes (oracle/build.sh, cached) and compare
# every probe configuration with certlint on every generated scenario
# (go test ./oracle with CERTLINT_ORACLE_PROBES set). Prints the summary
# table; its last line is "N passed, M failed". Exit status: go test's.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
probes=$(oracle/build.sh)
built=$(date +%s)
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
status=0
CERTLINT_ORACLE_PROBES=$probes CERTLINT_ORACLE_SUMMARY=$summary \
	go test -count=1 -timeout 10m -run '^TestOracle$' ./oracle >"$summary.log" 2>&1 || status=$?
if [ ! -s "$summary" ]; then
	cat "$summary.log"
	rm -f "$summary.log"
	exit "${status:-1}"
fi
grep -E 'disagreement: |did not run|^--- FAIL|^panic' "$summary.log" | head -50 || true
rm -f "$summary.log"
end=$(date +%s)
echo "oracle: probes built in $((built - start)) s, compared in $((end - built)) s"
cat "$summary"
exit "$status"
