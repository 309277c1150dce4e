package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var traceLine = regexp.MustCompile(`(?m)^nsinit: trace-io: (stdin|stdout|stderr|console in|console out) (\d+) bytes\r?\n`)

// traceCounts splits stderr into the program's own output and the
// --trace-io lines, as "stream count" strings.
func traceCounts(stderr string) (rest string, counts []string) {
	for _, m := range traceLine.FindAllStringSubmatch(stderr, -1) {
		counts = append(counts, m[1]+" "+m[2])
	}
	return traceLine.ReplaceAllString(stderr, ""), counts
}

// TestRunTraceIO runs `nsinit run --trace-io` with a known stdin: the
// program copies it to stdout and writes an error to stderr, and the
// counts printed after it exits must be exactly what went through.
func TestRunTraceIO(t *testing.T) {
	needRoot(t)
	bin, _ := binaries(t)
	const inN = 50001
	dir := makeBundle(t, "sh", "-c", "cat; cat /no-such-file")
	in := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(in, bytes.Repeat([]byte("x"), inN), 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	defer nsinitRun(t, root, "delete", "--force", "running")
	if _, errs, code := nsinitRun(t, root, "run", "-d", "--bundle", makeBundle(t, "sleep", "60"), "running"); code != 0 {
		t.Fatalf("run -d: %d %s", code, errs)
	}
	for _, verb := range [][]string{
		{"run", "--trace-io", "--bundle", dir, "traceio"},
		{"exec", "--trace-io", "--config", filepath.Join(dir, "config.json"), "--id", "traceio"},
		{"exec", "--trace-io", "--id", "running", "sh", "-c", "cat; cat /no-such-file"},
	} {
		name := verb[0]
		if verb[len(verb)-1] != "traceio" {
			name = "exec-running"
		}
		t.Run(name, func(t *testing.T) {
			stdin, err := os.Open(in)
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, append([]string{"--root", root}, verb...)...)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &stdout, &stderr
			err = cmd.Run()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Fatalf("%s: %v, want exit status 1 (cat of a missing file)\n%s", verb[0], err, stderr.String())
			}
			progErr, counts := traceCounts(stderr.String())
			if stdout.Len() != inN || !strings.Contains(progErr, "no-such-file") {
				t.Fatalf("the program wrote %d bytes to stdout and %q to stderr; want %d and the cat error", stdout.Len(), progErr, inN)
			}
			want := []string{fmt.Sprint("stdin ", inN), fmt.Sprint("stdout ", inN), fmt.Sprint("stderr ", len(progErr))}
			if strings.Join(counts, ",") != strings.Join(want, ",") {
				t.Errorf("--trace-io printed %q, want %q\nstderr: %q", counts, want, stderr.String())
			}
		})
	}
}

// TestRunTraceIOTerminal: with -t the counts are the console relay's:
// what went to the container's terminal and what came out of it ("hello"
// and the pty's CR LF). With --init too, where the program is in the
// terminal's foreground process group and init is not.
func TestRunTraceIOTerminal(t *testing.T) {
	needRoot(t)
	for _, extra := range [][]string{nil, {"--init"}} {
		t.Run(fmt.Sprintf("flags=%v", extra), func(t *testing.T) { runTraceIOTerminal(t, extra) })
	}
}

func runTraceIOTerminal(t *testing.T, extra []string) {
	bin, _ := binaries(t)
	dir := makeBundle(t, "echo", "hello")
	master, slave := openPty(t)
	defer master.Close()
	var stderr bytes.Buffer
	args := append(append([]string{"--root", t.TempDir(), "run", "-t", "--trace-io"}, extra...), "--bundle", dir, "tracetty")
	cmd := exec.Command(bin, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	done := make(chan struct{})
	var out bytes.Buffer
	go func() { io.Copy(&out, master); close(done) }()
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Fatalf("nsinit run -t --trace-io: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("nsinit run -t --trace-io did not finish")
	}
	_, counts := traceCounts(stderr.String())
	want := []string{"console in 0", "console out 7"} // "hello\r\n"
	if strings.Join(counts, ",") != strings.Join(want, ",") {
		t.Errorf("--trace-io printed %q, want %q\nstderr: %q", counts, want, stderr.String())
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		master.Close()
		<-done
	}
	if !strings.Contains(out.String(), "hello\r\n") {
		t.Errorf("terminal output %q lacks hello", out.String())
	}
}

// TestTraceIODetach: --trace-io needs the foreground.
func TestTraceIODetach(t *testing.T) {
	_, errs, code := nsinitRun(t, t.TempDir(), "run", "-d", "--trace-io", "--bundle", makeBundle(t, "true"), "x")
	if code != 2 || !strings.Contains(errs, "--trace-io needs the foreground") {
		t.Errorf("run -d --trace-io: status %d, stderr %q", code, errs)
	}
}
