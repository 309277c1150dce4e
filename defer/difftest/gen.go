// Package difftest proves the defer model against the real toolchain.
//
// [Generate] writes random, terminating Go programs that stress defer:
// nested calls, defers in loops and after backward gotos, closures that
// capture loop variables and named results, panics at random points,
// recovers (direct, and indirect where recover must return nil),
// re-panics, os.Exit, functions with many returns and with more than
// eight defers; a struct whose value is captured by a deferred method
// call's receiver or by a closure, deferred pointer-receiver method
// values, recover in a method; goroutines that defer wg.Done and may
// call runtime.Goexit or recover a panic; defers in the body of a range-over-func
// loop. The same seed always gives the same program.
//
// [RunBatch] compiles many programs into one binary (one go build per
// batch, with -d=defer so the compiler says which strategy each defer
// got), runs each program in its own process, runs the same programs in
// the model, and reports every divergence in stdout, exit status, panic
// message or strategy. [Shrink] reduces a divergent program to a small
// one that still diverges.
package difftest

import (
	"fmt"
	"go/format"
	"math/rand/v2"
	"slices"
	"strings"
)

// GenConfig bounds the programs [Generate] writes. The zero value means
// the defaults.
type GenConfig struct {
	Funcs    int // functions besides main (default 5)
	MaxStmts int // statements per block at the most (default 6)
	MaxDepth int // nesting of blocks at the most (default 3)
}

func (c GenConfig) withDefaults() GenConfig {
	if c.Funcs <= 0 {
		c.Funcs = 5
	}
	if c.MaxStmts <= 0 {
		c.MaxStmts = 6
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = 3
	}
	return c
}

// Generate returns the source of a random program for seed. The program
// is a gofmt-formatted package main that imports fmt (and os when it calls
// os.Exit), always terminates, and
// writes what it does to standard output with fmt.Println.
func Generate(seed uint64, cfg GenConfig) []byte {
	cfg = cfg.withDefaults()
	g := &gen{
		rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		cfg: cfg,
	}
	return g.program()
}

type gen struct {
	rnd *rand.Rand
	cfg GenConfig
	b   strings.Builder
	ind int

	// per function
	fn      int      // index of the function being written
	fname   string   // its name
	result  string   // "" (none), "int" or "named" (r int)
	vars    []string // variables in scope
	fixed   []string // loop variables and counters: read, never written
	labels  int
	tags    int
	inLoop  bool
	inClos  int // depth of func literals being written
	funcRes []string
	usesOS  bool
	usesGo  bool // sync
	usesRT  bool // runtime
}

func (g *gen) intn(n int) int { return g.rnd.IntN(n) }
func (g *gen) chance(p float64) bool {
	return g.rnd.Float64() < p
}

func (g *gen) line(format string, args ...any) {
	g.b.WriteString(strings.Repeat("\t", g.ind))
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteByte('\n')
}

// tag returns a short label unique in the program, so that every line
// printed says where it came from.
func (g *gen) tag() string {
	g.tags++
	return fmt.Sprintf("%s.%d", g.fname, g.tags)
}

