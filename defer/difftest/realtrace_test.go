package difftest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/interp"
	"github.com/deferio/deferio/defer/realtrace"
	"github.com/deferio/deferio/internal/testenv"
)

// realPrograms are programs of defer/interp/testdata/progs whose model
// trace agrees step by step with the real runtime's.
var realPrograms = []string{
	"lifo", "loop_heap", "panic_in_defer_recovered", "goroutine_recover", "deferred_method_value", "pool_churn", "closure", "os_exit",
	"mixed_frames", "eight_defers", "named_result", "nested_panic_levels",
	"linked_defer_not_run", "rangefunc_protocol", "goexit", "error_method_panics",
}

// TestRealTraceAgrees runs a handful of programs on the model and, with
// package realtrace, on the real runtime, and compares the event
// sequences: kind, order, frame, strategy and list length at each step.
func TestRealTraceAgrees(t *testing.T) {
	testenv.NeedGo(t)
	for _, name := range realPrograms {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "interp", "testdata", "progs", name+".go")
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			prog, err := interp.Load("main.go", src, nil)
			if err != nil {
				t.Fatal(err)
			}
			model, err := prog.Run(interp.Options{Trace: true})
			if err != nil {
				t.Fatal(err)
			}
			real, err := realtrace.Trace(context.Background(), src, realtrace.Options{})
			if errors.Is(err, realtrace.ErrUnavailable) {
				testenv.Need(t, "ptrace", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			if real.Stdout != model.Stdout || real.Status != model.Status {
				t.Errorf("output or status differ: model %q %d, real %q %d", model.Stdout, model.Status, real.Stdout, real.Status)
			}
			d := CompareEvents(model.Events, real.Events)
			if d.First >= 0 {
				logSideBySide(t, d)
				t.Errorf("step %d differs: %v", d.First, d.Diffs)
			}
			t.Logf("%d steps agree", len(d.Real))
		})
	}
}

var (
	flagRealN    = flag.Int("real-programs", 0, "generated programs to trace on the real runtime and compare step by step")
	flagRealData = flag.Bool("real-testdata", false, "trace every program of defer/interp/testdata/progs and testdata/divergences too")
	flagRealOnly = flag.String("real-only", "", "with -real-testdata, only the programs whose name matches this regular expression")
)

// TestRealTraceDifferential compares the model's steps with the real
// runtime's on -real-programs generated programs (from -seed) and, with
// -real-testdata, on every testdata program. A difference that a known
// limit explains is logged; any other fails the test (shrunk, with
// -save, into testdata/realdivergences).
func TestRealTraceDifferential(t *testing.T) {
	testenv.NeedGo(t)
	var progs []Program
	only, err := regexp.Compile(*flagRealOnly)
	if err != nil {
		t.Fatal(err)
	}
	if *flagRealData {
		for _, pattern := range []string{filepath.Join("..", "interp", "testdata", "progs", "*.go"), filepath.Join("testdata", "divergences", "*.go")} {
			files, err := filepath.Glob(pattern)
			if err != nil || len(files) == 0 {
				t.Fatalf("no programs match %s: %v", pattern, err)
			}
			for _, f := range files {
				if !only.MatchString(f) {
					continue
				}
				src, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				progs = append(progs, Program{Name: filepath.Join(filepath.Base(filepath.Dir(f)), filepath.Base(f)), Src: src})
			}
		}
	}
	for i := range *flagRealN {
		seed := *flagSeed + uint64(i)
		progs = append(progs, Program{Name: fmt.Sprintf("seed-%d", seed), Src: Generate(seed, GenConfig{})})
	}
	rep, err := CompareReal(context.Background(), progs, RealConfig{Shrink: *flagSave, Log: testLog{t}})
	if errors.Is(err, realtrace.ErrUnavailable) {
		testenv.Need(t, "ptrace", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(rep.Summary())
	t.Logf("%d steps compared on the programs that agree", rep.Steps)
	for _, l := range rep.Limits {
		t.Logf("%s: step %d: %s (known limit: %s)", l.Program.Name, l.Diff.First, strings.Join(l.Diff.Diffs, "; "), l.Limit)
	}
	var saved []Divergence
	for _, d := range rep.Divergences {
		logSideBySide(t, d.Diff)
		t.Errorf("%s\n%s", d, d.Program.Src)
		if d.Shrunk != nil {
			t.Logf("shrunk to:\n%s", d.Shrunk.Src)
		}
		saved = append(saved, Divergence{Program: d.Program, Shrunk: d.Shrunk})
	}
	if *flagSave && len(saved) > 0 {
		dir := filepath.Join("testdata", "realdivergences")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := Save(dir, saved); err != nil {
			t.Error(err)
		}
	}
}

// logSideBySide logs the model's and the real runtime's steps in two
// columns.
func logSideBySide(t *testing.T, d TraceDiff) {
	t.Helper()
	for i := range d.Rows() {
		m, r := d.Row(i)
		mark := " "
		if i == d.First {
			mark = ">"
		}
		t.Logf("%s%3d %-60s | %s", mark, i, m, r)
	}
}
