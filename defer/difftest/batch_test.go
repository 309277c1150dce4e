package difftest

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestRunRealWithTimeout: a program that does not end within
// RealOptions.Timeout fails the batch, and the error names it.
func TestRunRealWithTimeout(t *testing.T) {
	progs := []Program{
		{Name: "quick", Src: []byte("package main\n\nfunc main() {\n\tdefer println(\"done\")\n}\n")},
		{Name: "forever", Src: []byte("package main\n\nfunc main() {\n\tfor {\n\t}\n}\n")},
	}
	_, err := RunRealWith(context.Background(), progs, RealOptions{Parallel: 2, Timeout: 500 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "program forever: did not end within 500ms") || strings.Contains(err.Error(), "quick") {
		t.Errorf("err = %v, want only forever's timeout", err)
	}
}
