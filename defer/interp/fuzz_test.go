package interp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/interp"
)

// FuzzLoadRun checks that no source, valid or not, makes Load or Run
// panic, and that runs end (the step and depth limits).
func FuzzLoadRun(f *testing.F) {
	files, _ := filepath.Glob("testdata/progs/*.go")
	for _, name := range files[:min(len(files), 12)] {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("package main\nfunc main() { for { defer func(){}() } }\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		p, err := interp.Load("fuzz.go", src, nil)
		if err != nil {
			return
		}
		res, err := p.Run(interp.Options{StepLimit: 20000, MaxDepth: 200})
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("the interpreter failed on a program it accepted: %v\n%s", err, src)
			}
			return
		}
		if res.Status < 0 || res.Status > 255 {
			t.Errorf("exit status %d", res.Status)
		}
	})
}

// TestLineDeletions deletes each line of each test program in turn: the
// programs that still load must run without an internal error.
func TestLineDeletions(t *testing.T) {
	files, _ := filepath.Glob("testdata/progs/*.go")
	ran := 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(src), "\n")
		for i := range lines {
			mut := strings.Join(append(append([]string{}, lines[:i]...), lines[i+1:]...), "\n")
			p, err := interp.Load("mut.go", []byte(mut), nil)
			if err != nil {
				continue
			}
			ran++
			if _, err := p.Run(interp.Options{StepLimit: 100000}); err != nil && strings.Contains(err.Error(), "internal error") {
				t.Errorf("%s without line %d: %v", name, i+1, err)
			}
		}
	}
	if ran < 100 {
		t.Errorf("only %d mutated programs loaded", ran)
	}
}
