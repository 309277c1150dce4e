package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deferio/deferio/container/bundle"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
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
// runtime is done, rewrites it through that descriptor. The defence in
// nsinit: the runtime never executes its own binary for a container, but
// a sealed handle on it (container/memfd.go, sealedSelf): the binary on a
// detached read-only overlayfs, or where the kernel cannot make one a
// memfd copy that F_SEAL_WRITE makes read-only for everyone. The attack
// then holds that handle, and its reopen for writing fails (EROFS or
// EPERM). The "overlay" case forces the memfd way.
func TestEscapeCVE20195736(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		defences string
		wrote    bool
		held     string // what the attack holds when it is denied
	}{{"", false, "/nsinit"}, {"overlay", false, "/memfd:deferio-init"}, {"memfd", true, ""}} {
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
			case !tc.wrote && (changed || !strings.Contains(report, "denied") || !strings.Contains(report, "held "+tc.held)):
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
// (container/setup.go) refuses a working directory from which ".." never
// meets the root. The build with both disabled (a leaked
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

// TestEscapeCVE202130465 is CVE-2021-30465: while the runtime sets up a
// mount whose destination lies under a directory the attacker controls
// (a volume shared with another container), the attacker swaps that
// directory with a symbolic link to a host directory, over and over
// (renameat2 RENAME_EXCHANGE). A runtime that resolves the destination
// first and mounts onto the path after follows the link: the mount lands
// on the host, and with shared propagation the host sees it. The defence
// in nsinit: the mount goes onto a descriptor that
// openat2(RESOLVE_IN_ROOT) opened (container/mounts.go, inRoot), which
// resolves an absolute link inside the rootfs. The build without it must
// lose the race within a thousand tries (here: after 16 to 175); nsinit
// never, in a hundred.
func TestEscapeCVE202130465(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		defences string
		tries    int
		escape   bool
	}{{"", 100, false}, {"mountfd", 1000, true}} {
		t.Run("disabled="+tc.defences, func(t *testing.T) {
			bin := nsinitWithout(t, tc.defences)
			// The host directory the attack aims at, a shared mount so
			// that a mount under it in the container's namespace
			// propagates back to the host's.
			host := t.TempDir()
			if err := unixMount(host, host, "", syscall.MS_BIND, ""); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { syscall.Unmount(host, syscall.MNT_DETACH) })
			if err := unixMount("", host, "", syscall.MS_SHARED, ""); err != nil {
				t.Fatal(err)
			}
			spec := bundle.DefaultSpec("true")
			spec.Linux.CgroupsPath = testCgroupsPath()
			spec.Linux.RootfsPropagation = "rshared"
			spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/vol/victim", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=1m"}})
			dir := makeBundleSpec(t, spec)
			vol, link := filepath.Join(dir, "rootfs", "vol"), filepath.Join(dir, "rootfs", "vol-link")
			if err := os.MkdirAll(filepath.Join(vol, "victim"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(host, link); err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			swapped := make(chan struct{})
			go func() {
				defer close(swapped)
				for {
					select {
					case <-stop:
						return
					default:
						renameExchange(vol, link)
					}
				}
			}()
			root := t.TempDir()
			escaped := -1
			for i := 0; i < tc.tries && escaped < 0; i++ {
				exec.Command(bin, "--root", root, "run", "--bundle", dir, fmt.Sprintf("cve-2021-30465-%d", i)).Run()
				if mountedUnder(t, host) {
					escaped = i
				}
			}
			close(stop)
			<-swapped
			for mountedUnder(t, host) {
				syscall.Unmount(filepath.Join(host, "victim"), syscall.MNT_DETACH)
			}
			switch {
			case tc.escape && escaped < 0:
				t.Errorf("without the defence the swap never put the mount on the host in %d tries", tc.tries)
			case !tc.escape && escaped >= 0:
				t.Errorf("a container's mount landed on the host directory at try %d (CVE-2021-30465)", escaped)
			}
			t.Logf("mount on the host at try %d of %d (-1: never)", escaped, tc.tries)
		})
	}
}

