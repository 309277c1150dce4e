package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/deferio/deferio/defer/strategy"
)

// HistoricStrategies returns a [StrategyFunc] for an older Go release,
// to compare what the same program cost before open-coded and stack
// defers existed. It maps the Go 1.26 decisions of [DecideStrategies]:
//
//   - "1.12": every defer is heap-allocated (deferproc, pools);
//   - "1.13": open-coded defers become stack-allocated (deferprocStack
//     arrived in 1.13, open coding in 1.14);
//   - "1.14" and later: the Go 1.26 decisions.
//
// Only the strategies change: the runtime steps stay those of Go 1.26
// (1.12-1.21 copied arguments after the record and ran open-coded
// defers during panics with runOpenDeferFrame, which the model does not
// reproduce), and so do the modelled costs.
func HistoricStrategies(version string) (StrategyFunc, error) {
	var remap func(strategy.Kind) strategy.Kind
	switch version {
	case "1.12":
		remap = func(k strategy.Kind) strategy.Kind {
			if k == strategy.DeadCode {
				return k
			}
			return strategy.HeapAllocated
		}
	case "1.13":
		remap = func(k strategy.Kind) strategy.Kind {
			if k == strategy.OpenCoded {
				return strategy.StackAllocated
			}
			return k
		}
	case "1.14", "1.26", "":
		return DecideStrategies, nil
	default:
		return nil, fmt.Errorf("unable to model Go %q: the versions are 1.12 (heap only), 1.13 (heap and stack) and 1.14 or 1.26 (open-coded too)", version)
	}
	return func(fset *token.FileSet, file *ast.File, info *types.Info) (map[*ast.DeferStmt]strategy.Kind, error) {
		m, err := DecideStrategies(fset, file, info)
		if err != nil {
			return nil, err
		}
		for d, k := range m {
			m[d] = remap(k)
		}
		return m, nil
	}, nil
}
