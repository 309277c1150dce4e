package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deferio/deferio/container/bundle"
)

// The escape tests run a real attack from inside a container against
// nsinit, once against nsinit as it is and once against a build with the
// attack's defence disabled at link time (container.disabledDefences):
// the attack must fail against the first and succeed against the second,
// which proves the test would catch the defence's loss.

// nsinitWithout builds nsinit with the named defences disabled, or copies
// the normal build when defences is "": either way a binary of the test's
// own, which an attack may rewrite.
func nsinitWithout(t *testing.T, defences string) string {
	t.Helper()
	bin, _ := binaries(t)
	out := filepath.Join(t.TempDir(), "nsinit")
	if defences == "" {
		b, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, b, 0o755); err != nil {
			t.Fatal(err)
		}
		return out
	}
	cmd := exec.Command(goTool(), "build", "-o", out,
		"-ldflags=-X=github.com/deferio/deferio/container.disabledDefences="+defences, "github.com/deferio/deferio/cmd/nsinit")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build nsinit without %s: %v\n%s", defences, err, b)
	}
	return out
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// runWith runs bin with --root root and args, its stdout and stderr
// going to out (a file: a detached container keeps them, so a pipe would
// never reach EOF), and fails the test on a non-zero status.
func runWith(t *testing.T, bin, root string, out *os.File, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--root", root}, args...)...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(out.Name())
		t.Fatalf("nsinit %s: %v\n%s", strings.Join(args, " "), err, b)
	}
}

// waitStopped polls nsinit state until the container has stopped.
func waitStopped(t *testing.T, bin, root, id string) {
	t.Helper()
	for deadline := time.Now().Add(40 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		out, err := exec.Command(bin, "--root", root, "state", id).Output()
		if err != nil || strings.Contains(string(out), `"status": "stopped"`) {
			return
		}
	}
	t.Fatalf("container %s did not stop", id)
}

// TestEscapeCVE20195736 is CVE-2019-5736: the container's /bin/sh is a
// script whose interpreter is #!/proc/self/exe, so when the runtime execs
// /bin/sh into the container the kernel starts the runtime's own binary
// again, now with the container's credentials; a process in the
// container holds that binary through /proc/PID/exe and, once the
// runtime is done, rewrites it through that descriptor. The defence in nsinit: the runtime never executes its own
// binary for a container, but a sealed memfd copy (container/memfd.go,
// sealedSelf), which F_SEAL_WRITE makes read-only for everyone; the
// attack then holds the memfd, and its reopen for writing fails.
func TestEscapeCVE20195736(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		defences string
		wrote    bool
	}{{"", false}, {"memfd", true}} {
		t.Run("disabled="+tc.defences, func(t *testing.T) {
			bin := nsinitWithout(t, tc.defences)
			before := fileHash(t, bin)
			dir := makeBundle(t, "overwrite-runtime", "20")
			sh := filepath.Join(dir, "rootfs", "bin", "sh")
			if err := os.Remove(sh); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(sh, []byte("#!/proc/self/exe\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			root := t.TempDir()
			id := fmt.Sprintf("cve-2019-5736-%d", os.Getpid())
			out, err := os.Create(filepath.Join(t.TempDir(), "out"))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			t.Cleanup(func() { exec.Command(bin, "--root", root, "delete", "--force", id).Run() })
			runWith(t, bin, root, out, "create", "--bundle", dir, id)
			runWith(t, bin, root, out, "start", id)
			// The runtime's binary runs in the container for a moment
			// only: exec until the attack has caught it.
			var report string
			for i := 0; i < 50 && !strings.Contains(report, "held "); i++ {
				exec.Command(bin, "--root", root, "exec", "--id", id, "/bin/sh").Run()
				b, _ := os.ReadFile(out.Name())
				report = string(b)
			}
			waitStopped(t, bin, root, id)
			b, _ := os.ReadFile(out.Name())
			report = string(b)
			changed := fileHash(t, bin) != before
			switch {
			case !strings.Contains(report, "held "):
				t.Fatalf("the attack never held the runtime's binary: %q", report)
			case tc.wrote && (!changed || !strings.Contains(report, "wrote")):
				t.Errorf("with the memfd defence disabled the attack should rewrite nsinit: changed %v, report %q", changed, report)
			case !tc.wrote && (changed || !strings.Contains(report, "denied") || !strings.Contains(report, "held /memfd:deferio-init")):
				t.Errorf("nsinit was rewritten from inside a container (CVE-2019-5736): changed %v, report %q", changed, report)
			}
			t.Logf("attack: %s", strings.ReplaceAll(strings.TrimSpace(report), "\n", "; "))
		})
	}
}

// TestEscapeCVE202421626 is CVE-2024-21626:
// a descriptor of a host directory that the runtime leaked into init,
// reached through process.cwd = /proc/self/fd/N, puts the container's
// process in the host's file system, where ../../.. walks up to the
// host's root. The attack tries every N from 3 to 15 and reads a file
// of the host. The defences in nsinit: init holds no host directory
// when it changes directory (its descriptors are the init socket and the
// FIFO's, and /proc/self/fd is closed before), and enterCwd
// (container/setup.go) refuses a working directory that getcwd(2) does
// not show inside the root. The build with both disabled (a leaked
// /sys/fs/cgroup, as runc 1.1.11 had, and no check) must let the attack
// read the file; with only the leak, the check must stop it.
func TestEscapeCVE202421626(t *testing.T) {
	needRoot(t)
	secretDir := t.TempDir()
	secret := fmt.Sprintf("host secret %d", os.Getpid())
	if err := os.WriteFile(filepath.Join(secretDir, "secret"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	// From /sys/fs/cgroup, three levels up is the host's root.
	target := "../../.." + filepath.Join(secretDir, "secret")
	for _, tc := range []struct {
		defences string
		read     bool
	}{{"", false}, {"fdhygiene", false}, {"fdhygiene,cwdcheck", true}} {
		t.Run("disabled="+tc.defences, func(t *testing.T) {
			bin := nsinitWithout(t, tc.defences)
			root := t.TempDir()
			var read []int
			var refused int
			for n := 3; n <= 15; n++ {
				spec := bundle.DefaultSpec("cat", target)
				spec.Process.Cwd = fmt.Sprintf("/proc/self/fd/%d", n)
				spec.Linux.CgroupsPath = testCgroupsPath()
				dir := makeBundleSpec(t, spec)
				out, err := os.Create(filepath.Join(t.TempDir(), "out"))
				if err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command(bin, "--root", root, "run", "--bundle", dir, fmt.Sprintf("cve-2024-21626-%d", n))
				cmd.Stdout, cmd.Stderr = out, out
				cmd.Run()
				out.Close()
				b, _ := os.ReadFile(out.Name())
				if strings.Contains(string(b), secret) {
					read = append(read, n)
				}
				if strings.Contains(string(b), "outside the container's root") {
					refused++
				}
			}
			switch {
			case tc.read && len(read) == 0:
				t.Errorf("with the leak and no check the attack should read the host's file")
			case !tc.read && len(read) > 0:
				t.Errorf("the container read a host file through cwd /proc/self/fd/%v (CVE-2024-21626)", read)
			case tc.defences == "fdhygiene" && refused == 0:
				t.Errorf("with the leak, the working directory check should have refused a cwd")
			}
			t.Logf("host file read through fd %v; refused by the cwd check: %d", read, refused)
		})
	}
}
