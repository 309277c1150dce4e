package procx_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/deferio/deferio/procx"
)

func TestCaptureLimit(t *testing.T) {
	c := procx.NewCapture(5)
	for _, s := range []string{"ab", "cde", "fgh", ""} {
		if n, err := c.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if c.String() != "abcde" || c.Dropped() != 3 || !c.Truncated() {
		t.Errorf("kept %q, dropped %d", c.String(), c.Dropped())
	}
	neg := procx.NewCapture(-1)
	neg.Write([]byte("x"))
	if neg.String() != "" || neg.Dropped() != 1 {
		t.Errorf("negative limit kept %q", neg.String())
	}
}

func TestCaptureConcurrent(t *testing.T) {
	c := procx.NewCapture(1000)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for range 100 {
				c.Write([]byte("0123456789"))
			}
		})
	}
	wg.Wait()
	if len(c.Bytes()) != 1000 || c.Dropped() != 9000 {
		t.Errorf("kept %d, dropped %d", len(c.Bytes()), c.Dropped())
	}
}

// A program printing 10 MiB leaves at most the limit in memory and still
// runs to completion (no broken pipe).
func TestOutputBounded(t *testing.T) {
	res, err := procx.Output(context.Background(), []string{"head", "-c", "10485760", "/dev/zero"}, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stdout.Bytes()) != 4096 || res.Stdout.Dropped() != 10485760-4096 {
		t.Errorf("kept %d, dropped %d", len(res.Stdout.Bytes()), res.Stdout.Dropped())
	}
	if !res.Status.Success() {
		t.Errorf("status %v", res.Status)
	}
}

func TestOutputFailure(t *testing.T) {
	res, err := procx.Output(context.Background(), []string{"sh", "-c", "echo out; echo err >&2; exit 4"}, 100)
	if err == nil || !strings.Contains(err.Error(), "exit status 4") {
		t.Errorf("err = %v", err)
	}
	if res.Stdout.String() != "out\n" || res.Stderr.String() != "err\n" || res.Status.Code != 4 {
		t.Errorf("%q %q %v", res.Stdout, res.Stderr, res.Status)
	}
	if _, err := procx.Output(context.Background(), nil, 10); err == nil {
		t.Error("empty argv accepted")
	}
}

// One pipe for descriptors 1 and 2 keeps the order of the writes.
func TestCombinedOutputOrder(t *testing.T) {
	script := "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done"
	res, err := procx.CombinedOutput(context.Background(), []string{"sh", "-c", script}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := "out1\nerr1\nout2\nerr2\nout3\nerr3\nout4\nerr4\nout5\nerr5\n"
	if res.Stdout.String() != want {
		t.Errorf("got %q, want %q", res.Stdout, want)
	}
	if res.Stderr != nil {
		t.Error("CombinedOutput set Stderr")
	}
}
