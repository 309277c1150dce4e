// Package containerbench compares the start latency of nsinit (package
// container) with runc's on the same bundle: `run` of toybox's `true`,
// create, start, wait and delete included, side by side in one process.
//
//	cd benchmarks && go test -bench . -count 10 ./containerbench | tee new.txt
//	benchstat -col /runtime new.txt
//
// It needs root and Debian's runc (apt-get install -y runc); without them
// it skips, or fails when CI=true.
package containerbench

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var (
	setupOnce sync.Once
	setupErr  error
	work      string
	nsinitBin string
	runcBin   string
	bundleDir string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if work != "" {
		if err := deleteLeftovers(); err != nil {
			fmt.Fprintln(os.Stderr, "containerbench:", err)
			code = 1
		}
		os.RemoveAll(work)
	}
	os.Exit(code)
}

// deleteLeftovers force-deletes every container still recorded in the
// state roots (a run that failed, or a benchmark stopped half-way), with
// the runtime that made it: removing the state roots alone would leave
// their cgroups (/sys/fs/cgroup/*/deferio/bench-PID-N) on the host.
func deleteLeftovers() error {
	var errs []error
	for _, rt := range []struct{ bin, root string }{
		{nsinitBin, filepath.Join(work, "nsinit-state")},
		{runcBin, filepath.Join(work, "runc-state")},
	} {
		entries, _ := os.ReadDir(rt.root)
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			if out, err := exec.Command(rt.bin, "--root", rt.root, "delete", "--force", e.Name()).CombinedOutput(); err != nil {
				errs = append(errs, fmt.Errorf("%s delete --force %s: %v\n%s", filepath.Base(rt.bin), e.Name(), err, out))
			}
		}
	}
	return errors.Join(errs...)
}

// setup builds nsinit and toybox from the main module, and a bundle whose
// process is `true`.
func setup(b testing.TB) {
	b.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			b.Fatal("the container benchmarks need root, and CI=true")
		}
		b.Skip("the container benchmarks need root")
	}
	setupOnce.Do(func() {
		runcBin, setupErr = exec.LookPath("runc")
		if setupErr != nil {
			setupErr = fmt.Errorf("runc is not installed (apt-get install -y runc): %w", setupErr)
			return
		}
		if work, setupErr = os.MkdirTemp("", "containerbench-"); setupErr != nil {
			return
		}
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			setupErr = err
			return
		}
		nsinitBin = filepath.Join(work, "nsinit")
		toybox := filepath.Join(work, "toybox")
		for _, c := range []struct{ out, pkg, cgo string }{
			{nsinitBin, "./cmd/nsinit", "1"}, {toybox, "./cmd/toybox", "0"},
		} {
			cmd := exec.Command("go", "build", "-o", c.out, c.pkg)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "CGO_ENABLED="+c.cgo)
			if out, err := cmd.CombinedOutput(); err != nil {
				setupErr = fmt.Errorf("go build %s: %v\n%s", c.pkg, err, out)
				return
			}
		}
		bundleDir = filepath.Join(work, "bundle")
		if out, err := exec.Command(nsinitBin, "bundle", "--toybox", toybox, bundleDir, "true").CombinedOutput(); err != nil {
			setupErr = fmt.Errorf("nsinit bundle: %v\n%s", err, out)
		}
	})
	if setupErr != nil {
		if os.Getenv("CI") == "true" {
			b.Fatal(setupErr)
		}
		b.Skip(setupErr)
	}
}

var seq int

// runOnce runs one container to completion with the given runtime.
func runOnce(b testing.TB, runtime string) time.Duration {
	seq++
	id := fmt.Sprintf("bench-%d-%d", os.Getpid(), seq)
	var cmd *exec.Cmd
	switch runtime {
	case "nsinit":
		cmd = exec.Command(nsinitBin, "--root", filepath.Join(work, "nsinit-state"), "run", "--bundle", bundleDir, id)
	case "runc":
		cmd = exec.Command(runcBin, "--root", filepath.Join(work, "runc-state"), "run", "--bundle", bundleDir, id)
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		b.Fatalf("%s run: %v\n%s", runtime, err, out)
	}
	if runtime == "nsinit" {
		// run deletes the container when its process exits: nothing of
		// it may stay on the host.
		if left, _ := filepath.Glob("/sys/fs/cgroup/*/deferio/" + id); len(left) > 0 {
			b.Fatalf("nsinit run %s left cgroups behind: %v", id, left)
		}
	}
	return d
}

// BenchmarkRun times `run` of /bin/true per runtime: benchstat -col /runtime.
func BenchmarkRun(b *testing.B) {
	setup(b)
	for _, rt := range []string{"nsinit", "runc"} {
		b.Run("runtime="+rt, func(b *testing.B) {
			for b.Loop() {
				runOnce(b, rt)
			}
		})
	}
}

// BenchmarkRatio alternates the two runtimes in one loop, so that both see
// the same machine load, and reports nsinit's time over runc's.
func BenchmarkRatio(b *testing.B) {
	setup(b)
	var ns, rc time.Duration
	for b.Loop() {
		ns += runOnce(b, "nsinit")
		rc += runOnce(b, "runc")
	}
	b.ReportMetric(float64(ns.Milliseconds())/float64(b.N), "nsinit-ms/op")
	b.ReportMetric(float64(rc.Milliseconds())/float64(b.N), "runc-ms/op")
	b.ReportMetric(float64(ns)/float64(rc), "ratio")
}

// TestBothRuntimesRunTheBundle is the short check run by go test: both
// runtimes accept the same bundle and run it.
func TestBothRuntimesRunTheBundle(t *testing.T) {
	setup(t)
	for _, rt := range []string{"nsinit", "runc"} {
		runOnce(t, rt)
	}
}
