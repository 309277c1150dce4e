package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunScript runs benchmarks/run.sh, what make bench calls, for one
// round of two kernels, and checks the files it leaves: the raw results,
// benchstat's summary, the report and the chart.
func TestRunScript(t *testing.T) {
	if testing.Short() {
		t.Skip("runs benchmarks and builds benchstat; skipped in -short")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("bash is needed for run.sh: %v", err)
		}
		t.Skipf("bash is needed for run.sh: %v", err)
	}
	out := filepath.Join(t.TempDir(), "bench")
	cmd := exec.Command(bash, "../../run.sh")
	cmd.Env = append(os.Environ(), "COUNT=1", "OUT="+out, "BENCH=Defer/kernel=(direct|heap-loop)/")
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("run.sh: %v\n%s", err, b)
	}
	for _, name := range []string{"raw.txt", "benchstat.txt", "report.md", "chart.svg", "chart.png"} {
		fi, err := os.Stat(filepath.Join(out, name))
		if err != nil || fi.Size() == 0 {
			t.Errorf("run.sh left no %s: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "deferbench.test")); err == nil {
		t.Error("run.sh left its test binary behind")
	}
	for _, want := range []string{"x direct", "heap-loop", "report.md"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("run.sh did not print %q:\n%s", want, b)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(out, "raw.txt"))
	if !strings.HasPrefix(string(raw), "goversion: go") {
		t.Errorf("raw.txt does not start with the Go version:\n%.200s", raw)
	}
	cmd = exec.Command(bash, "../../run.sh")
	cmd.Env = append(os.Environ(), "COUNT=zero", "OUT="+out)
	if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "COUNT must be") {
		t.Errorf("COUNT=zero: %v\n%s", err, b)
	}
}
