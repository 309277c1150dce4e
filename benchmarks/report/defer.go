package report

// Defer is the report of benchmarks/deferbench: what each defer strategy
// costs next to a direct call, and the published history beside it.
var Defer = Options{
	Title: "What defer costs",
	Intro: "Every row is a kernel of package defer/cost, benchmarked by benchmarks/deferbench with `b.Loop`. " +
		"The strategy in each row is the one the compiler really picks for that kernel: the tests of defer/cost " +
		"compile it with `-gcflags=-d=defer` and fail otherwise. Each deferred call does the same work as the " +
		"direct call (it increments a counter through a non-inlined function), so a ratio to `direct` is the " +
		"price of the defer machinery. Timings depend on the machine and on what else it runs; compare the " +
		"ratios within one run, not ns across machines.",
	Chart: "chart.svg",
	Pairs: []Pair{
		{Of: "open-coded", To: "direct", Says: "an open-coded defer against a plain call"},
		{Of: "stack-16-returns", To: "open-coded-15-returns", Says: "one more return statement crosses returns x defers > 15 and turns open coding off"},
		{Of: "stack-9", To: "open-coded-8", PerDefer: true, Says: "a ninth defer statement turns open coding off for all nine"},
		{Of: "heap-loop", To: "stack-16-returns", Says: "a record from the per-P pool against one in the frame"},
		{Of: "heap-loop-args", To: "heap-loop", Says: "a captured argument makes a heap defer allocate its closure too"},
		{Of: "open-coded-args", To: "open-coded-closure", Says: "defer f(x) and defer func() { f(x) }() compile alike since Go 1.17"},
		{Of: "open-coded-recover", To: "open-coded", Says: "a deferred recover() that finds no panic"},
		{Of: "panic-stack", To: "panic-open-coded", Says: "panic and recover through a linked record against an open-coded frame"},
		{Of: "panic-open-coded", To: "open-coded", Says: "a recovered panic against a normal return"},
		{Of: "go-goexit", To: "go-return", Says: "runtime.Goexit running the goroutine's defers against returning"},
	},
	History: []History{
		{"1.12 and before", "every defer a `_defer` record from a pool or the heap (`deferproc`, `deferreturn`)", "about 50 ns",
			"open-coded defers design doc (golang/proposal, design/34481-opencoded-defers.md)"},
		{"1.13", "records on the stack when the defer runs at most once (`deferprocStack`)", "about 35 ns (\"improves performance of most uses of defer by 30%\")",
			"Go 1.13 release notes; the design doc"},
		{"1.14", "open-coded defers: a bit in `deferBits` and the call inlined at each exit", "about the cost of a direct call (\"almost zero overhead\"; the doc's ~6 ns is a direct call)",
			"Go 1.14 release notes; the design doc"},
		{"1.17 / 1.18", "deferred calls with arguments become argument-less closures (register ABI)", "-", "Go 1.17 and 1.18 release notes"},
		{"1.22", "panic, Goexit and deferreturn rewritten over one `_panic` walker", "-", "runtime/panic.go"},
	},
	HistoryNote: "Those figures were measured by others, on other machines, with other Go versions. " +
		"They are here for the shape of the story, not to compare with the ns above: compare the ratios.",
}