func (g *gen) program() []byte {
	// helper: recover called directly by the deferred call (works), or
	// from a function that the deferred call calls (returns nil).
	g.line("func catch(where string) {")
	g.line("\tif e := recover(); e != nil {")
	g.line("\t\tfmt.Println(where, \"caught\", e)")
	g.line("\t} else {")
	g.line("\t\tfmt.Println(where, \"nothing to catch\")")
	g.line("\t}")
	g.line("}")
	g.line("")
	// a struct with value and pointer methods, and an iterator
	g.line("type S struct{ n int }")
	g.line("")
	g.line("func (s S) Show(tag string) { fmt.Println(tag, \"S\", s.n) }")
	g.line("")
	g.line("func (s *S) Bump() { s.n++ }")
	g.line("")
	g.line("func (s *S) Guard(tag string) {")
	g.line("\tif e := recover(); e != nil {")
	g.line("\t\tfmt.Println(tag, \"guard caught\", e, s.n)")
	g.line("\t}")
	g.line("}")
	g.line("")
	g.line("func seq(n int) func(func(int) bool) {")
	g.line("\treturn func(yield func(int) bool) {")
	g.line("\t\tdefer fmt.Println(\"seq done\", n)")
	g.line("\t\tfor i := range n {")
	g.line("\t\t\tif !yield(i) {")
	g.line("\t\t\t\tfmt.Println(\"seq stopped\", i)")
	g.line("\t\t\t\treturn")
	g.line("\t\t\t}")
	g.line("\t\t}")
	g.line("\t}")
	g.line("}")
	g.line("")
	g.funcRes = make([]string, g.cfg.Funcs)
	for i := range g.cfg.Funcs {
		switch g.intn(3) {
		case 0:
			g.funcRes[i] = ""
		case 1:
			g.funcRes[i] = "int"
		default:
			g.funcRes[i] = "named"
		}
	}
	for i := range g.cfg.Funcs {
		g.function(i)
	}
	g.mainFunc()
	pkgs := []string{"fmt"}
	if g.usesOS {
		pkgs = append(pkgs, "os")
	}
	if g.usesRT {
		pkgs = append(pkgs, "runtime")
	}
	if g.usesGo {
		pkgs = append(pkgs, "sync")
	}
	imports := "import (\n"
	for _, p := range pkgs {
		imports += "\t\"" + p + "\"\n"
	}
	imports += ")\n"
	src := []byte("package main\n\n" + imports + "\n" + g.b.String())
	if formatted, err := format.Source(src); err == nil {
		return formatted
	}
	return src
}

func (g *gen) startFunc(i int, name, result string) {
	g.fn, g.fname, g.result = i, name, result
	g.vars = []string{"a"}
	g.labels, g.tags, g.inLoop, g.inClos = 0, 0, false, 0
	g.fixed = nil
}

func (g *gen) function(i int) {
	name := fmt.Sprintf("f%d", i)
	g.startFunc(i, name, g.funcRes[i])
	sig := ""
	switch g.result {
	case "int":
		sig = " int"
	case "named":
		sig = " (r int)"
	}
	g.line("func %s(a int)%s {", name, sig)
	g.ind++
	g.line("x := a + %d", g.intn(5))
	g.line("_ = x")
	g.line("s := S{n: a}")
	g.line("_ = s")
	g.vars = append(g.vars, "x")
	if g.result == "named" {
		g.vars = append(g.vars, "r")
	}
	switch g.intn(10) {
	case 0: // more than eight defers: open coding is off
		for range 9 + g.intn(2) {
			g.deferStmt()
		}
	case 1: // many returns with many defers: returns x defers > 15
		for range 4 {
			g.deferStmt()
		}
		for range 4 {
			g.line("if a == %d {", g.intn(8))
			g.ind++
			g.returnStmt()
			g.ind--
			g.line("}")
		}
	}
	g.block(0)
	g.returnStmt()
	g.ind--
	g.line("}")
	g.line("")
}

func (g *gen) mainFunc() {
	g.startFunc(g.cfg.Funcs, "main", "")
	g.line("func main() {")
	g.ind++
	g.line("x := 0")
	g.line("_ = x")
	g.vars = []string{"x"}
	if g.chance(0.5) {
		g.deferStmt()
	}
	for i := range g.cfg.Funcs {
		t := g.tag()
		arg := g.intn(8)
		if g.funcRes[i] == "" {
			g.line("f%d(%d)", i, arg)
			g.line("fmt.Println(%q)", t)
		} else {
			g.line("fmt.Println(%q, f%d(%d))", t, i, arg)
		}
		if g.chance(0.15) {
			g.stmt(1)
		}
	}
	g.ind--
	g.line("}")
}

// expr returns an int expression over the variables in scope.
func (g *gen) expr() string {
	v := g.vars[g.intn(len(g.vars))]
	switch g.intn(4) {
	case 0:
		return v
	case 1:
		return fmt.Sprintf("%s + %d", v, g.intn(9)+1)
	case 2:
		return fmt.Sprintf("%s * %d", v, g.intn(3)+2)
	default:
		return fmt.Sprintf("%d", g.intn(10))
	}
}

