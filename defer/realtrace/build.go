package realtrace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/deferio/deferio/defer/internal/deferlines"
	"github.com/deferio/deferio/internal/gorun"
)

// A built program: the module it lives in, its probed binary and the
// compiler's report of its defer strategies.
type built struct {
	mod        *gorun.Module
	bin        string
	strategies []deferlines.Line
}

// build writes src into a new module and compiles it against the probed
// runtime (go build -overlay) with -gcflags=-d=defer.
func build(ctx context.Context, src []byte) (*built, error) {
	goroot, err := gorun.GOROOT(ctx)
	if err != nil {
		return nil, err
	}
	mod, err := gorun.NewModule(src)
	if err != nil {
		return nil, err
	}
	// A directory whose name starts with a dot is no package of the module.
	dir := filepath.Join(mod.Dir, ".probes")
	if err := os.Mkdir(dir, 0o755); err != nil {
		mod.Close()
		return nil, fmt.Errorf("unable to create the overlay directory: %w", err)
	}
	overlay, err := writeOverlay(goroot, dir)
	if err != nil {
		mod.Close()
		return nil, err
	}
	bin := filepath.Join(mod.Dir, "prog")
	out, err := mod.Go(ctx, "build", "-o", bin, "-overlay", overlay, "-gcflags=-d=defer", ".")
	if err != nil {
		mod.Close()
		return nil, fmt.Errorf("unable to build the program with the probed runtime: %w", err)
	}
	lines, err := deferlines.Parse(out)
	if err != nil {
		mod.Close()
		return nil, err
	}
	return &built{mod: mod, bin: bin, strategies: lines}, nil
}
