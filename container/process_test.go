package container_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/deferio/deferio/container"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestProcessSetup checks what init sets before execve: user and groups,
// environment, working directory, rlimits, oom_score_adj, no_new_privs and
// the umask.
func TestProcessSetup(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, script(
		"id", "id",
		"env", "env",
		"pwd", "pwd",
		"limits", "cat /proc/self/limits",
		"oom", "cat /proc/self/oom_score_adj",
		"status", "cat /proc/self/status",
	)...)
	adj := 500
	spec.Process.User = specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{5, 7}}
	spec.Process.Env = []string{"PATH=/bin", "GREETING=hello"}
	spec.Process.Cwd = "/tmp"
	spec.Process.OOMScoreAdj = &adj
	spec.Process.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Soft: 123, Hard: 456}}
	r := runContainer(t, stateRoot(t), "process", container.Config{Bundle: dir, Spec: spec})
	if got := section(r.stdout, "id"); !slices.Equal(got, []string{"uid=1000 gid=1000 groups=5,7"}) {
		t.Errorf("id = %q", got)
	}
	if got := section(r.stdout, "env"); !slices.Equal(got, []string{"PATH=/bin", "GREETING=hello"}) {
		t.Errorf("env = %q, want exactly the spec's", got)
	}
	if got := section(r.stdout, "pwd"); !slices.Equal(got, []string{"/tmp"}) {
		t.Errorf("pwd = %q", got)
	}
	// toybox is a Go program, and the Go runtime raises its own soft
	// RLIMIT_NOFILE towards the hard limit at startup: only the hard limit
	// shows what init set.
	found := false
	for _, l := range section(r.stdout, "limits") {
		if f := strings.Fields(l); strings.HasPrefix(l, "Max open files") && len(f) >= 5 && f[4] == "456" {
			found = true
		}
	}
	if !found {
		t.Errorf("RLIMIT_NOFILE hard 456 not in /proc/self/limits:\n%s", strings.Join(section(r.stdout, "limits"), "\n"))
	}
	if got := section(r.stdout, "oom"); !slices.Equal(got, []string{"500"}) {
		t.Errorf("oom_score_adj = %q", got)
	}
	status := strings.Join(section(r.stdout, "status"), "\n")
	for _, want := range []string{"NoNewPrivs:\t1", "Umask:\t0022", "CapEff:\t0000000000000000"} {
		if !strings.Contains(status, want) {
			t.Errorf("/proc/self/status lacks %q", want)
		}
	}
}

// TestBadCwd: a working directory that does not exist is an error that
// reaches the caller with its context, and nothing is left behind.
func TestBadCwd(t *testing.T) {
	needRoot(t)
	dir, spec := newBundle(t, "true")
	spec.Process.Cwd = "/no/such/dir"
	root := stateRoot(t)
	c, err := container.Create(root, "badcwd", container.Config{Bundle: dir, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Run(nil)
	if err == nil || !strings.Contains(err.Error(), "unable to change to the working directory /no/such/dir") {
		t.Fatalf("Run with a bad cwd: %v", err)
	}
	c.ForceDestroy()
}
