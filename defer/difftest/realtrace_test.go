package difftest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
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
				for i := range max(len(d.Model), len(d.Real)) {
					var m, r string
					if i < len(d.Model) {
						m = d.Model[i].String()
					}
					if i < len(d.Real) {
						r = d.Real[i].String()
					}
					t.Logf("%3d %-60s | %s", i, m, r)
				}
				t.Errorf("step %d differs: %v", d.First, d.Diffs)
			}
			t.Logf("%d steps agree", len(d.Real))
		})
	}
}
