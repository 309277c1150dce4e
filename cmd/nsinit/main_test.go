package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/deferio/deferio/container/bundle"
	"github.com/deferio/deferio/internal/gorun"
	"github.com/deferio/deferio/internal/testenv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binaries builds nsinit (with cgo, for nsenter) and a static toybox.
func binaries(t *testing.T) (nsinit, toybox string) {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "nsinit-test-")
		if buildErr != nil {
			return
		}
		gobin := goTool()
		for _, b := range []struct{ out, pkg, cgo string }{
			{"nsinit", "github.com/deferio/deferio/cmd/nsinit", "1"},
			{"toybox", "github.com/deferio/deferio/cmd/toybox", "0"},
		} {
			cmd := exec.Command(gobin, "build", "-o", filepath.Join(binDir, b.out), b.pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED="+b.cgo)
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "nsinit"), filepath.Join(binDir, "toybox")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func needRoot(t *testing.T) {
	t.Helper()
	testenv.NeedRoot(t, "runs containers")
}

// nsinit runs the built binary and returns its output and exit status.
func nsinitRun(t *testing.T, root string, args ...string) (string, string, int) {
	t.Helper()
	bin, _ := binaries(t)
	cmd := exec.Command(bin, append([]string{"--root", root}, args...)...)
	// Files, not pipes: a detached container keeps the stdio it was
	// given, and a pipe would never reach EOF.
	outF, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	errF, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer outF.Close()
	defer errF.Close()
	cmd.Stdout, cmd.Stderr = outF, errF
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(outF.Name())
	errb, _ := os.ReadFile(errF.Name())
	return string(out), string(errb), code
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "no verb given"},
		{[]string{"frobnicate"}, `unknown verb "frobnicate"`},
		{[]string{"start"}, "want one container ID, got 0"},
		{[]string{"start", "../x"}, "invalid container ID"},
		{[]string{"kill", "a", "SIGNOPE"}, `unknown signal "SIGNOPE"`},
		{[]string{"delete", "--bogus", "a"}, "flag provided but not defined: -bogus"},
		{[]string{"exec", "--cwd", "rel", "true"}, `--cwd "rel" is not absolute`},
		{[]string{"exec", "--env", "NOVALUE", "true"}, `"NOVALUE" is not KEY=VALUE`},
		{[]string{"bundle", "dir"}, "--toybox is required"},
		{[]string{"lesson"}, "want one lesson ID"},
	}
	for _, tc := range cases {
		var out, errb bytes.Buffer
		code := mainStatus(context.Background(), append([]string{"--root", t.TempDir()}, tc.args...), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("nsinit %q: status %d, stderr %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
	var out bytes.Buffer
	if code := mainStatus(context.Background(), []string{"-h"}, &out, &out); code != 0 || strings.Contains(out.String(), "  init") {
		t.Errorf("-h: status %d, and init must be hidden:\n%s", code, out.String())
	}
}

// TestHelp: the command's help and every verb's answer -h, --help and
// help VERB on stdout with status 0; --help is never taken as an ID.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		var out, errb bytes.Buffer
		if code := mainStatus(context.Background(), args, &out, &errb); code != 0 || !strings.Contains(out.String(), "usage: nsinit") || errb.Len() != 0 {
			t.Errorf("nsinit %q: status %d, stdout %q, stderr %q", args, code, out.String(), errb.String())
		}
	}
	for _, v := range verbs() {
		if v.hidden {
			continue
		}
		for _, args := range [][]string{{v.name, "--help"}, {v.name, "-h"}, {"help", v.name}} {
			var out, errb bytes.Buffer
			code := mainStatus(context.Background(), append([]string{"--root", t.TempDir()}, args...), &out, &errb)
			want := "nsinit [--root DIR] [--trace] " + v.name + " " + v.args
			if code != 0 || !strings.Contains(out.String(), want) || !strings.Contains(out.String(), v.help) || errb.Len() != 0 {
				t.Errorf("nsinit %q: status %d, stdout %q, stderr %q; want 0 and %q", args, code, out.String(), errb.String(), want)
			}
		}
	}
	// A verb's help lists its flags, each once.
	for verb, flags := range map[string][]string{
		"run":    {"-bundle", "-network", "-publish", "-proxy-protocol", "-init", "-trace-io", "-tty", "-pid-file"},
		"create": {"-bundle", "-network", "-publish", "-init", "-pid-file", "-console-socket"},
		"exec":   {"-config", "-user", "-env", "-trace-io"},
		"stats":  {"-json"},
	} {
		var out bytes.Buffer
		mainStatus(context.Background(), []string{"help", verb}, &out, &out)
		for _, f := range flags {
			if n := strings.Count(out.String(), "\n  "+f+" ") + strings.Count(out.String(), "\n  "+f+"\n") + strings.Count(out.String(), "\n  "+f+"\t"); n != 1 {
				t.Errorf("help %s lists %s %d times:\n%s", verb, f, n, out.String())
			}
		}
	}
	var out, errb bytes.Buffer
	if code := mainStatus(context.Background(), []string{"help", "nope"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), `unknown verb "nope"`) {
		t.Errorf("help nope: status %d, stderr %q; want 2 naming the verb", code, errb.String())
	}
}

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]syscall.Signal{"SIGKILL": syscall.SIGKILL, "kill": syscall.SIGKILL, "9": syscall.SIGKILL, "TERM": syscall.SIGTERM, "SIGRTMIN": 0} {
		got, err := parseSignal(in)
		if want == 0 {
			continue
		}
		if err != nil || got != want {
			t.Errorf("parseSignal(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "65", "SIGFOO"} {
		if _, err := parseSignal(bad); err == nil {
			t.Errorf("parseSignal(%q) accepted", bad)
		}
	}
}

// makeBundle builds a bundle running args, with a cgroup path of this
// test process's own (see testCgroupsPath).
func makeBundle(t *testing.T, args ...string) string {
	t.Helper()
	spec := bundle.DefaultSpec(args...)
	spec.Linux.CgroupsPath = testCgroupsPath()
	return makeBundleSpec(t, spec)
}

// makeBundleSpec builds a bundle with the given configuration.
func makeBundleSpec(t *testing.T, spec *specs.Spec) string {
	t.Helper()
	_, toybox := binaries(t)
	dir := t.TempDir()
	if err := bundle.BuildRootfs(filepath.Join(dir, "rootfs"), toybox); err != nil {
		t.Fatal(err)
	}
	if err := bundle.WriteSpec(dir, spec); err != nil {
		t.Fatal(err)
	}
	return dir
}

var cgroupSeq atomic.Int64

// testCgroupsPath returns a cgroup path no other process uses. The default,
// /deferio/ID, is shared by every process on the host: another test binary
// (go test runs packages in parallel) may use the same ID at the same
// moment.
func testCgroupsPath() string {
	return fmt.Sprintf("/deferio/nsinit-test-%d-%d", os.Getpid(), cgroupSeq.Add(1))
}

func ociState(t *testing.T, root, id string) specs.State {
	t.Helper()
	out, errs, code := nsinitRun(t, root, "state", id)
	if code != 0 {
		t.Fatalf("state %s: %d %s", id, code, errs)
	}
	var s specs.State
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("state %s is not JSON: %v\n%s", id, err, out)
	}
	return s
}

