package procx_test

import (
	"context"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"github.com/deferio/deferio/procx"
)

func TestStatusOfRealProcesses(t *testing.T) {
	dir := t.TempDir() // core files land here, with core_pattern "core"
	tests := []struct {
		name   string
		script string
		check  func(t *testing.T, s procx.Status)
	}{
		{"exit 0", "exit 0", func(t *testing.T, s procx.Status) {
			if !s.Success() || s.String() != "exit code 0" {
				t.Errorf("%+v", s)
			}
		}},
		{"exit 3", "exit 3", func(t *testing.T, s procx.Status) {
			if !s.Exited || s.Code != 3 || s.Signaled || s.String() != "exit code 3" {
				t.Errorf("%+v", s)
			}
		}},
		{"SIGTERM", "kill -TERM $$", func(t *testing.T, s procx.Status) {
			if !s.Signaled || s.Signal != syscall.SIGTERM || s.SignalName != "SIGTERM" || s.Code != -1 || s.CoreDumped {
				t.Errorf("%+v", s)
			}
			if s.String() != "killed by SIGTERM" {
				t.Errorf("String() = %q", s.String())
			}
		}},
		{"SIGSEGV without core", "ulimit -c 0; kill -SEGV $$", func(t *testing.T, s procx.Status) {
			if !s.Signaled || s.SignalName != "SIGSEGV" || s.CoreDumped {
				t.Errorf("%+v", s)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd, err := procx.Command(context.Background(), []string{"sh", "-c", tt.script})
			if err != nil {
				t.Fatal(err)
			}
			cmd.Dir = dir
			err = cmd.Run()
			st := procx.StatusOf(cmd.ProcessState)
			if st.Pid != cmd.Process.Pid {
				t.Errorf("Pid %d, want %d", st.Pid, cmd.Process.Pid)
			}
			if err != nil {
				fromErr, ok := procx.ExitStatus(err)
				if !ok || fromErr != st {
					t.Errorf("ExitStatus(%v) = %+v, %v; want %+v", err, fromErr, ok, st)
				}
			}
			if st.MaxRSS <= 0 {
				t.Errorf("MaxRSS %d, want the child's peak RSS", st.MaxRSS)
			}
			tt.check(t, st)
		})
	}
}

// The core-dumped bit is set only when the kernel really wrote a core:
// this needs RLIMIT_CORE above zero and a core_pattern that writes a file.
func TestStatusCoreDumped(t *testing.T) {
	pattern, err := os.ReadFile("/proc/sys/kernel/core_pattern")
	if err != nil || string(pattern) != "core\n" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("core_pattern is %q (%v), want \"core\"", pattern, err)
		}
		t.Skipf("core_pattern is %q, this test expects the kernel default \"core\"", pattern)
	}
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", "ulimit -c unlimited; kill -SEGV $$")
	cmd.Dir = dir
	_ = cmd.Run()
	st := procx.StatusOf(cmd.ProcessState)
	if !st.CoreDumped || st.String() != "killed by SIGSEGV (core dumped)" {
		t.Errorf("status %v (%+v), want a core dump", st, st)
	}
}

func TestFromWaitStatus(t *testing.T) {
	// Linux encodes: exit code << 8; signal in the low 7 bits; 0x80 core.
	tests := []struct {
		ws   syscall.WaitStatus
		want string
	}{
		{0, "exit code 0"},
		{2 << 8, "exit code 2"},
		{255 << 8, "exit code 255"},
		{9, "killed by SIGKILL"},
		{11 | 0x80, "killed by SIGSEGV (core dumped)"},
		{6 | 0x80, "killed by SIGABRT (core dumped)"},
	}
	for _, tt := range tests {
		ru := &syscall.Rusage{Maxrss: 2048}
		ru.Utime.Usec = 1500
		s := procx.FromWaitStatus(42, tt.ws, ru)
		if s.String() != tt.want {
			t.Errorf("%#x: %q, want %q", uint32(tt.ws), s.String(), tt.want)
		}
		if s.MaxRSS != 2048*1024 || s.UserTime.Microseconds() != 1500 {
			t.Errorf("%#x: rusage %+v", uint32(tt.ws), s)
		}
	}
	if got := procx.SignalName(syscall.Signal(50)); got != "SIGRT16" && got != "signal 50" {
		t.Errorf("SignalName(50) = %q", got)
	}
	if got := procx.SignalName(syscall.Signal(99)); got != "signal 99" {
		t.Errorf("SignalName(99) = %q", got)
	}
	if _, ok := procx.ExitStatus(os.ErrNotExist); ok {
		t.Error("ExitStatus of a non-exit error reported ok")
	}
	if s := procx.StatusOf(nil); s.Exited || s.Signaled || s.Pid != 0 || s.Code != -1 || s.String() != "not ended" {
		t.Errorf("StatusOf(nil) = %v", s)
	}
}
