#!/usr/bin/env bash
# Runs every Go fuzz target (func FuzzXxx in a _test.go file) for FUZZTIME each.
# A failing input is written by `go test` to <package>/testdata/fuzz/FuzzXxx/ and from then on
# runs as a regression case in the ordinary unit tests: commit it with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-1s}
rc=0
while IFS=: read -r file name; do
	pkg=./$(dirname "$file")
	echo "fuzz: $name ($pkg) for $fuzztime"
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"; then
		rc=1
	fi
done < <(grep -rhoE --include='*_test.go' -e '^func (Fuzz[A-Za-z0-9_]+)\(' --with-filename . |
	sed -E 's#^\./##; s#^([^:]+):func (Fuzz[A-Za-z0-9_]+)\(#\1:\2#' | sort)
exit $rc