func (g *gen) cond() string {
	v := g.vars[g.intn(len(g.vars))]
	ops := []string{"<", ">", "==", "!=", "<=", ">="}
	return fmt.Sprintf("%s %s %d", v, ops[g.intn(len(ops))], g.intn(8))
}

func (g *gen) block(depth int) {
	n := 1 + g.intn(g.cfg.MaxStmts)
	for range n {
		g.stmt(depth)
	}
}

// assignable returns a variable that may be written: any in scope but
// the loop variables and goto counters, so that every loop ends.
func (g *gen) assignable() string {
	var ok []string
	for _, v := range g.vars {
		if !slices.Contains(g.fixed, v) {
			ok = append(ok, v)
		}
	}
	return ok[g.intn(len(ok))]
}

func (g *gen) stmt(depth int) {
	if depth >= g.cfg.MaxDepth {
		g.simple()
		return
	}
	switch g.intn(16) {
	case 0, 1:
		g.simple()
	case 2, 3, 4:
		g.deferStmt()
	case 5:
		g.line("if %s {", g.cond())
		g.ind++
		g.block(depth + 1)
		g.ind--
		if g.chance(0.5) {
			g.line("} else {")
			g.ind++
			g.block(depth + 1)
			g.ind--
		}
		g.line("}")
	case 6:
		g.loop(depth)
	case 7:
		g.line("switch %s %% 3 {", g.assignable())
		for c := range 2 {
			g.line("case %d:", c)
			g.ind++
			g.block(depth + 1)
			g.ind--
		}
		g.line("default:")
		g.ind++
		g.block(depth + 1)
		g.ind--
		g.line("}")
	case 8:
		g.gotoLoop(depth)
	case 9:
		if g.chance(0.4) {
			g.line("if %s {", g.cond())
			g.ind++
			g.panicStmt()
			g.ind--
			g.line("}")
		} else {
			g.simple()
		}
	case 10:
		if g.inClos == 0 && g.chance(0.5) {
			g.line("if %s {", g.cond())
			g.ind++
			g.returnStmt()
			g.ind--
			g.line("}")
		} else {
			g.simple()
		}
	case 11:
		if g.chance(0.08) {
			g.line("if %s {", g.cond())
			g.ind++
			g.line("fmt.Println(%q, \"exits\")", g.tag())
			g.line("os.Exit(%d)", 1+g.intn(4))
			g.usesOS = true
			g.ind--
			g.line("}")
		} else {
			g.simple()
		}
	case 13:
		g.goroutine(depth)
	case 14:
		g.rangeFunc(depth)
	case 12:
		// a closure called at once, capturing variables by reference
		g.line("func() {")
		g.ind++
		g.inClos++
		g.block(depth + 1)
		g.inClos--
		g.ind--
		g.line("}()")
	default:
		g.simple()
	}
}

// simple writes a statement with no block: an assignment, a print, a call
// or a write through a pointer.
func (g *gen) simple() {
	if g.fn < g.cfg.Funcs && g.chance(0.15) {
		if g.chance(0.5) {
			g.line("s.n += %s", g.expr())
		} else {
			g.line("s.Bump()")
		}
		return
	}
	switch g.intn(6) {
	case 0, 1:
		g.line("fmt.Println(%q, %s)", g.tag(), strings.Join(g.someVars(), ", "))
	case 2:
		g.line("%s += %s", g.assignable(), g.expr())
	case 3:
		// call a function written before this one: no recursion, so
		// every program terminates
		if g.fn == 0 {
			g.line("%s = %s", g.assignable(), g.expr())
			return
		}
		callee := g.intn(g.fn)
		if g.funcRes[callee] == "" {
			g.line("f%d(%s)", callee, g.expr())
		} else {
			g.line("%s += f%d(%s)", g.assignable(), callee, g.expr())
		}
	case 4:
		v := g.assignable()
		g.line("{")
		g.ind++
		g.line("p := &%s", v)
		g.line("*p += %d", g.intn(5)+1)
		g.ind--
		g.line("}")
	default:
		g.line("%s = %s", g.assignable(), g.expr())
	}
}