func unixMount(src, dst, typ string, flags uintptr, data string) error {
	return unix.Mount(src, dst, typ, flags, data)
}

// renameExchange swaps a and b atomically (renameat2 RENAME_EXCHANGE).
func renameExchange(a, b string) {
	unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}

// mountedUnder reports whether the host's mount table has a mount below
// dir.
func mountedUnder(t *testing.T, dir string) bool {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			return true
		}
	}
	return false
}

// TestEscapeCVE202531133 is CVE-2025-31133: the image's /dev/null (a
// bundle whose config mounts no tmpfs on /dev takes /dev from the
// image) is a symbolic link to a procfs file, and the runtime masks
// paths by binding "/dev/null" over them: the masked path becomes that
// file, writable where the mask should have hidden it. (The real attack
// links core_pattern and gets the host to run a program; this test links
// the container's own /proc/sys/kernel/hostname, which is as telling and
// harmless.) The defence in nsinit: devNull (container/mask.go) opens
// /dev/null with open_tree(AT_SYMLINK_NOFOLLOW) and refuses anything but
// the character device 1:3.
func TestEscapeCVE202531133(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		defences string
		escape   bool
	}{{"", false}, {"devnull", true}} {
		t.Run("disabled="+tc.defences, func(t *testing.T) {
			bin := nsinitWithout(t, tc.defences)
			spec := bundle.DefaultSpec("cat", "/proc/timer_list")
			spec.Linux.CgroupsPath = testCgroupsPath()
			spec.Hostname = fmt.Sprintf("masked-%d", os.Getpid())
			var mounts []specs.Mount
			for _, m := range spec.Mounts {
				if !strings.HasPrefix(m.Destination, "/dev") {
					mounts = append(mounts, m)
				}
			}
			spec.Mounts = mounts
			spec.Linux.MaskedPaths = []string{"/proc/timer_list"}
			dir := makeBundleSpec(t, spec)
			devDir := filepath.Join(dir, "rootfs", "dev")
			if err := os.MkdirAll(devDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("/proc/sys/kernel/hostname", filepath.Join(devDir, "null")); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(bin, "--root", t.TempDir(), "run", "--bundle", dir, "cve-2025-31133").CombinedOutput()
			leaked := strings.Contains(string(out), spec.Hostname)
			switch {
			case tc.escape && !leaked:
				t.Errorf("without the defence the masked path should show the linked file: %v %q", err, out)
			case !tc.escape && (leaked || err == nil || !strings.Contains(string(out), "not the character device 1:3")):
				t.Errorf("a /dev/null link replaced a masked path (CVE-2025-31133) or the start did not fail clearly: %v %q", err, out)
			}
			t.Logf("%v: %s", err, strings.TrimSpace(string(out)))
		})
	}
}

// TestEscapeCVE202552881 is CVE-2025-52881: the runtime's writes under
// /proc are redirected by a mount over the file it writes, so a value
// meant for a harmless, namespaced file lands in another (in the real
// attack the host's /proc/sys/kernel/core_pattern, through the image's
// mounts and a race; here a bind of the container's own
// /proc/sys/kernel/hostname over kernel/domainname, which the config
// then asks to set). The defence in nsinit: writeProc
// (container/rootfs.go) checks that /proc is a procfs and opens the file
// with openat2(RESOLVE_NO_XDEV), which refuses a mount on the way.
func TestEscapeCVE202552881(t *testing.T) {
	needRoot(t)
	value := fmt.Sprintf("redirected-%d", os.Getpid())
	for _, tc := range []struct {
		defences string
		escape   bool
	}{{"", false}, {"procfd", true}} {
		t.Run("disabled="+tc.defences, func(t *testing.T) {
			bin := nsinitWithout(t, tc.defences)
			spec := bundle.DefaultSpec("hostname")
			spec.Linux.CgroupsPath = testCgroupsPath()
			spec.Linux.Sysctl = map[string]string{"kernel.domainname": value}
			spec.Linux.ReadonlyPaths = nil
			spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/proc/sys/kernel/domainname", Type: "bind", Source: "/proc/sys/kernel/hostname", Options: []string{"bind"}})
			dir := makeBundleSpec(t, spec)
			out, err := exec.Command(bin, "--root", t.TempDir(), "run", "--bundle", dir, "cve-2025-52881").CombinedOutput()
			// hostname prints the value only when the write landed there.
			redirected := err == nil && strings.TrimSpace(string(out)) == value
			switch {
			case tc.escape && !redirected:
				t.Errorf("without the defence the write should land in the hostname: %v %q", err, out)
			case !tc.escape && (redirected || err == nil || !strings.Contains(string(out), "a mount covers it")):
				t.Errorf("a write under /proc was redirected by a mount (CVE-2025-52881), or the start did not fail clearly: %v %q", err, out)
			}
			t.Logf("%v: %s", err, strings.TrimSpace(string(out)))
		})
	}
}

