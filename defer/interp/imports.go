package interp

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"
	"strings"
)

// The subset's library: the only imports and the only names in them. The
// packages are built here with exactly these signatures, so type
// checking needs no export data and is fast.
var library = map[string][]string{
	"fmt":     {"Errorf", "Print", "Printf", "Println", "Sprint", "Sprintf", "Sprintln"},
	"errors":  {"New"},
	"os":      {"Exit"},
	"runtime": {"Goexit", "Gosched"},
	"sync":    {"Mutex", "Once", "RWMutex", "WaitGroup"},
}

type subsetImporter struct{ pkgs map[string]*types.Package }

func (im *subsetImporter) Import(path string) (*types.Package, error) {
	if p, ok := im.pkgs[path]; ok {
		return p, nil
	}
	names := make([]string, 0, len(library))
	for k := range library {
		names = append(names, k)
	}
	slices.Sort(names)
	return nil, fmt.Errorf("package %q is outside the subset (it has %s)", path, strings.Join(names, ", "))
}

func newSubsetImporter() *subsetImporter {
	anyT := types.Universe.Lookup("any").Type()
	errT := types.Universe.Lookup("error").Type()
	intT, strT := types.Typ[types.Int], types.Typ[types.String]
	v := func(name string, t types.Type) *types.Var { return types.NewParam(token.NoPos, nil, name, t) }
	tuple := func(vs ...*types.Var) *types.Tuple { return types.NewTuple(vs...) }
	dots := v("a", types.NewSlice(anyT))
	nErr := tuple(v("n", intT), v("err", errT))
	im := &subsetImporter{pkgs: map[string]*types.Package{}}
	add := func(path string, fns map[string]*types.Signature) {
		p := types.NewPackage(path, path)
		for name, sig := range fns {
			p.Scope().Insert(types.NewFunc(token.NoPos, p, name, sig))
		}
		p.MarkComplete()
		im.pkgs[path] = p
	}
	sig := func(params, results *types.Tuple, variadic bool) *types.Signature {
		return types.NewSignatureType(nil, nil, nil, params, results, variadic)
	}
	add("fmt", map[string]*types.Signature{
		"Println":  sig(tuple(dots), nErr, true),
		"Print":    sig(tuple(dots), nErr, true),
		"Printf":   sig(tuple(v("format", strT), dots), nErr, true),
		"Sprint":   sig(tuple(dots), tuple(v("", strT)), true),
		"Sprintln": sig(tuple(dots), tuple(v("", strT)), true),
		"Sprintf":  sig(tuple(v("format", strT), dots), tuple(v("", strT)), true),
		"Errorf":   sig(tuple(v("format", strT), dots), tuple(v("", errT)), true),
	})
	add("errors", map[string]*types.Signature{"New": sig(tuple(v("text", strT)), tuple(v("", errT)), false)})
	add("os", map[string]*types.Signature{"Exit": sig(tuple(v("code", intT)), nil, false)})
	add("runtime", map[string]*types.Signature{"Goexit": sig(nil, nil, false), "Gosched": sig(nil, nil, false)})
	im.pkgs["sync"] = syncPackage()
	return im
}
