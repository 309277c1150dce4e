#!/usr/bin/env bash
# run.sh: what make bench runs. Benchmarks every defer strategy side by
# side (benchmarks/deferbench), keeps the raw output where benchstat can
# read it, and writes the report and the chart.
#
#   COUNT  runs per benchmark (default 10; benchstat wants >= 6 for a CI)
#   OUT    folder for raw.txt, benchstat.txt, report.md, chart.svg, chart.png
#          (default: build/bench at the repository root)
#   BENCH  -bench pattern (default: .)
#   GO     the go command (default: go)
#
# The benchmarks run without -race on purpose: -race turns open coding off
# (see defer/cost's TestRaceTurnsOpenCodingOff).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
COUNT=${COUNT:-10}
OUT=${OUT:-$root/build/bench}
BENCH=${BENCH:-.}
GO=${GO:-go}

case $COUNT in
'' | *[!0-9]* | 0) echo "run.sh: COUNT must be a positive whole number, got '$COUNT'" >&2; exit 2 ;;
esac
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
cd "$here"

raw=$OUT/raw.txt
tmp=$(mktemp "$OUT/raw.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
	# Configuration lines that benchstat and the report read.
	echo "goversion: $("$GO" env GOVERSION)"
	echo "count: $COUNT"
} >"$tmp"
echo "benchmarking defer, -count $COUNT (about $((COUNT * 20)) s)..." >&2
"$GO" test -run '^$' -bench "$BENCH" -count "$COUNT" ./deferbench | tee -a "$tmp" >&2
mv "$tmp" "$raw"
trap - EXIT

"$GO" run golang.org/x/perf/cmd/benchstat "$raw" >"$OUT/benchstat.txt"
"$GO" run ./cmd/benchreport -topic defer -out "$OUT" "$raw"
echo "raw results: $raw (benchstat's summary: $OUT/benchstat.txt)"
