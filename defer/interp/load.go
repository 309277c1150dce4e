package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"sort"

	"github.com/deferio/deferio/defer/strategy"
)

// A StrategyFunc decides the strategy of every defer statement of a
// checked file. [Options.Strategy] holds one; nil means [DecideStrategies].
type StrategyFunc func(fset *token.FileSet, file *ast.File, info *types.Info) (map[*ast.DeferStmt]strategy.Kind, error)

// DecideStrategies is the default [StrategyFunc]: it asks package
// defer/strategy for the compiler's choice in an ordinary optimized build.
func DecideStrategies(fset *token.FileSet, file *ast.File, info *types.Info) (map[*ast.DeferStmt]strategy.Kind, error) {
	ds, err := strategy.Decide(fset, []*ast.File{file}, info, strategy.Config{})
	if err != nil {
		return nil, err
	}
	m := make(map[*ast.DeferStmt]strategy.Kind, len(ds))
	for _, d := range ds {
		m[d.Defer] = d.Kind
	}
	return m, nil
}

// A Program is a checked file of the subset, ready to run any number of
// times.
type Program struct {
	Fset  *token.FileSet
	File  *ast.File
	Info  *types.Info
	Pkg   *types.Package
	Name  string
	funcs map[*types.Func]*ast.FuncDecl
	// Defers lists every defer statement in source order with its strategy.
	Defers []Defer
	byStmt map[*ast.DeferStmt]*Defer
	open   map[ast.Node]bool // functions whose defers are open-coded
	// linked are the functions with defers that are not open-coded:
	// every exit calls deferreturn.
	linked map[ast.Node]bool
	free   map[*ast.FuncLit][]*types.Var
	names  map[ast.Node]string // the compiler's names of functions and closures
}

// A Defer is one defer statement and how it is compiled.
type Defer struct {
	Stmt *ast.DeferStmt
	Pos  token.Position
	Site string // "file:line:col", as -gcflags=-d=defer prints it
	Kind strategy.Kind
	// Slot is its bit in the frame's deferBits for open-coded defers,
	// -1 otherwise.
	Slot int
	Func string // the function that holds it
}

// LoadFile reads and loads a file; see [Load].
func LoadFile(filename string, strat StrategyFunc) (*Program, error) {
	src, err := os.ReadFile(filename)
	if err != nil {
		return nil, fmt.Errorf("unable to read the program: %w", err)
	}
	return Load(filename, src, strat)
}

// Load parses and type-checks src (a package main file named filename)
// and checks that it stays in the subset. strat decides the defer
// strategies; nil means [DecideStrategies]. The error names the first
// problems with their positions.
func Load(filename string, src []byte, strat StrategyFunc) (*Program, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, filename, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("unable to parse the program: %w", err)
	}
	if file.Name.Name != "main" {
		return nil, fmt.Errorf("%s: package %s: the program must be package main", fset.Position(file.Name.Pos()), file.Name.Name)
	}
	info := &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Defs:       map[*ast.Ident]types.Object{},
		Uses:       map[*ast.Ident]types.Object{},
		Implicits:  map[ast.Node]types.Object{},
		Scopes:     map[ast.Node]*types.Scope{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
	if err := checkImports(fset, file); err != nil {
		return nil, err
	}
	var terrs []error
	conf := types.Config{
		Importer:  newSubsetImporter(),
		GoVersion: "go1.26",
		Error: func(err error) {
			if len(terrs) < 10 {
				terrs = append(terrs, err)
			}
		},
	}
	pkg, _ := conf.Check("main", fset, []*ast.File{file}, info)
	if len(terrs) > 0 {
		return nil, fmt.Errorf("unable to type-check the program: %w", errors.Join(terrs...))
	}
	p := &Program{Fset: fset, File: file, Info: info, Pkg: pkg, Name: filename,
		funcs: map[*types.Func]*ast.FuncDecl{}, byStmt: map[*ast.DeferStmt]*Defer{},
		open: map[ast.Node]bool{}, linked: map[ast.Node]bool{}, free: map[*ast.FuncLit][]*types.Var{}}
	if err := p.checkSubset(); err != nil {
		return nil, err
	}
	if p.Pkg.Scope().Lookup("main") == nil {
		return nil, fmt.Errorf("%s: the program has no func main", fset.Position(file.Package))
	}
	if strat == nil {
		strat = DecideStrategies
	}
	kinds, err := strat(fset, file, info)
	if err != nil {
		return nil, fmt.Errorf("unable to decide the defer strategies: %w", err)
	}
	if err := p.layout(kinds); err != nil {
		return nil, err
	}
	p.nameFuncs()
	return p, nil
}