// TestEscapeCVE202552565 is CVE-2025-52565: the runtime bind-mounts the
// process's pty onto /dev/console, and an image whose /dev (no tmpfs in
// the config) holds /dev/console as a symbolic link sends that mount to
// the link's target, such as a procfs file that should be masked or
// read-only. Here the target is /proc/sys/kernel/hostname: redirected,
// it turns into the pty, a character device. nsinit opens the pty's
// slave from the master (TIOCGPTPEER, never by path) and creates the
// mount point with O_NOFOLLOW (container/tty.go, setupConsole), so the
// link fails the start.
func TestEscapeCVE202552565(t *testing.T) {
	needRoot(t)
	for _, tc := range []struct {
		defences string
		escape   bool
	}{{"", false}, {"consoletarget", true}} {
		t.Run("disabled="+tc.defences, func(t *testing.T) {
			bin := nsinitWithout(t, tc.defences)
			spec := bundle.DefaultSpec("ls", "-l", "/proc/sys/kernel/hostname")
			spec.Linux.CgroupsPath = testCgroupsPath()
			var mounts []specs.Mount
			for _, m := range spec.Mounts {
				if m.Destination != "/dev" {
					mounts = append(mounts, m)
				}
			}
			spec.Mounts = mounts
			spec.Linux.ReadonlyPaths, spec.Linux.MaskedPaths = nil, nil
			dir := makeBundleSpec(t, spec)
			dev := filepath.Join(dir, "rootfs", "dev")
			for _, d := range []string{"pts", "shm", "mqueue"} {
				if err := os.MkdirAll(filepath.Join(dev, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for link, target := range map[string]string{"ptmx": "pts/ptmx", "console": "/proc/sys/kernel/hostname"} {
				if err := os.Symlink(target, filepath.Join(dev, link)); err != nil {
					t.Fatal(err)
				}
			}
			master, slave := openPty(t)
			defer master.Close()
			cmd := exec.Command(bin, "--root", t.TempDir(), "run", "-t", "--bundle", dir, "cve-2025-52565")
			cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			slave.Close()
			var out bytes.Buffer
			done := make(chan struct{})
			go func() { io.Copy(&out, master); close(done) }()
			waitErr := make(chan error, 1)
			go func() { waitErr <- cmd.Wait() }()
			var err error
			select {
			case err = <-waitErr:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatal("nsinit run -t did not finish")
			}
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				master.Close()
				<-done
			}
			got := out.String()
			redirected := err == nil && strings.Contains(got, "crw")
			switch {
			case tc.escape && !redirected:
				t.Errorf("without the defence the pty should cover the link's target: %v %q", err, got)
			case !tc.escape && (redirected || err == nil || !strings.Contains(got, "/dev/console")):
				t.Errorf("the console mount followed a link (CVE-2025-52565), or the start did not fail naming it: %v %q", err, got)
			}
			t.Logf("%v: %s", err, strings.TrimSpace(got))
		})
	}
}
