package strategy_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"

	"github.com/deferio/deferio/defer/strategy"
)

// Decide needs a type-checked package: the files, and a types.Info with
// its Types, Defs and Uses maps filled in.
func ExampleDecide() {
	const src = `package p

func Close() {
	defer println("closed")
}

func Each(xs []int) {
	defer println("done")
	for _, x := range xs {
		defer println(x)
	}
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	info := &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{},
		Defs:  map[*ast.Ident]types.Object{},
		Uses:  map[*ast.Ident]types.Object{},
	}
	if _, err := (&types.Config{}).Check("p", fset, []*ast.File{f}, info); err != nil {
		fmt.Println(err)
		return
	}
	decisions, err := strategy.Decide(fset, []*ast.File{f}, info, strategy.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range decisions {
		fmt.Printf("%s in %s: %s\n", d.Pos, d.Func, strategy.Message(d))
	}
	// Output:
	// p.go:4:2 in Close: open-coded defer
	// p.go:8:2 in Each: stack-allocated defer: the defer at line 10 of Each is not stack-allocated
	// p.go:10:3 in Each: heap-allocated defer: in a loop (loop depth 2)
}

// The same function under -race: the race detector's enter/exit hooks
// turn open coding off.
func ExampleConfig() {
	const src = "package p\n\nfunc Close() {\n\tdefer println()\n}\n"
	fset := token.NewFileSet()
	f, _ := parser.ParseFile(fset, "p.go", src, 0)
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}, Uses: map[*ast.Ident]types.Object{}}
	(&types.Config{}).Check("p", fset, []*ast.File{f}, info)
	for _, cfg := range []strategy.Config{{}, {Race: true}, {NoOptimize: true}} {
		ds, _ := strategy.Decide(fset, []*ast.File{f}, info, cfg)
		fmt.Printf("%+v: %s\n", cfg, strategy.Message(ds[0]))
	}
	// Output:
	// {Race:false NoOptimize:false NoOpenDefer:false GOARCH: Shared:false NoInline:false}: open-coded defer
	// {Race:true NoOptimize:false NoOpenDefer:false GOARCH: Shared:false NoInline:false}: stack-allocated defer: -race instruments function entry and exit
	// {Race:false NoOptimize:true NoOpenDefer:false GOARCH: Shared:false NoInline:false}: stack-allocated defer: -N disables optimizations
}