func TestLifecycle(t *testing.T) {
	needRoot(t)
	dir := makeBundle(t, "sleep", "60")
	root := t.TempDir()
	defer nsinitRun(t, root, "delete", "--force", "life")
	if _, errs, code := nsinitRun(t, root, "create", "--bundle", dir, "life"); code != 0 {
		t.Fatalf("create: %d %s", code, errs)
	}
	if s := ociState(t, root, "life"); s.Status != "created" || s.Pid == 0 || s.Bundle != dir {
		t.Fatalf("after create: %+v", s)
	}
	if _, errs, code := nsinitRun(t, root, "start", "life"); code != 0 {
		t.Fatalf("start: %d %s", code, errs)
	}
	s := ociState(t, root, "life")
	if s.Status != "running" {
		t.Fatalf("after start: %+v", s)
	}
	if _, errs, code := nsinitRun(t, root, "start", "life"); code != 1 || !strings.Contains(errs, "it is running") {
		t.Errorf("second start: %d %s, want an illegal transition", code, errs)
	}
	out, errs, code := nsinitRun(t, root, "exec", "--id", "life", "--user", "65534", "id")
	if code != 0 || !strings.HasPrefix(out, "uid=65534 gid=65534") {
		t.Errorf("exec id: %d %q %s", code, out, errs)
	}
	out, _, _ = nsinitRun(t, root, "list")
	if !strings.Contains(out, "life") || !strings.Contains(out, "running") {
		t.Errorf("list:\n%s", out)
	}
	if _, errs, code := nsinitRun(t, root, "delete", "life"); code != 1 || !strings.Contains(errs, "it is running") {
		t.Errorf("delete of a running container: %d %s", code, errs)
	}
	if _, errs, code := nsinitRun(t, root, "kill", "life", "KILL"); code != 0 {
		t.Fatalf("kill: %d %s", code, errs)
	}
	deadline := time.Now().Add(30 * time.Second)
	for ociState(t, root, "life").Status != "stopped" {
		if time.Now().After(deadline) {
			t.Fatal("still not stopped 30s after SIGKILL")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, errs, code := nsinitRun(t, root, "delete", "life"); code != 0 {
		t.Fatalf("delete: %d %s", code, errs)
	}
	if _, errs, code := nsinitRun(t, root, "state", "life"); code != 1 || !strings.Contains(errs, "does not exist") {
		t.Errorf("state after delete: %d %s", code, errs)
	}
}

func TestRunExitStatus(t *testing.T) {
	needRoot(t)
	dir := makeBundle(t, "sh", "-c", "echo hello; false")
	out, errs, code := nsinitRun(t, t.TempDir(), "run", "--bundle", dir, "status")
	if code != 1 || out != "hello\n" {
		t.Errorf("run: status %d, stdout %q, stderr %s; want 1 and hello", code, out, errs)
	}
}

// goTool finds the go command, or "go" to let exec report its absence.
func goTool() string {
	if g, err := gorun.GoTool(); err == nil {
		return g
	}
	return "go"
}

func TestConfigVerb(t *testing.T) {
	var out, errb bytes.Buffer
	if code := mainStatus(context.Background(), []string{"config", "echo", "hi"}, &out, &errb); code != 0 {
		t.Fatalf("config: %d %s", code, errb.String())
	}
	var s specs.Spec
	if err := json.Unmarshal(out.Bytes(), &s); err != nil || strings.Join(s.Process.Args, " ") != "echo hi" {
		t.Fatalf("config printed %v %q", err, out.String())
	}
	dir := t.TempDir()
	if code := mainStatus(context.Background(), []string{"config", "--bundle", dir}, &out, &errb); code != 0 {
		t.Fatalf("config --bundle: %d %s", code, errb.String())
	}
	errb.Reset()
	if code := mainStatus(context.Background(), []string{"config", "--bundle", dir}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "file exists") {
		t.Errorf("config --bundle twice: %d %s", code, errb.String())
	}
}

// TestExecNewContainer is the classic `nsinit exec`: no container with the
// id runs, so it runs a new one from --config and removes it afterwards.
func TestExecNewContainer(t *testing.T) {
	needRoot(t)
	dir := makeBundle(t, "true")
	root := t.TempDir()
	out, errs, code := nsinitRun(t, root, "exec", "--config", filepath.Join(dir, "config.json"), "--id", "classic", "--env", "WHO=nsinit", "sh", "-c", "hostname; env")
	if code != 0 || !strings.Contains(out, "deferio\n") || !strings.Contains(out, "WHO=nsinit\n") {
		t.Errorf("exec of a new container: %d %q %s", code, out, errs)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("exec left %d entries in the state root", len(entries))
	}
}

// TestBadBundles: broken configurations give an error naming the problem,
// never a panic, and create nothing.
func TestBadBundles(t *testing.T) {
	cases := map[string]string{
		"not json": "unable to parse",
		"{}":       "root.path is empty",
		`{"process":null,"root":{"path":"rootfs"},"linux":{}}`:                                                                       "process is missing",
		`{"process":{"args":["true"],"cwd":"/"},"root":{"path":"rootfs"}}`:                                                           "linux is missing",
		`{"process":{"args":["true"],"cwd":"/"},"root":{"path":"rootfs"},"linux":{"namespaces":[{"type":"mount"},{"type":"warp"}]}}`: `unknown namespace type "warp"`,
		`{"process":{"args":["true"],"cwd":"/"},"root":{"path":"elsewhere"},"linux":{"namespaces":[{"type":"mount"}]}}`:              "does not exist",
	}
	for cfg, want := range cases {
		dir := t.TempDir()
		os.Mkdir(filepath.Join(dir, "rootfs"), 0o755)
		if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		root := t.TempDir()
		var out, errb bytes.Buffer
		code := mainStatus(context.Background(), []string{"--root", root, "create", "--bundle", dir, "bad"}, &out, &errb)
		if code != 1 || !strings.Contains(errb.String(), want) {
			t.Errorf("config %s: status %d, stderr %q; want 1 and %q", cfg, code, errb.String(), want)
		}
		if entries, _ := os.ReadDir(root); len(entries) != 0 {
			t.Errorf("config %s: the state root holds %d entries", cfg, len(entries))
		}
	}
}
