package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPty returns a new pty pair from the host's /dev/ptmx.
func openPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	fd, _, errno := unix.Syscall(unix.SYS_IOCTL, m.Fd(), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY)
	if errno != 0 {
		t.Fatal(errno)
	}
	return m, os.NewFile(fd, "pty-slave")
}

// TestRunWithTerminal runs `nsinit run -t` on a pty: the container's
// process gets a pty of its own (from the container's devpts), which
// nsinit relays to ours.
func TestRunWithTerminal(t *testing.T) {
	needRoot(t)
	bin, _ := binaries(t)
	dir := makeBundle(t, "sh", "-c", "readlink /proc/self/fd/0; ls /dev/console; hostname")
	master, slave := openPty(t)
	defer master.Close()
	cmd := exec.Command(bin, "--root", t.TempDir(), "run", "-t", "--bundle", dir, "tty")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	var out bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&out, master); close(done) }() // ends with EIO when nsinit exits
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Errorf("nsinit run -t: %v", err)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("nsinit run -t did not finish")
	}
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	got := strings.ReplaceAll(out.String(), "\r\n", "\n")
	for _, want := range []string{"/dev/pts/0\n", "/dev/console\n", "deferio\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%q", want, got)
		}
	}
}

// TestExecWithTerminal: exec -t into a running container gives the new
// process a pty of the container's devpts too.
func TestExecWithTerminal(t *testing.T) {
	needRoot(t)
	bin, _ := binaries(t)
	dir := makeBundle(t, "sleep", "60")
	root := t.TempDir()
	defer nsinitRun(t, root, "delete", "--force", "ttyexec")
	if _, errs, code := nsinitRun(t, root, "run", "-d", "--bundle", dir, "ttyexec"); code != 0 {
		t.Fatalf("run -d: %d %s", code, errs)
	}
	master, slave := openPty(t)
	defer master.Close()
	cmd := exec.Command(bin, "--root", root, "exec", "-t", "--id", "ttyexec", "sh", "-c", "readlink /proc/self/fd/1; ps")
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
	select {
	case err := <-waitErr:
		if err != nil {
			t.Errorf("nsinit exec -t: %v", err)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("nsinit exec -t did not finish")
	}
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	got := strings.ReplaceAll(out.String(), "\r\n", "\n")
	for _, want := range []string{"/dev/pts/", "    1     0 sleep 60\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%q", want, got)
		}
	}
}
