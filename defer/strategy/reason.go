package strategy

import "fmt"

// A Rule names one of the compiler's reasons for not open-coding a defer,
// or for allocating its record on the heap. Each rule is a check in the
// compiler; the comment on each constant names where it lives in
// $GOROOT/src/cmd/compile/internal.
type Rule int

const (
	// InLoop: the defer is inside a for or range body (escape analysis
	// loop depth > 1, escape/call.go goDeferStmt), so its record
	// escapes to the heap and the function cannot open-code.
	InLoop Rule = iota + 1
	// AfterLoopingLabel: the defer follows a label that a later goto
	// jumps back to (escape/escape.go walkFunc, escape/stmt.go OLABEL),
	// which raises the loop depth like a loop does.
	AfterLoopingLabel
	// RangeFuncBody: the defer is inside the body of a range-over-func
	// loop; the body is a closure and the defer is attached to the
	// enclosing function with runtime.deferprocat (walk/stmt.go).
	RangeFuncBody
	// TooManyDefers: the function has more than 8 defer statements
	// (walk/walk.go maxOpenDefers), the width of the deferBits byte.
	TooManyDefers
	// OtherDeferNotStack: another defer of the same function is in a
	// loop or after a looping label (walk/stmt.go ODEFER).
	OtherDeferNotStack
	// HasRangeFuncDefer: the function contains a range-over-func loop
	// whose body defers, so it calls runtime.deferrangefunc
	// (walk/expr.go) and may not open-code.
	HasRangeFuncDefer
	// TooManyReturns: returns x defers > 15 (ssagen/ssa.go buildssa):
	// every return would repeat the deferred calls.
	TooManyReturns
	// ResultOnHeap: a result parameter was moved to the heap (its
	// address escapes, or an escaping closure captures it), and it
	// must be copied back after the deferred calls (ssagen/ssa.go).
	ResultOnHeap
	// RaceInstrumented: -race adds racefuncenter/racefuncexit around
	// the function, and open-coded exits are not instrumented
	// (ssagen/ssa.go instrumentEnterExit). Functions marked
	// //go:norace and packages sync, sync/atomic and the runtime's
	// own packages are exempt.
	RaceInstrumented
	// NoOptimize: -N (no optimization) turns open coding off
	// (ssagen/ssa.go). The runtime's own packages ignore -N.
	NoOptimize
	// NoOpenDeferFlag: -d=noopendefer turns open coding off.
	NoOpenDeferFlag
	// Shared386: 386 with -shared or -dynlink does not open-code.
	Shared386
)

var ruleNames = map[Rule]string{
	InLoop:             "in-loop",
	AfterLoopingLabel:  "after-looping-label",
	RangeFuncBody:      "range-func-body",
	TooManyDefers:      "too-many-defers",
	OtherDeferNotStack: "other-defer-not-stack",
	HasRangeFuncDefer:  "has-range-func-defer",
	TooManyReturns:     "too-many-returns",
	ResultOnHeap:       "result-on-heap",
	RaceInstrumented:   "race",
	NoOptimize:         "no-optimize",
	NoOpenDeferFlag:    "noopendefer",
	Shared386:          "shared-386",
}

// String returns the rule's short name, such as "in-loop".
func (r Rule) String() string {
	if s, ok := ruleNames[r]; ok {
		return s
	}
	return fmt.Sprintf("Rule(%d)", int(r))
}

// A Reason is one rule that applied to a defer, with a sentence that
// says how it applied there ("in a loop (loop depth 2)", "4 returns x 4
// defers = 16 > 15").
type Reason struct {
	Rule Rule
	Text string
}

// String returns the reason's sentence.
func (r Reason) String() string { return r.Text }
