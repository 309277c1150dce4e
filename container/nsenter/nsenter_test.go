package nsenter_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/deferio/deferio/container/nsenter"
)

// The test binary links the constructor too: re-executed with the
// variables set, it joins, maybe forks, and then runs this helper.
func TestMain(m *testing.M) {
	if code := os.Getenv("NSENTER_TEST_EXIT"); code != "" {
		fmt.Printf("helper pid %d\n", os.Getpid())
		var n int
		fmt.Sscan(code, &n)
		os.Exit(n)
	}
	os.Exit(m.Run())
}

func helper(t *testing.T, env ...string) (stdout, stderr, report string, code int) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(os.Environ(), env...)
	cmd.Env = append(cmd.Env, nsenter.EnvReport+"=3")
	cmd.ExtraFiles = []*os.File{w}
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	rep, _ := io.ReadAll(r)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), string(rep), code
}

func TestForkReportsPidAndRelaysStatus(t *testing.T) {
	if !nsenter.Available {
		t.Skip("built without cgo")
	}
	out, errs, rep, code := helper(t, nsenter.EnvJoin+"=network:/proc/self/ns/net", nsenter.EnvFork+"=1", "NSENTER_TEST_EXIT=7")
	if code != 7 {
		t.Fatalf("exit %d, want the child's 7; stderr %s", code, errs)
	}
	var reported, printed int
	fmt.Sscanf(rep, "pid %d\n", &reported)
	fmt.Sscanf(out, "helper pid %d\n", &printed)
	if reported == 0 || reported != printed {
		t.Errorf("nsenter reported %q, the child says %q", rep, out)
	}
}

func TestBadSpecIsReported(t *testing.T) {
	if !nsenter.Available {
		t.Skip("built without cgo")
	}
	for spec, want := range map[string]string{
		"bogus:/proc/self/ns/net": "unknown namespace type bogus",
		"network":                 "is not TYPE:PATH",
		"network:/no/such/ns":     "unable to open network namespace /no/such/ns",
	} {
		out, _, rep, code := helper(t, nsenter.EnvJoin+"="+spec, "NSENTER_TEST_EXIT=0")
		if code != 1 || !strings.HasPrefix(rep, "error nsenter: ") || !strings.Contains(rep, want) || out != "" {
			t.Errorf("%s: exit %d, report %q, stdout %q; want 1 and %q before Go started", spec, code, rep, out, want)
		}
	}
}
