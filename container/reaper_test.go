package container_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/container/bundle"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// busyboxBundle makes a bundle whose rootfs is Debian's static busybox,
// whose sh has what toybox's lacks: background jobs, subshells, exec and
// kill. It skips (fails when CI=true) when busybox-static is missing.
func busyboxBundle(t *testing.T, args ...string) (string, *specs.Spec) {
	t.Helper()
	bb := staticBusybox(t)
	dir := t.TempDir()
	rootfs := filepath.Join(dir, "rootfs")
	for _, d := range []string{"bin", "dev", "etc", "proc", "sys", "tmp"} {
		if err := os.MkdirAll(filepath.Join(rootfs, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := bundle.AddMultiCall(rootfs, bb, "sh", "sleep", "cat", "echo", "head", "kill", "true", "hostname", "ps"); err != nil {
		t.Fatal(err)
	}
	spec := bundle.DefaultSpec(args...)
	spec.Linux.CgroupsPath = fmt.Sprintf("/deferio/test-%d-%d", os.Getpid(), bundleSeq.Add(1))
	return dir, spec
}

// staticBusybox returns the static busybox, or skips (fails when
// CI=true) without one.
func staticBusybox(t *testing.T) string {
	t.Helper()
	bb, err := bundle.StaticBusybox()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v, and CI=true", err)
		}
		t.Skip(err)
	}
	return bb
}

// zombies returns the live processes of c's cgroup and the zombies among
// their children.
func zombies(t *testing.T, c *container.Container) (pids, zs []int) {
	t.Helper()
	pids, err := c.Processes()
	if err != nil {
		t.Fatalf("Processes: %v", err)
	}
	if zs, err = c.Zombies(); err != nil {
		t.Fatalf("Zombies: %v", err)
	}
	return pids, zs
}

// waitStatus runs p.Wait in the background.
func waitStatus(p *container.Process) <-chan int {
	ch := make(chan int, 1)
	go func() {
		code, err := p.Wait()
		if err != nil {
			code = -1
		}
		ch <- code
	}()
	return ch
}

// TestInitReapsOrphans runs a program that double-forks (the subshell
// exits at once, so its background child is re-parented to PID 1),
// then execs sleep, which never waits. The orphan prints and exits. With
// Config.Init the container's init reaps it; without, it stays a zombie
// under sleep, which is the proof that the test can fail. Then SIGTERM:
// with Init it is forwarded and the program's death by signal comes back
// as 128+15; without, sleep is PID 1 with no handler and the kernel drops
// the signal.
func TestInitReapsOrphans(t *testing.T) {
	needRoot(t)
	for _, withInit := range []bool{true, false} {
		t.Run(fmt.Sprintf("init=%v", withInit), func(t *testing.T) {
			dir, spec := busyboxBundle(t, "sh", "-c", "(sh -c 'sleep 0.2; echo orphan-done' &); echo started; exec sleep 30")
			c, err := container.Create(stateRoot(t), "reap", container.Config{Bundle: dir, Spec: spec, Init: withInit})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.ForceDestroy() })
			outR, outW, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer outR.Close()
			p := &container.Process{Stdout: outW, Stderr: os.Stderr}
			err = c.Run(p)
			outW.Close()
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			status := waitStatus(p)
			lines := make(chan string, 4)
			go func() {
				sc := bufio.NewScanner(outR)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			for _, want := range []string{"started", "orphan-done"} {
				select {
				case l := <-lines:
					if l != want {
						t.Fatalf("the program printed %q, want %q", l, want)
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("no %q from the program after 10s", want)
				}
			}
			// The orphan is exiting. With Init, wait until it is reaped:
			// init and sleep left, and no zombie on two polls in a row (an
			// exiting process leaves its cgroup just before it becomes a
			// zombie). Without, wait for the zombie, and see it stay.
			var pids, zs []int
			deadline := time.Now().Add(5 * time.Second)
			for ok := 0; ok < 2 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				pids, zs = zombies(t, c)
				switch {
				case withInit && len(zs) == 0 && len(pids) == 2:
					ok++
				case !withInit && len(zs) > 0:
					ok = 2
				default:
					ok = 0
				}
			}
			if withInit {
				if len(zs) != 0 || len(pids) != 2 {
					t.Fatalf("with Init: processes %v, zombies %v; want init and sleep, no zombie", pids, zs)
				}
			} else {
				time.Sleep(300 * time.Millisecond)
				if pids, zs = zombies(t, c); len(zs) != 1 || len(pids) != 1 {
					t.Fatalf("without Init: processes %v, zombies %v; want sleep and one zombie nobody reaps", pids, zs)
				}
			}

			if err := c.Signal(syscall.SIGTERM); err != nil {
				t.Fatalf("Signal: %v", err)
			}
			if withInit {
				select {
				case code := <-status:
					if code != 128+int(syscall.SIGTERM) {
						t.Errorf("with Init, after SIGTERM: status %d, want %d (the program killed by the forwarded SIGTERM)", code, 128+int(syscall.SIGTERM))
					}
				case <-time.After(10 * time.Second):
					t.Fatal("with Init: SIGTERM did not stop the program within 10s")
				}
				return
			}
			select {
			case code := <-status:
				t.Fatalf("without Init: SIGTERM to a handler-less PID 1 should be dropped, but the container exited with %d", code)
			case <-time.After(500 * time.Millisecond):
			}
			c.Signal(syscall.SIGKILL)
			if code := <-status; code != 128+int(syscall.SIGKILL) {
				t.Errorf("without Init, after SIGKILL: status %d, want %d", code, 128+int(syscall.SIGKILL))
			}
		})
	}
}

// TestInitExitStatus checks what a reaping init exits with: the program's
// exit code, or 128+N for death by signal N; and that the program is not
// PID 1 (init is).
func TestInitExitStatus(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		name, script string
		status       int
		stdout       string
	}{
		{"code", "[ $$ != 1 ] && echo not-pid-1; exit 7", 7, "not-pid-1\n"},
		{"signal", "kill -KILL $$", 128 + int(syscall.SIGKILL), ""},
		{"pid1", "cat /proc/1/cmdline | head -c 6", 0, "nsinit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, spec := busyboxBundle(t, "sh", "-c", tc.script)
			r := runContainer(t, stateRoot(t), "reapstatus", container.Config{Bundle: dir, Spec: spec, Init: true})
			if r.status != tc.status || r.stdout != tc.stdout {
				t.Errorf("status %d, stdout %q (stderr %q); want %d, %q", r.status, r.stdout, r.stderr, tc.status, tc.stdout)
			}
		})
	}
}

// TestInitMissingProgram checks that with Init a program that cannot be
// found fails Run as it does without: the error comes over the init
// socket before init closes it.
func TestInitMissingProgram(t *testing.T) {
	needRoot(t)
	for _, withInit := range []bool{false, true} {
		t.Run(fmt.Sprintf("init=%v", withInit), func(t *testing.T) {
			dir, spec := busyboxBundle(t, "no-such-program")
			c, err := container.Create(stateRoot(t), "reapmissing", container.Config{Bundle: dir, Spec: spec, Init: withInit})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.ForceDestroy() })
			err = c.Run(&container.Process{})
			if err == nil || !strings.Contains(err.Error(), `unable to find "no-such-program" in the container's PATH`) {
				t.Fatalf("Run: %v; want the lookup error", err)
			}
		})
	}
}
