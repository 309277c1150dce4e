package difftest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deferio/deferio/internal/gorun"
)

var (
	flagN    = flag.Int("programs", 200, "generated programs to compare")
	flagSeed = flag.Uint64("seed", 1, "seed of the first generated program")
	flagSave = flag.Bool("save", false, "shrink each divergence and save it under testdata/divergences")
)

// TestDifferential compares the model with the real toolchain on -programs
// generated programs (200 by default; `make difftest N=10000` for more).
func TestDifferential(t *testing.T) {
	cfg := Config{N: *flagN, Seed: *flagSeed, Shrink: *flagSave, Log: testLog{t}}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d defers compared; compiler's strategies %v; exit statuses %v", rep.Defers, rep.Strategies, rep.Exits)
	fmt.Println(rep.Summary())
	if *flagSave && len(rep.Divergences) > 0 {
		if err := Save(filepath.Join("testdata", "divergences"), rep.Divergences); err != nil {
			t.Error(err)
		}
	}
	for i, d := range rep.Divergences {
		if i == 10 {
			t.Errorf("... and %d more", len(rep.Divergences)-10)
			break
		}
		t.Errorf("%s\n%s", d, d.Program.Src)
	}
}

type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// TestSavedDivergences runs the programs on which the model once
// disagreed with the toolchain: each must now agree.
func TestSavedDivergences(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "divergences", "*.go"))
	if len(files) == 0 {
		t.Skip("no saved divergences")
	}
	var progs []Program
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		progs = append(progs, Program{Name: filepath.Base(f), Src: src})
	}
	rep, err := Compare(context.Background(), progs, Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rep.Divergences {
		t.Error(d)
	}
}

// TestGoPeerSuite runs Go's own defer and recover tests on the model and
// the toolchain, and lists those that do not fit the model's subset.
func TestGoPeerSuite(t *testing.T) {
	goroot, err := gorun.GOROOT(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fit, misfits, err := PeerPrograms(goroot)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range misfits {
		t.Logf("does not fit: test/%s: %s", m.File, m.Reason)
	}
	t.Logf("%d of %d of Go's tests fit the model", len(fit), len(PeerFiles))
	// 12 of the 17 fit: what keeps each other one out is logged above.
	if len(fit) < 12 {
		t.Errorf("%d of Go's %d defer and recover tests fit the model, want at least 12", len(fit), len(PeerFiles))
	}
	rep, err := Compare(context.Background(), fit, Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rep.Divergences {
		t.Error(d)
	}
}
