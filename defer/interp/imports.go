package interp

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"math"
	"slices"
	"strings"
)

// The subset's library: the only imports and the only names in them. The
// packages are built here with exactly these signatures, so type
// checking needs no export data and is fast.
var library = map[string][]string{
	"fmt":     {"Stringer"},
	"io":      {"Writer"},
	"sort":    {"Interface"},
	"strings": {"Builder"},
	"math":    {"MaxInt", "MaxInt64", "MinInt", "MinInt64", "Pi"},
	"os":      {"Exit", "File", "Stderr", "Stdout"},
	"runtime": {"Breakpoint", "Error", "GC", "Goexit", "Gosched"},
	"sync":    {"Mutex", "Once", "RWMutex", "WaitGroup"},
}

// mathConsts are math's constants in the library.
var mathConsts = map[string]struct {
	kind types.BasicKind
	v    constant.Value
}{
	"Pi":       {types.UntypedFloat, constant.MakeFloat64(math.Pi)},
	"MaxInt":   {types.UntypedInt, constant.MakeInt64(math.MaxInt)},
	"MinInt":   {types.UntypedInt, constant.MakeInt64(math.MinInt)},
	"MaxInt64": {types.UntypedInt, constant.MakeInt64(math.MaxInt64)},
	"MinInt64": {types.UntypedInt, constant.MakeInt64(math.MinInt64)},
}

type subsetImporter struct{ pkgs map[string]*types.Package }

func (im *subsetImporter) Import(path string) (*types.Package, error) {
	if p, ok := im.pkgs[path]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("package %q is outside the subset (it has %s)", path, libraryPaths())
}

// libraryPaths lists the library's packages.
func libraryPaths() string {
	names := make([]string, 0, len(library))
	for k := range library {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func newSubsetImporter() *subsetImporter {
	intT := types.Typ[types.Int]
	v := func(name string, t types.Type) *types.Var { return types.NewParam(token.NoPos, nil, name, t) }
	tuple := func(vs ...*types.Var) *types.Tuple { return types.NewTuple(vs...) }
	im := &subsetImporter{pkgs: map[string]*types.Package{}}
	add := func(path string, fns map[string]*types.Signature) {
		p := im.pkgs[path]
		if p == nil {
			p = types.NewPackage(path, path)
		}
		for name, sig := range fns {
			p.Scope().Insert(types.NewFunc(token.NoPos, p, name, sig))
		}
		im.pkgs[path] = p
	}
	sig := func(params, results *types.Tuple, variadic bool) *types.Signature {
		return types.NewSignatureType(nil, nil, nil, params, results, variadic)
	}
	lt := newLibTypes()
	// sort.Interface, which sort.Sort's signature names.
	sortPkg := types.NewPackage("sort", "sort")
	im.pkgs["sort"] = sortPkg
	boolT := types.Typ[types.Bool]
	sortMethods := []*types.Func{
		types.NewFunc(token.NoPos, sortPkg, "Len", sig(nil, tuple(v("", intT)), false)),
		types.NewFunc(token.NoPos, sortPkg, "Less", sig(tuple(v("i", intT), v("j", intT)), tuple(v("", boolT)), false)),
		types.NewFunc(token.NoPos, sortPkg, "Swap", sig(tuple(v("i", intT), v("j", intT)), nil, false)),
	}
	lt.sortIface = namedInterface(sortPkg, "Interface", sortMethods, nil)
	for path, fns := range libFuncs {
		sigs := map[string]*types.Signature{}
		for name, f := range fns {
			sigs[name] = f.sig(lt)
		}
		add(path, sigs)
	}
	// fmt.Stringer, and math's constants.
	fmtPkg := im.pkgs["fmt"]
	str := types.NewSignatureType(nil, nil, nil, nil, tuple(v("", types.Typ[types.String])), false)
	namedInterface(fmtPkg, "Stringer", []*types.Func{types.NewFunc(token.NoPos, fmtPkg, "String", str)}, nil)
	mathPkg := im.pkgs["math"]
	for name, val := range mathConsts {
		mathPkg.Scope().Insert(types.NewConst(token.NoPos, mathPkg, name, types.Typ[val.kind], val.v))
	}
	add("os", map[string]*types.Signature{"Exit": sig(tuple(v("code", intT)), nil, false)})
	add("runtime", map[string]*types.Signature{"Goexit": sig(nil, nil, false), "Gosched": sig(nil, nil, false), "GC": sig(nil, nil, false), "Breakpoint": sig(nil, nil, false)})
	// runtime.Error: interface { error; RuntimeError() }.
	rt := im.pkgs["runtime"]
	namedInterface(rt, "Error", []*types.Func{types.NewFunc(token.NoPos, rt, "RuntimeError", sig(nil, nil, false))},
		[]types.Type{types.Universe.Lookup("error").Type()})
	im.pkgs["sync"] = syncPackage()
	im.pkgs["io"] = ioPackage
	im.pkgs["time"] = timePackage()
	addWriters(im.pkgs["strings"], im.pkgs["os"])
	for _, p := range im.pkgs {
		p.MarkComplete()
	}
	return im
}
