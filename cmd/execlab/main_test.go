package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// buildExeclab compiles this command once per test that needs the real
// binary (the acceptance test runs it as a separate process).
func buildExeclab(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "execlab")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// marked returns the PIDs of live processes whose environment holds mark.
func marked(mark string) []int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var pids []int
	for _, d := range dirs {
		env, err := os.ReadFile(filepath.Join(d, "environ"))
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(env, []byte{0}) {
			if string(kv) == mark {
				pid, _ := strconv.Atoi(filepath.Base(d))
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// The acceptance test: a timeout on a shell with a background child
// returns, and leaves no process behind. No duration is asserted; a
// broken group kill would leave the sleeps for 100 s, which the /proc
// check sees.
func TestRunTimeoutLeavesNothing(t *testing.T) {
	bin := buildExeclab(t)
	mark := fmt.Sprintf("EXECLAB_TEST_MARK=%d", rand.Uint64())
	defer func() {
		for _, pid := range marked(mark) {
			_ = exec.Command("kill", "-9", strconv.Itoa(pid)).Run()
		}
	}()
	cmd := exec.Command(bin, "run", "-timeout", "1s", "--", "sh", "-c", "sleep 100 & sleep 100")
	cmd.Env = append(os.Environ(), mark)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 128+9 {
		t.Fatalf("execlab: %v, want exit code 137; stderr: %s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "execlab: sh: killed by SIGKILL after the 1s timeout") {
		t.Errorf("stderr %q does not say how sh ended", stderr.String())
	}
	// SIGKILL was sent to the whole group before execlab exited; give
	// the dying processes a moment to leave /proc.
	var left []int
	for range 1000 {
		if left = marked(mark); len(left) == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("processes left behind: %v", left)
	}
}

func TestRun(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		args      []string
		code      int
		stdout    string
		stderrHas []string
	}{
		{"exit code passed on", []string{"run", "--", "sh", "-c", "exit 3"}, 3, "", []string{"execlab: sh: exit code 3 (wall "}},
		{"lines and terminators kept", []string{"run", "--", "sh", "-c", `printf 'a\r\nb\rc\nlast'; echo e >&2`}, 0, "a\r\nb\rc\nlast", []string{"e\n", "exit code 0"}},
		{"long lines split, not lost", []string{"run", "-max-line", "3", "--", "echo", "abcdefgh"}, 0, "abcdefgh\n", nil},
		{"signal as 128+N", []string{"run", "--", "sh", "-c", "kill -TERM $$"}, 143, "", []string{"killed by SIGTERM", "max RSS"}},
		{"timeout with SIGTERM", []string{"run", "-timeout", "1s", "-signal", "TERM", "--", "sleep", "100"}, 143, "", []string{"killed by SIGTERM after the 1s timeout"}},
		{"keep terminal", []string{"run", "-keep-terminal", "--", "echo", "hi"}, 0, "hi\n", nil},
		{"missing program", []string{"run", "--", "no-such-program-execlab"}, 127, "", []string{`unable to run "no-such-program-execlab": no such program in PATH`}},
		{"no verb", nil, 2, "", []string{"no verb given"}},
		{"unknown verb", []string{"frob"}, 2, "", []string{`unknown verb "frob"`}},
		{"run without command", []string{"run"}, 2, "", []string{"run needs a command"}},
		{"run with empty command", []string{"run", "--", ""}, 2, "", []string{"empty argv"}},
		{"negative timeout", []string{"run", "-timeout", "-1s", "--", "true"}, 2, "", []string{"-timeout -1s is negative"}},
		{"bad duration", []string{"run", "-timeout", "soon", "--", "true"}, 2, "", []string{"invalid value \"soon\""}},
		{"bad signal", []string{"run", "-signal", "NOPE", "--", "true"}, 2, "", []string{`unknown signal "NOPE"`}},
		{"signal number out of range", []string{"run", "-signal", "99", "--", "true"}, 2, "", []string{"99 is not a signal number"}},
		{"bad max line", []string{"run", "-max-line", "0", "--", "true"}, 2, "", []string{"-max-line 0 must be positive"}},
		{"lesson without ID", []string{"lesson"}, 2, "", []string{"lesson takes one lesson ID"}},
		{"unknown lesson", []string{"lesson", "exec-nope"}, 2, "", []string{`no lesson "exec-nope"`}},
		{"lessons with arguments", []string{"lessons", "x"}, 2, "", []string{"lessons takes no arguments"}},
		{"list with arguments", []string{"list", "x"}, 2, "", []string{"list takes no arguments"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(ctx, tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if stdout.String() != tt.stdout {
				t.Errorf("stdout %q, want %q", stdout.String(), tt.stdout)
			}
			for _, want := range tt.stderrHas {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr %q does not contain %q", stderr.String(), want)
				}
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"-h"}, []string{"Verbs:", "run [-keep-terminal] [-max-line N] [-signal SIG] [-timeout D] -- CMD ARGS..."}},
		{[]string{"run", "-h"}, []string{"usage: execlab run", "-keep-terminal", "Exits with CMD's code"}},
		{[]string{"help", "run"}, []string{"usage: execlab run", "-keep-terminal"}},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tt.args, &stdout, &stderr); code != 0 || stderr.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q; want 0 and nothing on stderr", tt.args, code, stderr.String())
		}
		for _, w := range tt.want {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("%q: the help lacks %q:\n%s", tt.args, w, stdout.String())
			}
		}
	}
}

// With -keep-terminal the program gets execlab's own stdin; without it,
// /dev/null.
func TestRunStdin(t *testing.T) {
	old := stdin
	defer func() { stdin = old }()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "-keep-terminal", "--", "cat"}, "typed\n"},
		{[]string{"run", "--", "cat"}, ""},
	} {
		stdin = strings.NewReader("typed\n")
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tt.args, &stdout, &stderr); code != 0 || stdout.String() != tt.want {
			t.Errorf("%q: code %d, stdout %q, want %q; stderr %s", tt.args, code, stdout.String(), tt.want, stderr.String())
		}
	}
}

func TestListAndLesson(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"list"}, &stdout, &stderr); code != 0 {
		t.Fatalf("list: %d %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "exec-orphans") {
		t.Errorf("list output %q", stdout.String())
	}
	stdout.Reset()
	if code := run(context.Background(), []string{"-no-color", "lesson", "exec-startprocess"}, &stdout, &stderr); code != 0 {
		t.Fatalf("lesson: %d %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "[exec-startprocess]") || strings.Contains(stdout.String(), "\x1b[") {
		t.Errorf("lesson output:\n%s", stdout.String())
	}
}
