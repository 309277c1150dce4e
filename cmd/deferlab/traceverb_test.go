package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/deferio/deferio/internal/testenv"
)

// needTracer skips (fails under CI=true) when trace -real reports that
// the tracer cannot work here (exit 2 with "unable to trace the real
// runtime here").
func needTracer(t *testing.T, code int, stderr string) {
	t.Helper()
	if code == 2 && strings.Contains(stderr, "unable to trace the real runtime here") {
		testenv.Need(t, "ptrace", errString(stderr))
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestTraceRealAndBoth(t *testing.T) {
	testenv.NeedGo(t)
	prog := writeProg(t, panicProg)
	code, stdout, stderr := deferlab(t, "trace", "-real", "-no-color", prog)
	needTracer(t, code, stderr)
	for _, want := range []string{"the real runtime, step by step", "deferprocStack", "deferproc ", "gopanic", "recover", "heap-allocated", "exited with status 2"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("trace -real lacks %q:\n%s\n%s", want, stdout, stderr)
		}
	}
	if code != 2 {
		t.Errorf("trace -real: status %d, want the program's 2", code)
	}
	code, stdout, stderr = deferlab(t, "trace", "--both", prog)
	if code != 0 || !strings.Contains(stdout, "verdict: MATCH") {
		t.Errorf("trace --both: status %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = deferlab(t, "trace", "-both", "-json", prog)
	var got jsonReal
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != 0 || got.FirstDiff != nil || len(got.Events) == 0 || len(got.Model) == 0 {
		t.Errorf("trace -both -json: status %d, %v, first difference %v", code, err, got.FirstDiff)
	}
	if code, _, stderr := deferlab(t, "trace", "-real", "-both", prog); code != 2 || !strings.Contains(stderr, "exclude each other") {
		t.Errorf("-real -both: status %d, %q", code, stderr)
	}
}
