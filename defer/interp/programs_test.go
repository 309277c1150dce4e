package interp_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/deferio/deferio/defer/interp"
	"github.com/deferio/deferio/defer/interp/toolchain"
	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/defer/strategy/compiler"
	"github.com/deferio/deferio/internal/gorun"
	"github.com/deferio/deferio/internal/testenv"
)

// loadPrograms reads testdata/progs.
func loadPrograms(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/progs/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no programs in testdata/progs: %v", err)
	}
	progs := map[string][]byte{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		progs[strings.TrimSuffix(filepath.Base(f), ".go")] = src
	}
	return progs
}

// TestProgramsMatchToolchain runs every program of testdata/progs with the
// model and with the real toolchain: stdout, exit status and the panic
// line must be identical, and every defer's model strategy must be the
// compiler's -d=defer verdict.
func TestProgramsMatchToolchain(t *testing.T) {
	testenv.NeedGo(t)
	progs := loadPrograms(t)
	if len(progs) < 40 {
		t.Errorf("only %d programs in testdata/progs, want at least 40", len(progs))
	}
	ctx := context.Background()
	build, err := toolchain.BuildAll(ctx, progs)
	if err != nil {
		t.Fatal(err)
	}
	defer build.Close()
	real := map[string]gorun.Result{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for name, p := range build.Binaries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			res, err := p.Run(ctx)
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			mu.Lock()
			real[name] = res
			mu.Unlock()
		}()
	}
	wg.Wait()
	for name, src := range progs {
		t.Run(name, func(t *testing.T) {
			prog, err := interp.Load(name+".go", src, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := prog.Run(interp.Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := real[name]
			if got.Stdout != want.Stdout {
				t.Errorf("stdout:\nmodel:\n%s\ntoolchain:\n%s", got.Stdout, want.Stdout)
			}
			if got.Status != want.ExitCode {
				t.Errorf("exit status: model %d, toolchain %d", got.Status, want.ExitCode)
			}
			if got.PanicLine != want.PanicLine() {
				t.Errorf("panic line:\nmodel:     %q\ntoolchain: %q", got.PanicLine, want.PanicLine())
			}
			if !strings.HasPrefix(pcZero.ReplaceAllString(want.Stderr, "pc=0x0"), panicBlock(got.Stderr)) {
				t.Errorf("stderr:\nmodel:\n%s\ntoolchain:\n%s", got.Stderr, want.Stderr)
			}
			bin := build.Binaries[name]
			modelKinds := compiler.Report{}
			for _, d := range prog.Defers {
				if d.Kind == strategy.DeadCode {
					continue
				}
				modelKinds[compiler.Pos{File: bin.File, Line: d.Pos.Line, Col: d.Pos.Column}] = d.Kind
			}
			if a, b := fmtStrategies(modelKinds), fmtStrategies(bin.Strategies); a != b {
				t.Errorf("strategies:\nmodel:\n%s\ncompiler:\n%s", a, b)
			}
		})
	}
}

var pcZero = regexp.MustCompile(`pc=0x[0-9a-f]+`)

// panicBlock is the model's stderr up to its (unmodelled) stack trace.
func panicBlock(stderr string) string {
	before, _, _ := strings.Cut(stderr, "\ngoroutine ")
	return before
}

func fmtStrategies(r compiler.Report) string {
	var b strings.Builder
	for _, pos := range r.Positions() {
		fmt.Fprintf(&b, "%d:%d: %s\n", pos.Line, pos.Col, r[pos])
	}
	return b.String()
}
