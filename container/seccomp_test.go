package container_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deferio/deferio/container"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func uintp(v uint) *uint { return &v }

// seccompContainer runs args (toybox applets) in a container with filter
// s and no_new_privs as given, and returns what it printed.
func seccompContainer(t *testing.T, id string, s *specs.LinuxSeccomp, nnp bool, args ...string) result {
	t.Helper()
	needRoot(t)
	dir, spec := newBundle(t, args...)
	spec.Linux.Seccomp = s
	spec.Process.NoNewPrivileges = nnp
	return runContainer(t, stateRoot(t), id, container.Config{Bundle: dir, Spec: spec})
}

// lines checks that out holds each line.
func lines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w+"\n") {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// TestSeccompDeniesOneCall: mkdir gets EPERM inside, other calls work
// (the filter loaded with every flag this runtime supports),
// with no_new_privs (the filter loaded right before execve) and without
// (loaded before the capabilities are dropped: the default set has no
// CAP_SYS_ADMIN, so a later load would fail with EACCES).
func TestSeccompDeniesOneCall(t *testing.T) {
	s := &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
		Flags:         []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC", specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagSpecAllow},
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno}},
	}
	for _, nnp := range []bool{true, false} {
		r := seccompContainer(t, "seccomp-one", s, nnp, "sh", "-c", "syscall mkdir /tmp/d 0755; syscall rmdir /tmp; write /tmp/f ok; cat /tmp/f")
		lines(t, r.stdout, "mkdir(/tmp/d, 0755) = -1 EPERM (operation not permitted)", "ok")
		// rmdir is not filtered: the kernel's own answer for a busy tmp.
		if !strings.Contains(r.stdout, "rmdir(/tmp) = -1 E") || strings.Contains(r.stdout, "rmdir(/tmp) = -1 EPERM") {
			t.Errorf("nnp %v: rmdir:\n%s", nnp, r.stdout)
		}
	}
}

// TestSeccompArguments: personality(2) is denied only for one value;
// the comparison is of all 64 bits, and a masked one of the bits masked.
func TestSeccompArguments(t *testing.T) {
	s := &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"personality"}, Action: specs.ActErrno, ErrnoRet: uintp(uint(1)),
				Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0x8, Op: specs.OpEqualTo}}},
			{Names: []string{"personality"}, Action: specs.ActErrno, ErrnoRet: uintp(uint(22)),
				Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0xff00, ValueTwo: 0x4200, Op: specs.OpMaskedEqual}}},
		},
	}
	r := seccompContainer(t, "seccomp-args", s, true, "sh", "-c",
		"syscall personality 8; syscall personality 0xffffffff; syscall personality 0x100000000; syscall personality 0x4211; syscall personality 0xffffffff")
	lines(t, r.stdout,
		"personality(8) = -1 EPERM (operation not permitted)",
		"personality(0xffffffff) = 0x0",
		// High word 1, low word 0: not 8 by 64-bit comparison, so the
		// kernel gets it (and takes the low 32 bits: persona 0).
		"personality(0x100000000) = 0x0",
		"personality(0x4211) = -1 EINVAL (invalid argument)",
	)
}

// TestSeccompActions: errnoRet, SCMP_ACT_TRACE without a tracer (ENOSYS),
// SCMP_ACT_LOG (the call runs), then SCMP_ACT_TRAP, which sends SIGSYS:
// toybox is a Go program, whose runtime takes a SIGSYS for a crash
// ("SIGSYS: bad system call", exit status 2).
func TestSeccompActions(t *testing.T) {
	s := &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"mkdir"}, Action: specs.ActErrno, ErrnoRet: uintp(13)},
			{Names: []string{"rmdir"}, Action: specs.ActTrace},
			{Names: []string{"getppid"}, Action: specs.ActLog},
			{Names: []string{"symlink"}, Action: specs.ActTrap},
		},
	}
	r := seccompContainer(t, "seccomp-actions", s, true, "sh", "-c",
		"syscall mkdir /tmp/d 0755; syscall rmdir /tmp/d; syscall getppid; echo before; syscall symlink a /tmp/b; echo after")
	lines(t, r.stdout, "mkdir(/tmp/d, 0755) = -1 EACCES (permission denied)", "rmdir(/tmp/d) = -1 ENOSYS (function not implemented)", "getppid() = 0x0", "before")
	if strings.Contains(r.stdout, "after") || r.status != 2 || !strings.Contains(r.stderr, "SIGSYS: bad system call") {
		t.Errorf("after SCMP_ACT_TRAP: status %d, want 2 and Go's SIGSYS crash\n%s\n%s", r.status, r.stdout, r.stderr)
	}
}

