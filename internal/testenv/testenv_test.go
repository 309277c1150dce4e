package testenv_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/deferio/deferio/internal/testenv"
)

// recorder is a testing.TB that records how a gate ended the test.
type recorder struct {
	testing.TB
	how string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	r.how = "skip: " + fmt.Sprintf(format, args...)
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.how = "fail: " + fmt.Sprintf(format, args...)
}

func TestNeed(t *testing.T) {
	for _, c := range []struct {
		ci   string
		err  error
		want string
	}{
		{"", nil, ""},
		{"true", nil, ""},
		{"", errors.New("no ip"), "skip: this test needs ip: no ip"},
		{"false", errors.New("no ip"), "skip: this test needs ip: no ip"},
		{"true", errors.New("no ip"), "fail: this test needs ip, and CI=true makes its absence a failure: no ip"},
	} {
		t.Setenv("CI", c.ci)
		r := &recorder{TB: t}
		testenv.Need(r, "ip", c.err)
		if r.how != c.want {
			t.Errorf("CI=%q, err %v: %q, want %q", c.ci, c.err, r.how, c.want)
		}
	}
}

func TestNeedCommand(t *testing.T) {
	t.Setenv("CI", "")
	r := &recorder{TB: t}
	if p := testenv.NeedCommand(r, "sh", "dash"); p == "" || r.how != "" {
		t.Errorf("sh: path %q, %q", p, r.how)
	}
	testenv.NeedCommand(r, "no-such-command-deferio", "nothing")
	if want := "skip: this test needs no-such-command-deferio (Debian package nothing)"; len(r.how) < len(want) || r.how[:len(want)] != want {
		t.Errorf("a missing command: %q, want it to start %q", r.how, want)
	}
}