func (g *gen) someVars() []string {
	n := 1 + g.intn(min(3, len(g.vars)))
	out := make([]string, 0, n)
	for range n {
		out = append(out, g.vars[g.intn(len(g.vars))])
	}
	return out
}

func (g *gen) loop(depth int) {
	outer := g.vars
	outerLoop := g.inLoop
	g.inLoop = true
	k := 1 + g.intn(3)
	v := fmt.Sprintf("i%d", depth)
	switch g.intn(3) {
	case 0:
		g.line("for %s := 0; %s < %d; %s++ {", v, v, k, v)
	case 1:
		g.line("for %s := range %d {", v, k)
	default:
		g.line("for _, %s := range []int{%d, %d} {", v, g.intn(9), g.intn(9))
	}
	g.ind++
	g.line("_ = %s", v)
	g.vars = append(append([]string(nil), outer...), v)
	g.fixed = append(g.fixed, v)
	g.block(depth + 1)
	g.fixed = g.fixed[:len(g.fixed)-1]
	g.ind--
	g.line("}")
	g.vars, g.inLoop = outer, outerLoop
}

// gotoLoop writes a loop made of a label and a backward goto: the
// compiler treats the label as a loop, so defers after it are
// heap-allocated.
func (g *gen) gotoLoop(depth int) {
	g.labels++
	c := fmt.Sprintf("c%d_%d", depth, g.labels)
	l := fmt.Sprintf("L%d_%d", depth, g.labels)
	g.line("{")
	g.ind++
	g.line("%s := 0", c)
	g.ind--
	g.line("%s:", l)
	g.ind++
	g.line("%s++", c)
	outerLoop := g.inLoop
	g.inLoop = true
	outer := g.vars
	g.vars = append(append([]string(nil), outer...), c)
	g.fixed = append(g.fixed, c)
	g.block(depth + 1)
	g.fixed = g.fixed[:len(g.fixed)-1]
	g.vars = outer
	g.inLoop = outerLoop
	g.line("if %s < %d {", c, 2+g.intn(2))
	g.ind++
	g.line("goto %s", l)
	g.ind--
	g.line("}")
	g.ind--
	g.line("}")
}

func (g *gen) panicStmt() {
	t := g.tag()
	switch g.intn(3) {
	case 0:
		g.line("panic(%q)", "boom "+t)
	case 1:
		g.line("panic(fmt.Sprint(%q, %s))", "boom "+t+" ", g.expr())
	default:
		g.line("panic(fmt.Errorf(%q, %s))", "error "+t+" %d", g.expr())
	}
}

func (g *gen) returnStmt() {
	switch g.result {
	case "":
		g.line("return")
	case "int":
		g.line("return %s", g.expr())
	default:
		if g.chance(0.5) {
			g.line("return")
		} else {
			g.line("return %s", g.expr())
		}
	}
}

// goroutine writes a goroutine that main waits for: it defers wg.Done,
// may end by runtime.Goexit, and runs a block whose panics it recovers.
func (g *gen) goroutine(depth int) {
	if g.fn == g.cfg.Funcs || depth+1 >= g.cfg.MaxDepth {
		g.simple()
		return
	}
	g.usesGo = true
	g.line("{")
	g.ind++
	g.line("var wg sync.WaitGroup")
	g.line("wg.Add(1)")
	g.line("go func() {")
	g.ind++
	g.inClos++
	g.line("defer wg.Done()")
	// A panic must end here: one that crashed the program would run
	// wg.Done on the way, and main could print before the crash or not.
	g.line("defer catch(%q)", g.tag())
	if g.chance(0.5) {
		g.deferStmt()
	}
	if g.chance(0.4) {
		g.line("if %s {", g.cond())
		g.ind++
		g.line("fmt.Println(%q, \"Goexit\")", g.tag())
		g.line("runtime.Goexit()")
		g.usesRT = true
		g.ind--
		g.line("}")
	}
	g.block(depth + 1)
	g.inClos--
	g.ind--
	g.line("}()")
	g.line("wg.Wait()")
	g.ind--
	g.line("}")
}