// TestSeccompKillProcess: SCMP_ACT_KILL_PROCESS ends the program with
// SIGSYS, with Config.Init too (init forwards the status).
func TestSeccompKillProcess(t *testing.T) {
	s := &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActKillProcess}},
	}
	for _, reap := range []bool{false, true} {
		needRoot(t)
		dir, spec := newBundle(t, "sh", "-c", "echo before; syscall mkdir /tmp/d 0755; echo after")
		spec.Linux.Seccomp = s
		r := runContainer(t, stateRoot(t), "seccomp-kill", container.Config{Bundle: dir, Spec: spec, Init: reap})
		if r.status != 128+31 || r.stdout != "before\n" {
			t.Errorf("init %v: status %d, want %d (SIGSYS); stdout %q", reap, r.status, 128+31, r.stdout)
		}
	}
}

// TestSeccompDefaultErrno: an allow list, the Go program's own calls,
// and the default ERRNO for the rest.
func TestSeccompDefaultErrno(t *testing.T) {
	allow := []string{"arch_prctl", "clone", "close", "execve", "exit", "exit_group", "fcntl", "futex", "getpid", "gettid",
		"madvise", "mmap", "munmap", "mprotect", "nanosleep", "openat", "prctl", "pread64", "prlimit64", "read",
		"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sched_getaffinity", "sched_yield", "sigaltstack", "tgkill", "write"}
	s := &specs.LinuxSeccomp{
		DefaultAction:   specs.ActErrno,
		DefaultErrnoRet: uintp(uint(38)), // ENOSYS
		Syscalls:        []specs.LinuxSyscall{{Names: allow, Action: specs.ActAllow}},
	}
	r := seccompContainer(t, "seccomp-default", s, true, "sh", "-c", "syscall getpid; syscall getppid; syscall mkdir /tmp/d 0755; echo done")
	lines(t, r.stdout, "getpid() = 0x1", "getppid() = -1 ENOSYS (function not implemented)", "mkdir(/tmp/d, 0755) = -1 ENOSYS (function not implemented)", "done")
}

// TestSeccompDeniesExecve: a filter that denies execve stops the
// container from starting, and says why.
func TestSeccompDeniesExecve(t *testing.T) {
	needRoot(t)
	for _, nnp := range []bool{true, false} {
		dir, spec := newBundle(t, "true")
		spec.Process.NoNewPrivileges = nnp
		spec.Linux.Seccomp = &specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Syscalls:      []specs.LinuxSyscall{{Names: []string{"execve", "execveat"}, Action: specs.ActErrno}},
		}
		c, err := container.Create(stateRoot(t), "seccomp-execve", container.Config{Bundle: dir, Spec: spec})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Run(&container.Process{})
		if err == nil || !strings.Contains(err.Error(), "unable to execute") || !strings.Contains(err.Error(), "operation not permitted") {
			t.Errorf("nnp %v: Run = %v, want execve's EPERM", nnp, err)
		}
		c.ForceDestroy()
	}
}

// TestSeccompRefusedByCreate: what the filter cannot honour is refused
// before anything is made, naming the field.
func TestSeccompRefusedByCreate(t *testing.T) {
	needRoot(t)
	cases := map[string]*specs.LinuxSeccomp{
		`linux.seccomp.syscalls[0].names[1]: unknown system call "mkdri"`: {DefaultAction: specs.ActAllow,
			Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir", "mkdri"}, Action: specs.ActErrno}}},
		`linux.seccomp.syscalls[0].action: unknown action "SCMP_ACT_DENY"`: {DefaultAction: specs.ActAllow,
			Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: "SCMP_ACT_DENY"}}},
		`linux.seccomp.defaultAction: unknown action ""`: {},
		`linux.seccomp.architectures[1]: unknown architecture "SCMP_ARCH_VAX"`: {DefaultAction: specs.ActAllow,
			Architectures: []specs.Arch{specs.ArchX86, "SCMP_ARCH_VAX"}},
		"linux.seccomp.listenerPath/listenerMetadata: seccomp agents (SCMP_ACT_NOTIFY) are not supported": {DefaultAction: specs.ActAllow, ListenerPath: "/run/agent.sock"},
		`linux.seccomp.flags[0]: "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" is not supported`: {DefaultAction: specs.ActAllow,
			Flags: []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagWaitKillableRecv}},
	}
	for want, s := range cases {
		dir, spec := newBundle(t, "true")
		spec.Linux.Seccomp = s
		root := stateRoot(t)
		_, err := container.Create(root, "seccomp-bad", container.Config{Bundle: dir, Spec: spec})
		if err == nil || !errors.Is(err, container.ErrInvalidConfig) || !strings.Contains(err.Error(), want) {
			t.Errorf("Create = %v, want %q", err, want)
		}
		if _, err := os.Stat(filepath.Join(root, "seccomp-bad")); err == nil {
			t.Errorf("%s: a state directory was made", want)
		}
	}
}

