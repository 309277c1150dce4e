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
trap 'rm -f "$tmp" "$OUT/deferbench.test"' EXIT
{
	# Configuration lines that benchstat and the report read.
	echo "goversion: $("$GO" env GOVERSION)"
	echo "count: $COUNT"
} >"$tmp"
# Build the benchmark once, then run every kernel once per round, COUNT
# rounds: a busy spell of the machine then slows all kernels of a round
# alike instead of all the runs of one kernel (go test -count N would run
# each benchmark N times in a row), which keeps the ratios honest.
bin=$OUT/deferbench.test
"$GO" test -c -o "$bin" ./deferbench
echo "benchmarking defer: $COUNT rounds of every kernel (about $((COUNT * 20)) s)..." >&2
for ((i = 1; i <= COUNT; i++)); do
	echo "round $i of $COUNT" >&2
	"$bin" -test.run '^$' -test.bench "$BENCH" -test.count 1 | tee -a "$tmp" >&2
done
rm -f "$bin"
mv "$tmp" "$raw"
trap - EXIT

"$GO" run golang.org/x/perf/cmd/benchstat "$raw" >"$OUT/benchstat.txt"
"$GO" run ./cmd/benchreport -topic defer -out "$OUT" "$raw"
echo "raw results: $raw (benchstat's summary: $OUT/benchstat.txt)"
