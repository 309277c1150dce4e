package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
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
	case <-time.After(20 * time.Second):
		// Someone still holds the terminal: stop the copy, and wait for
		// it, so that out is not read while it is written.
		master.Close()
		<-done
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
	case <-time.After(20 * time.Second):
		// Someone still holds the terminal: stop the copy, and wait for
		// it, so that out is not read while it is written.
		master.Close()
		<-done
	}
	got := strings.ReplaceAll(out.String(), "\r\n", "\n")
	for _, want := range []string{"/dev/pts/", "    1     0 sleep 60\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%q", want, got)
		}
	}
}

// TestCreateWithConsoleSocket: a detached container with a terminal hands
// its pty master to a unix socket, and the program's output comes through
// it after start.
func TestCreateWithConsoleSocket(t *testing.T) {
	needRoot(t)
	dir := makeBundle(t, "sh", "-c", "readlink /proc/self/fd/0; hostname")
	b, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	os.WriteFile(filepath.Join(dir, "config.json"), bytes.Replace(b, []byte(`"cwd": "/"`), []byte(`"terminal": true, "cwd": "/"`), 1), 0o644)
	root := t.TempDir()
	defer nsinitRun(t, root, "delete", "--force", "console")
	if _, errs, code := nsinitRun(t, root, "create", "--bundle", dir, "console"); code != 2 || !strings.Contains(errs, "--console-socket") {
		t.Errorf("create with a terminal and no socket: %d %s", code, errs)
	}
	sock := filepath.Join(t.TempDir(), "console.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got := make(chan *os.File, 1)
	go func() {
		conn, err := l.AcceptUnix()
		if err != nil {
			got <- nil
			return
		}
		defer conn.Close()
		buf, oob := make([]byte, 64), make([]byte, unix.CmsgSpace(4))
		_, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
		if err != nil {
			got <- nil
			return
		}
		msgs, _ := unix.ParseSocketControlMessage(oob[:oobn])
		if len(msgs) != 1 {
			got <- nil
			return
		}
		fds, _ := unix.ParseUnixRights(&msgs[0])
		if len(fds) != 1 {
			got <- nil
			return
		}
		got <- os.NewFile(uintptr(fds[0]), "pty-master")
	}()
	if _, errs, code := nsinitRun(t, root, "create", "--bundle", dir, "--console-socket", sock, "console"); code != 0 {
		t.Fatalf("create --console-socket: %d %s", code, errs)
	}
	master := <-got
	if master == nil {
		t.Fatal("no pty master came through the console socket")
	}
	defer master.Close()
	if _, errs, code := nsinitRun(t, root, "start", "console"); code != 0 {
		t.Fatalf("start: %d %s", code, errs)
	}
	var out bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&out, master); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the pty did not close after the program exited")
	}
	s := strings.ReplaceAll(out.String(), "\r\n", "\n")
	if !strings.Contains(s, "/dev/pts/0\n") || !strings.Contains(s, "deferio\n") {
		t.Errorf("through the console socket: %q", s)
	}
}
