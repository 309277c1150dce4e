package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/deferio/deferio/container/bundle"
	"github.com/deferio/deferio/internal/testenv"
	"github.com/vishvananda/netlink"
)

// Subnets of this test binary: 10.202.N.0/24 (container's tests use
// 10.201 and 10.211).
func netFlagsFor(n int) (hostIf, network string) {
	hostIf = fmt.Sprintf("dvn%d-%d", os.Getpid()%100000, n)
	return hostIf, fmt.Sprintf("addr=10.202.%d.2/24,host=10.202.%d.1/24,hostname=%s", n, n, hostIf)
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// netLeftovers adds to leftovers what a container with a network and a
// published port may leave: the host's end of the veth, a listener on the
// port, a forwarder process.
func netLeftovers(t *testing.T, root, id, hostIf string, port int) []string {
	found := leftovers(t, root, id)
	if _, err := netlink.LinkByName(hostIf); err == nil {
		found = append(found, "interface "+hostIf)
	}
	if l, err := net.Listen("tcp", fmt.Sprintf(":%d", port)); err != nil {
		found = append(found, fmt.Sprintf("port %d: %v", port, err))
	} else {
		l.Close()
	}
	cmds, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range cmds {
		b, _ := os.ReadFile(p)
		if string(b) == "nsinit\x00forward\x00"+id+"\x00" {
			found = append(found, "forwarder "+filepath.Base(filepath.Dir(p)))
		}
	}
	return found
}

// TestKillRuntimeDuringCreateWithNetwork kills `nsinit create` with a
// veth pair and a published port at several points of its work; delete
// --force must then leave no interface (and so no route), listener,
// forwarder, cgroup, mount or state. nsinit adds no iptables rules.
func TestKillRuntimeDuringCreateWithNetwork(t *testing.T) {
	needRoot(t)
	bin, _ := binaries(t)
	dir := makeBundleSpec(t, bundle.DefaultSpec("sleep", "60"))
	root := t.TempDir()
	watched := []string{dir, root, "/sys/fs/cgroup"}
	mounts := testenv.HostMounts(t, watched...)
	delays := []time.Duration{0, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond, 15 * time.Millisecond,
		20 * time.Millisecond, 30 * time.Millisecond, 45 * time.Millisecond, 70 * time.Millisecond, 300 * time.Millisecond}
	for i, d := range delays {
		id := fmt.Sprintf("netkilled-%d-%d", os.Getpid(), i)
		hostIf, network := netFlagsFor(i + 1)
		port := freeTCPPort(t)
		devnull, _ := os.Open(os.DevNull)
		cmd := exec.Command(bin, "--root", root, "create", "--bundle", dir, "--network", network, "-p", fmt.Sprintf("%d:80", port), id)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(d)
		cmd.Process.Kill()
		cmd.Wait()
		devnull.Close()
		out, _, _ := nsinitRun(t, root, "state", id)
		_, errs, code := nsinitRun(t, root, "delete", "--force", id)
		if code != 0 && !(out == "" && strings.Contains(errs, "does not exist")) {
			t.Errorf("delay %v: delete --force: %d %s", d, code, errs)
		}
		var left []string
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if left = netLeftovers(t, root, id, hostIf, port); len(left) == 0 || time.Now().After(deadline) {
				break
			}
		}
		if len(left) != 0 {
			t.Errorf("killed after %v: left behind %v (state before delete: %q)", d, left, out)
		}
	}
	if after := testenv.HostMounts(t, watched...); !slices.Equal(after, mounts) {
		t.Errorf("the host's mount table changed:\nbefore:\n%s\nafter:\n%s", strings.Join(mounts, "\n"), strings.Join(after, "\n"))
	}
}

// TestRunPublishedPort runs `nsinit run --network -p` of a server that
// answers with the peer it sees, under strace: the client's address
// arrives in the PROXY header, `stats --json` counts eth0's bytes, and the
// forwarder moved the payload with splice(2) (iox kept io.Copy's path).
func TestRunPublishedPort(t *testing.T) {
	needRoot(t)
	strace, err := exec.LookPath("strace")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("strace is needed, and CI=true")
		}
		t.Skip("strace is not installed")
	}
	bin, _ := binaries(t)
	dir := makeBundle(t, "peerserve", "80", "2")
	root := t.TempDir()
	id := fmt.Sprintf("published-%d", os.Getpid())
	hostIf, network := netFlagsFor(100)
	port := freeTCPPort(t)
	trace := filepath.Join(t.TempDir(), "strace")
	cmd := exec.Command(strace, "-f", "-qq", "-e", "trace=splice", "-o", trace,
		bin, "--root", root, "run", "--bundle", dir, "--network", network, "-p", fmt.Sprintf("127.0.0.1:%d:80", port), id)
	var stdout strings.Builder
	cmd.Stdout = &stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	askOnce := func(payload string) (string, net.Addr) {
		// Under strace -f on a loaded machine the container can take
		// many seconds to listen.
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err == nil {
				c.SetDeadline(time.Now().Add(10 * time.Second))
				c.Write([]byte(payload))
				line, err := bufio.NewReader(c).ReadString('\n')
				c.Close()
				if err == nil {
					return strings.TrimSpace(line), c.LocalAddr()
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("no answer on port %d: %v", port, err)
			}
		}
	}
	payload := strings.Repeat("x", 100000) + "\n"
	line, local := askOnce(payload)
	if want := fmt.Sprintf("client=%s header=v2 read=%d", local, len(payload)); !strings.HasSuffix(line, want) || !strings.HasPrefix(line, "kernel=10.202.100.1:") {
		t.Errorf("the server answered %q; want the kernel peer on the host end and %q", line, want)
	}
	var st struct {
		Interfaces []struct {
			Name    string `json:"name"`
			RxBytes uint64 `json:"rxBytes"`
		}
	}
	out, errs, code := nsinitRun(t, root, "stats", "--json", id)
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil {
		t.Fatalf("stats --json: %d %s %s", code, out, errs)
	}
	var rx uint64
	for _, i := range st.Interfaces {
		if i.Name == "eth0" {
			rx = i.RxBytes
		}
	}
	if rx < uint64(len(payload)) {
		t.Errorf("eth0 received %d bytes, less than the %d sent: %s", rx, len(payload), out)
	}
	askOnce("bye\n") // the server's second and last connection: it exits
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("nsinit run: %v", err)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("nsinit run did not end after the server's last connection")
	}
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "splice(") {
		t.Errorf("no splice(2) in the forwarder's system calls:\n%s", b)
	}
	if _, err := netlink.LinkByName(hostIf); err == nil || !errors.As(err, new(netlink.LinkNotFoundError)) {
		t.Errorf("host end %s left after run: %v", hostIf, err)
	}
	if !strings.Contains(stdout.String(), "header=v2") {
		t.Errorf("the server's stdout should show what it answered: %q", stdout.String())
	}
}