// rangeFunc writes a range-over-func loop over seq: the defers of its
// body belong to the function.
func (g *gen) rangeFunc(depth int) {
	outer := g.vars
	outerLoop := g.inLoop
	g.inLoop = true
	v := fmt.Sprintf("q%d", depth)
	g.line("for %s := range seq(%d) {", v, 1+g.intn(3))
	g.ind++
	g.line("_ = %s", v)
	g.vars = append(append([]string(nil), outer...), v)
	g.fixed = append(g.fixed, v)
	g.deferStmt()
	g.block(depth + 1)
	if g.chance(0.3) {
		g.line("if %s == %d {", v, g.intn(2))
		g.ind++
		g.line("break")
		g.ind--
		g.line("}")
	}
	g.fixed = g.fixed[:len(g.fixed)-1]
	g.ind--
	g.line("}")
	g.vars, g.inLoop = outer, outerLoop
}

// deferStmt writes one defer statement of a random kind.
func (g *gen) deferStmt() {
	t := g.tag()
	if g.fn < g.cfg.Funcs && g.chance(0.3) {
		g.structDefer(t)
		return
	}
	switch g.intn(9) {
	case 0, 1: // arguments evaluated now
		g.line("defer fmt.Println(%q, %s)", t, strings.Join(g.someVars(), ", "))
	case 2: // closure sees later values; may change the named result
		g.line("defer func() {")
		g.ind++
		g.line("fmt.Println(%q, %s)", t, strings.Join(g.someVars(), ", "))
		if g.result == "named" && g.inClos == 0 {
			g.line("r += %d", 1+g.intn(5))
		}
		g.ind--
		g.line("}()")
	case 3: // closure with an argument evaluated now
		g.line("defer func(v int) {")
		g.ind++
		g.line("fmt.Println(%q, v, %s)", t, g.vars[g.intn(len(g.vars))])
		g.ind--
		g.line("}(%s)", g.expr())
	case 4: // direct recover
		g.line("defer func() {")
		g.ind++
		g.line("if e := recover(); e != nil {")
		g.ind++
		g.line("fmt.Println(%q, \"recovered\", e)", t)
		if g.result == "named" && g.inClos == 0 {
			g.line("r = -%d", 1+g.intn(9))
		}
		g.ind--
		g.line("}")
		g.ind--
		g.line("}()")
	case 5: // recover in a deferred named function: works
		g.line("defer catch(%q)", t)
	case 6: // recover one call deeper: returns nil
		g.line("defer func() { catch(%q) }()", t)
	case 7: // re-panic with a new value after recovering
		g.line("defer func() {")
		g.ind++
		g.line("if e := recover(); e != nil {")
		g.ind++
		g.line("panic(fmt.Sprint(e, %q))", " again at "+t)
		g.ind--
		g.line("}")
		g.ind--
		g.line("}()")
	default: // a deferred call that panics itself
		if g.chance(0.3) {
			g.line("defer func() {")
			g.ind++
			g.line("if %s {", g.cond())
			g.ind++
			g.panicStmt()
			g.ind--
			g.line("}")
			g.ind--
			g.line("}()")
		} else {
			g.line("defer fmt.Println(%q)", t)
		}
	}
}

// structDefer defers through the function's struct s: a value receiver
// is copied at the defer statement, a pointer receiver or a closure sees
// later changes, a method value binds its receiver when it is taken.
func (g *gen) structDefer(t string) {
	switch g.intn(6) {
	case 0:
		g.line("defer s.Show(%q)", t)
	case 1:
		g.line("defer s.Bump()")
		g.line("defer fmt.Println(%q, s.n)", t)
	case 2:
		g.line("{")
		g.ind++
		g.line("show := s.Show")
		g.line("s.n += %d", 1+g.intn(5))
		g.line("defer show(%q)", t)
		g.ind--
		g.line("}")
	case 3:
		g.line("defer func() { fmt.Println(%q, s.n) }()", t)
	case 4:
		g.line("defer s.Guard(%q)", t)
	default:
		g.line("{")
		g.ind++
		g.line("p := &s")
		g.line("defer p.Show(%q)", t)
		g.line("p.n *= %d", 2+g.intn(2))
		g.ind--
		g.line("}")
	}
}