// TestSeccompExec: a process exec'd into the container gets its filter.
func TestSeccompExec(t *testing.T) {
	needRoot(t)
	c, _ := startDetached(t, "seccomp-exec", func(s *specs.Spec) {
		s.Linux.Seccomp = &specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Syscalls:      []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActErrno}},
		}
	})
	for _, nnp := range []bool{true, false} {
		out, err := os.CreateTemp(t.TempDir(), "out")
		if err != nil {
			t.Fatal(err)
		}
		ps := &specs.Process{Args: []string{"syscall", "mkdir", "/tmp/d", "0755"}, Cwd: "/", Env: []string{"PATH=/bin"}, NoNewPrivileges: nnp}
		p := &container.Process{Spec: ps, Stdout: out, Stderr: out}
		if err := c.Exec(p); err != nil {
			t.Fatal(err)
		}
		code, err := p.Wait()
		b, _ := os.ReadFile(out.Name())
		if err != nil || code != 1 || string(b) != "mkdir(/tmp/d, 0755) = -1 EPERM (operation not permitted)\n" {
			t.Errorf("nnp %v: exec exit %d, %v: %s", nnp, code, err, b)
		}
	}
}

// TestSeccompDeniesCloseRange: a profile that denies close_range(2), as
// profiles older than Linux 5.9 do (runtime-tools' default answers EPERM),
// loaded before the credentials change (no no_new_privs), still lets the
// program start, plain and under the reaping init: the runtime falls back
// to fcntl(FD_CLOEXEC) over /proc/self/fd, and the program inherits only
// stdio.
func TestSeccompDeniesCloseRange(t *testing.T) {
	for _, errno := range []uint{1, 38} { // EPERM, ENOSYS
		for _, reap := range []bool{false, true} {
			needRoot(t)
			s := &specs.LinuxSeccomp{
				DefaultAction: specs.ActAllow,
				Syscalls:      []specs.LinuxSyscall{{Names: []string{"close_range"}, Action: specs.ActErrno, ErrnoRet: uintp(errno)}},
			}
			dir, spec := newBundle(t, "sh", "-c", "syscall close_range 3 3 0; ls /proc/self/fd")
			spec.Linux.Seccomp = s
			spec.Process.NoNewPrivileges = false
			r := runContainer(t, stateRoot(t), "seccomp-closerange", container.Config{Bundle: dir, Spec: spec, Init: reap})
			if r.status != 0 {
				t.Errorf("errno %d, reaping init %v: status %d\n%s\n%s", errno, reap, r.status, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, "close_range(3, 3, 0) = -1 E") {
				t.Errorf("errno %d, reaping init %v: close_range was not denied inside:\n%s", errno, reap, r.stdout)
			}
			if _, fds, _ := strings.Cut(r.stdout, "\n"); fds != "0\n1\n2\n" {
				t.Errorf("errno %d, reaping init %v: descriptors open in the program:\n%s", errno, reap, fds)
			}
		}
	}
}

// TestSeccompDeniesGetcwd: a filter that denies getcwd(2), loaded before
// the credentials change (no no_new_privs), does not stop init's check
// of the working directory, which walks up with ".." instead; inside,
// the program sees getcwd denied.
func TestSeccompDeniesGetcwd(t *testing.T) {
	s := &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"getcwd"}, Action: specs.ActErrno, ErrnoRet: uintp(1)}},
	}
	needRoot(t)
	dir, spec := newBundle(t, "sh", "-c", "syscall getcwd; write f ok; cat f")
	spec.Linux.Seccomp = s
	spec.Process.NoNewPrivileges = false
	spec.Process.Cwd = "/tmp"
	r := runContainer(t, stateRoot(t), "seccomp-getcwd", container.Config{Bundle: dir, Spec: spec})
	if r.status != 0 {
		t.Fatalf("status %d\n%s\n%s", r.status, r.stdout, r.stderr)
	}
	lines(t, r.stdout, "getcwd() = -1 EPERM (operation not permitted)", "ok")
}