// layout gives every defer its strategy and slot, and every function
// its open-coded flag: a function is open-coded when all its defers are.
func (p *Program) layout(kinds map[*ast.DeferStmt]strategy.Kind) error {
	var funcs []ast.Node
	ast.Inspect(p.File, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Body != nil {
				funcs = append(funcs, n)
			}
			if obj, ok := p.Info.Defs[n.Name].(*types.Func); ok {
				p.funcs[obj] = n
			}
		case *ast.FuncLit:
			funcs = append(funcs, n)
			p.free[n] = p.freeVars(n)
		}
		return true
	})
	for _, fn := range funcs {
		var body *ast.BlockStmt
		name := ""
		switch f := fn.(type) {
		case *ast.FuncDecl:
			body, name = f.Body, f.Name.Name
		case *ast.FuncLit:
			body, name = f.Body, "func literal at "+p.Fset.Position(f.Pos()).String()
		}
		var ds []*ast.DeferStmt
		ast.Inspect(body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.DeferStmt:
				ds = append(ds, n)
			}
			return true
		})
		open := len(ds) > 0
		for _, d := range ds {
			k, ok := kinds[d]
			if !ok {
				return fmt.Errorf("%s: the strategy decider gave no strategy for this defer", p.Fset.Position(d.Pos()))
			}
			if k != strategy.OpenCoded && k != strategy.DeadCode {
				open = false
			}
		}
		p.open[fn] = open
		// walk sets the function's HasDefer for each defer statement it
		// compiles (the front end drops dead ones) and for the
		// deferrangefunc call of a loop whose body defers; ssagen then
		// calls deferreturn at every exit of a function that has one and
		// is not open-coded.
		for _, d := range ds {
			if kinds[d] != strategy.DeadCode && !open {
				p.linked[fn] = true
			}
		}
		slot := 0
		for _, d := range ds {
			pos := p.Fset.Position(d.Pos())
			def := Defer{Stmt: d, Pos: pos, Site: pos.String(), Kind: kinds[d], Slot: -1, Func: name}
			if open && def.Kind == strategy.OpenCoded {
				def.Slot = slot
				slot++
			}
			if slot > 8 {
				return fmt.Errorf("%s: the strategy decider open-coded more than 8 defers in %s", pos, name)
			}
			p.Defers = append(p.Defers, def)
		}
	}
	sort.SliceStable(p.Defers, func(i, j int) bool { return p.Defers[i].Stmt.Pos() < p.Defers[j].Stmt.Pos() })
	for i := range p.Defers {
		p.byStmt[p.Defers[i].Stmt] = &p.Defers[i]
	}
	return nil
}

// freeVars lists the local variables a function literal uses but does
// not declare: the variables it captures.
func (p *Program) freeVars(lit *ast.FuncLit) []*types.Var {
	seen := map[*types.Var]bool{}
	var vs []*types.Var
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		v, ok := p.Info.Uses[id].(*types.Var)
		if !ok || seen[v] || v.Parent() == p.Pkg.Scope() || v.IsField() || v.Pkg() != p.Pkg {
			return true
		}
		if v.Pos() >= lit.Pos() && v.Pos() < lit.End() {
			return true
		}
		seen[v] = true
		vs = append(vs, v)
		return true
	})
	return vs
}
