// Package deferbench measures what defer costs on the real runtime: one
// benchmark, BenchmarkDefer, with a sub-benchmark per kernel of package
// github.com/deferio/deferio/defer/cost, named in key=value form
// ("kernel=open-coded/strategy=open-coded") so that benchstat can compare
// by either key. Every sub-benchmark reports allocations and, for kernels
// that defer, ns/defer (ns/op divided by the deferred calls per op).
//
// Which strategy each kernel really gets is checked by the tests of
// defer/cost against the compiler's -d=defer; run the benchmarks without
// -race, which turns open coding off. Run them with the repository's
// make bench, or:
//
//	cd benchmarks && go test -run '^$' -bench . -count 10 ./deferbench
package deferbench
