package agreement_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/defer/strategy/agreement"
)

// samplePkgs are standard library packages that import no internal
// package, so their source builds unchanged as packages of another
// module; between them they have defers of every kind, named results
// whose address is passed to a deferred call, and closures.
var samplePkgs = []string{"text/tabwriter", "text/template/parse", "database/sql", "net/rpc", "encoding/csv"}

// copyStd copies the non-test Go files of std packages into a new module
// (example.com/std/<path>), where the compiler must compile them afresh.
func copyStd(t *testing.T, pkgs []string) string {
	t.Helper()
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/std\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		src := filepath.Join(strings.TrimSpace(string(goroot)), "src", p)
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, p)
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// TestStdSample is the short agreement run of the normal tests: a few
// standard library packages, built afresh by the real compiler with
// -d=defer, must agree with the model on every defer.
func TestStdSample(t *testing.T) {
	dir := copyStd(t, samplePkgs)
	for _, tc := range []struct {
		name string
		cfg  strategy.Config
	}{
		{"default", strategy.Config{}},
		{"race", strategy.Config{Race: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cfg.Race && !raceSupported(t) {
				t.Skip("-race needs cgo and gcc")
			}
			var out strings.Builder
			sum, err := agreement.Run(context.Background(), &out, agreement.Options{Dir: dir, Patterns: []string{"./..."}, Config: tc.cfg, NoRebuild: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("\n%s", out.String())
			if sum.Defers < 40 {
				t.Errorf("only %d defers compared; the sample should have more than 40", sum.Defers)
			}
			if sum.Agree != sum.Defers {
				t.Errorf("agreement %d/%d:\n%s", sum.Agree, sum.Defers, out.String())
			}
			if !strings.HasSuffix(out.String(), fmt.Sprintf("agreement: %d/%d defers\n", sum.Agree, sum.Defers)) {
				t.Errorf("the report does not end with the agreement line:\n%s", out.String())
			}
		})
	}
}

// raceSupported reports whether this machine can build with -race: cgo
// on and a C compiler present. Under CI=true it must.
func raceSupported(t *testing.T) bool {
	out, err := exec.Command("go", "env", "CGO_ENABLED").Output()
	_, ccErr := exec.LookPath("gcc")
	ok := err == nil && strings.TrimSpace(string(out)) == "1" && ccErr == nil
	if !ok && os.Getenv("CI") == "true" {
		t.Fatalf("-race builds need cgo and gcc (apt-get install gcc): CGO_ENABLED=%s, gcc: %v", strings.TrimSpace(string(out)), ccErr)
	}
	return ok
}
