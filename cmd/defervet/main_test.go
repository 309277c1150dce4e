package main_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// build compiles defervet into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "defervet")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

const prog = `package p

func Open() {
	defer println("free")
}

func Loop(xs []int) {
	for range xs {
		defer println("heap")
	}
}
`

// module writes a one-package module and returns its directory.
func module(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"go.mod": "module example.com/p\n\ngo 1.26\n", "p.go": src}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func run(t *testing.T, dir, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", name, err)
	}
	return string(out), 0
}

func TestStandalone(t *testing.T) {
	bin := build(t)
	dir := module(t, prog)

	out, code := run(t, dir, bin, "./...")
	if code != 3 {
		t.Errorf("exit status %d, want 3 (diagnostics reported)\n%s", code, out)
	}
	for _, want := range []string{
		"p.go:4:2: open-coded defer",
		"p.go:9:3: heap-allocated defer: in a loop (loop depth 2)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	out, _ = run(t, dir, bin, "-notopen", "./...")
	if strings.Contains(out, "open-coded") || !strings.Contains(out, "heap-allocated defer") {
		t.Errorf("-notopen should report only the heap defer:\n%s", out)
	}

	out, _ = run(t, dir, bin, "-N", "./...")
	if !strings.Contains(out, "p.go:4:2: stack-allocated defer: -N disables optimizations") {
		t.Errorf("-N should make the first defer stack-allocated:\n%s", out)
	}
}

func TestGoVet(t *testing.T) {
	bin := build(t)
	dir := module(t, prog)
	out, code := run(t, dir, "go", "vet", "-vettool="+bin, "-notopen", "./...")
	if code == 0 {
		t.Errorf("go vet exited 0; want a failure for the reported defer\n%s", out)
	}
	if !strings.Contains(out, "p.go:9:3: heap-allocated defer: in a loop") || strings.Contains(out, "open-coded") {
		t.Errorf("go vet -vettool output:\n%s", out)
	}

	// The build-mode flags pass through go vet to the analyzer.
	out, _ = run(t, dir, "go", "vet", "-vettool="+bin, "-N", "./...")
	if !strings.Contains(out, "p.go:4:2: stack-allocated defer: -N disables optimizations") {
		t.Errorf("go vet -vettool -N output:\n%s", out)
	}
}

func TestBadInput(t *testing.T) {
	bin := build(t)

	out, code := run(t, t.TempDir(), bin, "-nosuchflag", "./...")
	if code != 2 || !strings.Contains(out, "nosuchflag") {
		t.Errorf("unknown flag: exit %d, want 2 and the flag named\n%s", code, out)
	}

	dir := module(t, "package p\n\nfunc F() { defer undefined() }\n")
	out, code = run(t, dir, bin, "./...")
	if code != 1 || !strings.Contains(out, "undefined") || strings.Contains(out, "panic") {
		t.Errorf("broken package: exit %d, want 1 with the type error\n%s", code, out)
	}

	out, code = run(t, module(t, prog), bin, "-goarch=sparc", "./...")
	if code != 2 || !strings.Contains(out, `unknown GOARCH "sparc"`) {
		t.Errorf("bad -goarch: exit %d\n%s", code, out)
	}
}

// TestHelp: help, -h and --help print the help on stdout, exit 0.
func TestHelp(t *testing.T) {
	bin := build(t)
	for _, arg := range []string{"help", "-h", "--help"} {
		cmd := exec.Command(bin, arg)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || !strings.Contains(stdout.String(), "deferstrategy") || stderr.Len() != 0 {
			t.Errorf("defervet %s: %v, stdout %q, stderr %q", arg, err, stdout.String(), stderr.String())
		}
	}
}
