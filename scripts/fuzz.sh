#!/usr/bin/env bash
# Usage: scripts/fuzz.sh [FUZZTIME] [PATTERN]
#
# Runs every Go fuzz target (func FuzzXxx in a _test.go file) in turn, each for FUZZTIME
# (default 10m), with one worker (-parallel 1: the test machines have two cores, shared).
# PATTERN (a grep -E pattern, default all) picks targets by name. Each target's output is
# kept in bin/fuzz/<package>.<target>.log and its last status line (time, executions,
# corpus) is added to bin/fuzz/summary.txt. A failing input is written by go test to the
# package's testdata/fuzz/<target>/ — commit it as a regression seed with its fix.
# Outside CI: `make test` runs the seed corpora only.
set -euo pipefail

FUZZTIME=${1:-10m}
PATTERN=${2:-.}
GO=${GO:-go}
cd "$(dirname "$0")/.."
mkdir -p bin/fuzz
summary=bin/fuzz/summary.txt
: >"$summary"

# package-dir<TAB>target for every fuzz target in the module (not in testdata).
targets=$(grep -rHoE --include='*_test.go' --exclude-dir=testdata --exclude-dir=node_modules \
	'^func Fuzz[A-Za-z0-9_]+' . | sed -E 's|^\./(.*)/[^/]*:func (Fuzz.*)$|\1\t\2|; s|^\./[^/]*:func (Fuzz.*)$|.\t\1|' | sort -u)

status=0
while IFS=$'\t' read -r dir name; do
	[ -n "$name" ] || continue
	echo "$name" | grep -qE "$PATTERN" || continue
	log="bin/fuzz/${dir//\//_}.$name.log"
	echo "== $dir $name for $FUZZTIME (log: $log)"
	start=$(date +%s)
	if "$GO" test -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" -parallel 1 "./$dir" >"$log" 2>&1; then
		result=ok
	else
		result=FAILED
		status=1
	fi
	last=$(grep -E '^fuzz: elapsed' "$log" | tail -n 1 || true)
	line="$dir $name: $result in $(($(date +%s) - start))s; $last"
	echo "$line" | tee -a "$summary"
	if [ "$result" = FAILED ]; then
		grep -E -A15 -- '--- FAIL|Failing input' "$log" | head -n 40 || true
	fi
done <<<"$targets"
echo "== summary in $summary"
exit "$status"
