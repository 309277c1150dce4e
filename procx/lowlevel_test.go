package procx_test

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/deferio/deferio/procx"
)

func TestForkExecWait4(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	path, err := procx.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	pid, err := procx.ForkExec(path, []string{"sh", "-c", "echo $FOO; exit 6"}, []string{"FOO=bar"},
		[]uintptr{0, w.Fd(), 2})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err := procx.Wait4(pid)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	n, _ := r.Read(buf)
	if string(buf[:n]) != "bar\n" || st.Code != 6 || st.Pid != pid || st.MaxRSS == 0 {
		t.Errorf("output %q, status %+v", buf[:n], st)
	}
	// Waiting twice: the child is gone.
	if _, err := procx.Wait4(pid); err == nil {
		t.Error("second Wait4 succeeded")
	}
}

func TestForkExecBadInput(t *testing.T) {
	if _, err := procx.ForkExec("/bin/true", nil, nil, nil); err != procx.ErrEmptyArgv {
		t.Errorf("empty argv: %v", err)
	}
	if _, err := procx.ForkExec("", []string{"x"}, nil, nil); err == nil {
		t.Error("empty path accepted")
	}
	// No $PATH search at this level: a bare name is a path relative to
	// the current directory, and there is no "true" here.
	if _, err := procx.ForkExec("true", []string{"true"}, nil, nil); err == nil {
		t.Error("bare name found")
	}
	for _, pid := range []int{0, -1} {
		if _, err := procx.Wait4(pid); err == nil {
			t.Errorf("Wait4(%d) accepted", pid)
		}
	}
}

func TestPidFD(t *testing.T) {
	cmd := exec.Command("sleep", "100")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	info, err := procx.PidFD(cmd.Process)
	if err != nil {
		t.Fatal(err)
	}
	if info.Target != "anon_inode:[pidfd]" || info.Pid != cmd.Process.Pid || info.FD <= 2 {
		t.Errorf("%+v, want a pidfd for pid %d", info, cmd.Process.Pid)
	}
	if _, err := procx.PidFD(nil); err == nil {
		t.Error("nil process accepted")
	}
}

// Pdeathsig fires when the OS thread that started the child exits, not
// when the process does (golang/go#27505). A goroutine that locks its
// thread and returns without unlocking makes the runtime end the thread,
// and the child dies with the parent process still alive.
func TestPdeathsigThreadPitfall(t *testing.T) {
	started := make(chan *exec.Cmd)
	offMainThread(func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		cmd := exec.Command("sleep", "100")
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Error(err)
			cmd = nil
		}
		started <- cmd
	})
	cmd := <-started
	if cmd == nil {
		return
	}
	// If the thread did not exit, end the test instead of waiting 100 s.
	guard := time.AfterFunc(20*time.Second, func() { cmd.Process.Signal(syscall.SIGTERM) })
	defer guard.Stop()
	_ = cmd.Wait() // returns because the thread's exit killed sleep
	st := procx.StatusOf(cmd.ProcessState)
	if st.Signal != syscall.SIGKILL {
		t.Errorf("child %v, want killed by SIGKILL from Pdeathsig", st)
	}
}

// offMainThread runs f on a new goroutine that is not on the process's
// main thread. The runtime never exits the main thread (it wedges it
// instead), so a locked goroutine that ends there would not end its
// thread. Holding the main thread locked while starting f's goroutine
// forces f elsewhere.
func offMainThread(f func()) {
	go func() {
		runtime.LockOSThread()
		if unix.Gettid() != os.Getpid() {
			f() // still locked: the thread ends with this goroutine
			return
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			f()
		}()
		<-done
		runtime.UnlockOSThread()
	}()
}
