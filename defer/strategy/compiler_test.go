package strategy_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/defer/strategy/agreement"
)

// testModule copies the packages of testdata/src into a new module, so
// that the real compiler can build them.
func testModule(t *testing.T, pkgs ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		src := filepath.Join("testdata", "src", p)
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, p), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			// Imports between testdata packages become module paths.
			b = []byte(strings.ReplaceAll(string(b), `"testdata/`, `"example.com/m/`))
			if err := os.WriteFile(filepath.Join(dir, p, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// TestCompilerAgrees builds the analysistest packages with the real
// compiler's -d=defer and checks that it agrees with Decide on every
// defer.
func TestCompilerAgrees(t *testing.T) {
	for _, tc := range []struct {
		name string
		pkgs []string
		cfg  strategy.Config
	}{
		{"default", []string{"errcheck", "loops", "counts", "deadcode", "closures", "results", "rangefunc", "inlining"}, strategy.Config{}},
		{"N", []string{"noopt"}, strategy.Config{NoOptimize: true}},
		// -l: the callees stay apart, and every defer of package
		// inlining that the inliner made heap or stack is open-coded.
		{"l", []string{"inlining"}, strategy.Config{NoInline: true}},
		// -N alone still inlines.
		{"N-inlining", []string{"inlining"}, strategy.Config{NoOptimize: true}},
		{"noopendefer", []string{"noopen"}, strategy.Config{NoOpenDefer: true}},
		{"race", []string{"race"}, strategy.Config{Race: true}},
		{"shared386", []string{"shared386"}, strategy.Config{GOARCH: "386", Shared: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cfg.Race && !raceSupported(t) {
				t.Skip("-race needs cgo and a C compiler")
			}
			dir := testModule(t, tc.pkgs...)
			var out strings.Builder
			sum, err := agreement.Run(context.Background(), &out, agreement.Options{Dir: dir, Patterns: []string{"./..."}, Config: tc.cfg, NoRebuild: true})
			if err != nil {
				t.Fatal(err)
			}
			if tc.cfg.Race && sum.Defers != 4 {
				t.Errorf("want the 4 defers of package race, tagged.go (//go:build race) included; got %d", sum.Defers)
			}
			if sum.Agree != sum.Defers || sum.Defers == 0 {
				t.Errorf("compiler and Decide disagree:\n%s", out.String())
			}
			t.Logf("\n%s", out.String())
		})
	}
}

// cgoSrc has defers in a file that imports "C": the compiler compiles
// cgo's rewritten copy, whose //line directives point back here.
const cgoSrc = `package c

// #include <stdlib.h>
import "C"

import "unsafe"

func Alloc(n int, xs []int) {
	p := C.malloc(C.size_t(n))
	defer C.free(p)
	for range xs {
		q := C.malloc(1)
		defer C.free(unsafe.Pointer(q))
	}
}

func One() {
	p := C.malloc(1)
	defer C.free(p)
}
`

func TestCompilerAgreesCgo(t *testing.T) {
	if !raceSupported(t) { // same needs: cgo and gcc
		t.Skip("cgo needs CGO_ENABLED=1 and gcc")
	}
	dir := t.TempDir()
	for name, text := range map[string]string{"go.mod": "module example.com/c\n\ngo 1.26\n", "c.go": cgoSrc} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	sum, err := agreement.Run(context.Background(), &out, agreement.Options{Dir: dir, Patterns: []string{"./..."}, NoRebuild: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Defers != 3 || sum.Agree != 3 {
		t.Errorf("want 3/3 defers in the cgo file:\n%s", out.String())
	}
}
