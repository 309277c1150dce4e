package containerlessons_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons/containerlessons"
	"github.com/deferio/deferio/internal/lessontest"
	"github.com/deferio/deferio/internal/testenv"
)

func TestMain(m *testing.M) {
	container.Init() // the lessons' containers re-execute this test binary
	os.Exit(m.Run())
}

func needRoot(t *testing.T) {
	t.Helper()
	testenv.NeedRoot(t, "runs the container lessons")
}

func TestLessonsAreValid(t *testing.T) {
	ls := containerlessons.Lessons()
	if len(ls) != 7 {
		t.Fatalf("%d lessons, want 7", len(ls))
	}
	for _, l := range ls {
		if err := l.Validate(); err != nil {
			t.Error(err)
		}
		if !l.NeedsRoot || l.Topic != "container" {
			t.Errorf("%s: NeedsRoot %v, topic %q", l.ID, l.NeedsRoot, l.Topic)
		}
	}
}

func TestWithoutRootPrintsNotes(t *testing.T) {
	no := false
	for _, l := range containerlessons.Lessons() {
		var b bytes.Buffer
		if err := lesson.Run(context.Background(), &b, l, lesson.Options{IsRoot: &no}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "needs root") || !strings.Contains(b.String(), l.Title) {
			t.Errorf("%s without root:\n%s", l.ID, b.String())
		}
	}
}

// want checks that each line appears in the lesson's output, and returns
// the output.
func want(t *testing.T, id string, lines ...string) string {
	t.Helper()
	needRoot(t)
	l, err := lesson.Find(containerlessons.Lessons(), id)
	if err != nil {
		t.Fatal(err)
	}
	out := lessontest.Output(t, l)
	for _, w := range lines {
		if !strings.Contains(out, w) {
			t.Errorf("%s: output lacks %q:\n%s", id, w, out)
		}
	}
	return out
}

func TestNamespacesLesson(t *testing.T) {
	want(t, "container-namespaces",
		"# new: mnt; runs: hostname; ps",
		"# new: mnt, uts; runs: hostname",
		"  box\n",
		"# new: mnt, pid; runs: ps",
		"      1     0 sh -c inspect; ps",
		"# new: mnt, net; runs: cat /proc/net/dev",
		"# new: ipc, mnt; runs:",
		"# new: ipc, mnt, pid, user; runs: id; cat /proc/self/uid_map",
		"uid=0 gid=0",
		"# new: cgroup, mnt; runs: cat /proc/self/cgroup",
	)
}

func TestPivotRootLesson(t *testing.T) {
	want(t, "container-pivot-root",
		"pivot_root(\".\", \".\")",
		"no_pivot_root: MS_MOVE",
		"bin dev etc proc root run sys tmp",
		"/proc                proc",
	)
}

func TestInitPipeLesson(t *testing.T) {
	want(t, "container-init-pipe",
		"/bin/true: EOF and nothing else, so execve succeeded",
		`/no/such/program: the child said "exec /no/such/program: no such file or directory" before EOF`,
		"after Start:  status created, init runs /containerlessons.test, the runtime's binary on a detached read-only overlay, blocked opening exec.fifo",
		"after Launch: status running, init runs /bin/toybox",
	)
}

func TestExecNsenterLesson(t *testing.T) {
	want(t, "container-exec-nsenter",
		"setns(uts): ok, but only this thread moved",
		"setns(mnt): invalid argument",
		"threads before setns: more than one",
		"mnt    same as init",
		"pid    same as init",
	)
}

func TestPublishedPortsLesson(t *testing.T) {
	want(t, "container-published-ports",
		"kernel=10.213.0.1:PORT client=10.212.0.2:CLIENTPORT header=v2 read=6",
		"kernel=10.213.0.1:PORT client=10.213.0.1:PORT header=none read=6",
		"kernel=10.212.0.2:CLIENTPORT client=10.212.0.2:CLIENTPORT header=none read=6",
		"18080:80/tcp: 10.212.0.2:PORT -> 10.213.0.2:80 proxy=v2 header=28 up=6 down=65 err=<nil>",
		"18081:80/tcp: 10.212.0.2:PORT -> 10.213.0.2:80 proxy=v0 header=0 up=6 down=",
	)
	// The lesson's DNAT rule names the client's link: none may be left.
	out, err := exec.Command("iptables", "-t", "nat", "-S", "PREROUTING").CombinedOutput()
	if err != nil || strings.Contains(string(out), "dvlc") {
		t.Errorf("iptables after the lesson: %v\n%s", err, out)
	}
}

func TestMeetsAllLesson(t *testing.T) {
	out := want(t, "container-meets-all",
		"start: veth HOSTIF/eth0 configured\n  destroy: init gone\n  destroy: veth HOSTIF removed\n  destroy: cgroup removed\n  destroy: state removed",
		"bind: address already in use",
		"$ left behind\n  nothing: no state, no cgroup, no interface",
		"kernel=10.215.0.1:PORT client=10.214.0.2:CLIENTPORT header=v2 read=6",
		"PID 1: nsinit init\n  sleep 60\n  zombies: 0",
		"rx bytes > 0: true",
		"exit status 143 (128 + SIGTERM)",
		"$ after delete, left behind\n  nothing: no state, no cgroup, no interface",
	)
	// The counted bytes must equal the bytes written.
	i := strings.Index(out, "stdout+stderr counted: ")
	if i < 0 {
		t.Fatalf("no counts in:\n%s", out)
	}
	var counted, file int
	if _, err := fmt.Sscanf(out[i:], "stdout+stderr counted: %d bytes; in the file: %d bytes", &counted, &file); err != nil || counted != file || counted == 0 {
		t.Errorf("counted %d, file %d (%v)", counted, file, err)
	}
}

func TestSeccompLesson(t *testing.T) {
	out := want(t, "container-seccomp",
		"mkdir(/tmp/d, 0755) = -1 EPERM (operation not permitted)",
		"personality(8) = -1 EINVAL (invalid argument)",
		"personality(0xffffffff) = 0x0",
		"written",
		"ld [4]                  ; A = seccomp_data.arch",
		"jge #0x40000000",
		"; 83: mkdir",
		"; 258: mkdirat",
		"; 135: personality if arg0 == 0x8",
		"; default action: SCMP_ACT_ALLOW",
	)
	// One instruction a line: index, instruction, comment.
	n := 0
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 1 && (f[1] == "ld" || f[1] == "jeq" || f[1] == "jge" || f[1] == "ja" || f[1] == "ret") {
			n++
		}
	}
	if n < 15 {
		t.Errorf("%d instruction lines:\n%s", n, out)
	}
}
