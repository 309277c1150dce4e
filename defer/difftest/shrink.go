package difftest

import (
	"bytes"
	"context"
	"go/ast"
	"go/format"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"sync"
)

// MaxShrinkRounds bounds the rounds of [Shrink]; each round is one batch
// build of its candidates.
const MaxShrinkRounds = 30

// shrinkCandidates is how many candidates a round tries at the most: the
// smallest ones, which are the largest deletions.
const shrinkCandidates = 48

// Shrink returns a smaller program on which the model and the real
// toolchain still disagree. Each round deletes one statement or function
// in every way that still type-checks, runs the smallest of those
// candidates as one batch, and keeps the smallest that still diverges; it
// stops when no candidate diverges. It returns p itself when nothing
// smaller diverges.
func Shrink(ctx context.Context, p Program, model Model) (Program, error) {
	cur := p
	for range MaxShrinkRounds {
		cands := deletions(cur)
		if len(cands) == 0 {
			break
		}
		slices.SortStableFunc(cands, func(a, b Program) int { return len(a.Src) - len(b.Src) })
		cands = cands[:min(len(cands), shrinkCandidates)]
		reals, err := RunReal(ctx, cands, 2)
		if err != nil {
			return cur, err
		}
		best := -1
		for i, c := range cands {
			if diffModel(c, reals[i], model) == nil {
				continue
			}
			if best < 0 || len(c.Src) < len(cands[best].Src) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		cur = cands[best]
	}
	cur.Name = p.Name + "-shrunk"
	return cur, nil
}

// deletions returns every program that is p with one statement or one
// function (not main) removed and that still type-checks.
func deletions(p Program) []Program {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.go", p.Src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	var out []Program
	try := func() {
		var buf bytes.Buffer
		if err := format.Node(&buf, fset, f); err != nil {
			return
		}
		src := tidy(buf.Bytes())
		if !typeChecks(src) {
			return
		}
		out = append(out, Program{Name: p.Name, Src: src})
	}
	// Whole functions first: they shrink the most.
	for i, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name == "main" {
			continue
		}
		decls := f.Decls
		f.Decls = append(append([]ast.Decl(nil), decls[:i]...), decls[i+1:]...)
		try()
		f.Decls = decls
	}
	var lists []*[]ast.Stmt
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			lists = append(lists, &n.List)
		case *ast.CaseClause:
			lists = append(lists, &n.Body)
		}
		return true
	})
	for _, l := range lists {
		orig := *l
		for j := range orig {
			*l = append(append([]ast.Stmt(nil), orig[:j]...), orig[j+1:]...)
			try()
		}
		*l = orig
	}
	return out
}

// tidy drops the blank lines that deleted statements leave behind, keeping
// one before each top-level declaration.
func tidy(src []byte) []byte {
	var b bytes.Buffer
	for _, l := range bytes.Split(src, []byte("\n")) {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		if bytes.HasPrefix(l, []byte("func ")) || bytes.HasPrefix(l, []byte("import ")) {
			b.WriteByte('\n')
		}
		b.Write(l)
		b.WriteByte('\n')
	}
	if out, err := format.Source(b.Bytes()); err == nil {
		return out
	}
	return src
}

var (
	imp     types.Importer
	impOnce sync.Once
	impMu   sync.Mutex
)

// typeChecks reports whether src is a valid package main: go/types, like
// the compiler, rejects unused variables and labels and gotos over
// declarations.
func typeChecks(src []byte) bool {
	impOnce.Do(func() { imp = importer.ForCompiler(token.NewFileSet(), "source", nil) })
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "main.go", src, 0)
	if err != nil {
		return false
	}
	impMu.Lock()
	defer impMu.Unlock()
	conf := types.Config{Importer: imp}
	_, err = conf.Check("main", fset, []*ast.File{f}, nil)
	return err == nil
}
