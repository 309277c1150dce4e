package container_test

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/procx/peer/peertest"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// netSeq numbers the subnets of this test binary: 10.201.N.0/24 for
// containers, 10.211.N.0/24 for clients (cmd/nsinit's tests use others).
var netSeq atomic.Int32

func testNetwork(t *testing.T) (*container.Network, netip.Addr) {
	n := netSeq.Add(1)
	addr := netip.MustParseAddr(fmt.Sprintf("10.201.%d.2", n))
	return &container.Network{
		HostInterface: fmt.Sprintf("dvt%d-%d", os.Getpid()%100000, n),
		MTU:           1400,
		Addresses:     []netip.Prefix{netip.PrefixFrom(addr, 24), netip.MustParsePrefix(fmt.Sprintf("fd20:1:%d::2/64", n))},
		HostAddresses: []netip.Prefix{netip.MustParsePrefix(fmt.Sprintf("10.201.%d.1/24", n)), netip.MustParsePrefix(fmt.Sprintf("fd20:1:%d::1/64", n))},
	}, addr
}

func linkGone(name string) bool {
	_, err := netlink.LinkByName(name)
	var nf netlink.LinkNotFoundError
	return errors.As(err, &nf)
}

// runServer creates and starts a container whose output goes to a
// file, and returns it with the file's path.
func runServer(t *testing.T, root, id string, cfg container.Config) (*container.Container, *container.Process, string) {
	t.Helper()
	c, err := container.Create(root, id, cfg)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { c.ForceDestroy() })
	out := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := &container.Process{Stdout: f, Stderr: f}
	if err := c.Run(p); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return c, p, out
}

// ask connects with dial, sends a line and returns the server's answer.
func ask(t *testing.T, dial func() (net.Conn, error)) (answer string, local net.Addr) {
	t.Helper()
	var c net.Conn
	var err error
	// The server starts listening a moment after the container runs.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err = dial()
		if err == nil {
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err = c.Write([]byte("hello\n")); err == nil {
				answer, err = bufio.NewReader(c).ReadString('\n')
				if err == nil {
					break
				}
			}
			c.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer: %v", err)
		}
	}
	defer c.Close()
	return strings.TrimSpace(answer), c.LocalAddr()
}

// TestNetworkVeth runs a container with a veth pair and checks, from the
// host, that both ends have their addresses and MTU, that the container
// has its default routes, that the host reaches a server inside through
// the pair, and that delete leaves no interface or route behind.
func TestNetworkVeth(t *testing.T) {
	needRoot(t)
	n, addr := testNetwork(t)
	dir, spec := newBundle(t, "peerserve", "80")
	cfg := container.Config{Bundle: dir, Spec: spec, Network: n}
	c, _, _ := runServer(t, stateRoot(t), "veth", cfg)

	hl, err := netlink.LinkByName(n.HostInterface)
	if err != nil {
		t.Fatalf("host end: %v", err)
	}
	if hl.Attrs().MTU != 1400 || hl.Attrs().OperState == netlink.OperDown {
		t.Errorf("host end: mtu %d, state %v", hl.Attrs().MTU, hl.Attrs().OperState)
	}
	ns, err := netns.GetFromPid(c.State().Pid)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	cl, err := h.LinkByName("eth0")
	if err != nil {
		t.Fatalf("container end: %v", err)
	}
	if cl.Attrs().MTU != 1400 {
		t.Errorf("container end: mtu %d", cl.Attrs().MTU)
	}
	addrs, err := h.AddrList(cl, netlink.FAMILY_ALL)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range addrs {
		if !a.IP.IsLinkLocalUnicast() {
			got = append(got, a.IPNet.String())
		}
	}
	if want := []string{n.Addresses[0].String(), n.Addresses[1].String()}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("container addresses %v, want %v", got, want)
	}
	routes, err := h.RouteList(cl, netlink.FAMILY_ALL)
	if err != nil {
		t.Fatal(err)
	}
	var gws []string
	for _, r := range routes {
		if r.Gw != nil {
			gws = append(gws, r.Gw.String())
		}
	}
	if want := fmt.Sprint([]string{n.HostAddresses[0].Addr().String(), n.HostAddresses[1].Addr().String()}); fmt.Sprint(gws) != want {
		t.Errorf("default routes via %v, want %v", gws, want)
	}

	answer, local := ask(t, func() (net.Conn, error) { return net.Dial("tcp", netip.AddrPortFrom(addr, 80).String()) })
	if want := "kernel=" + local.String() + " client=" + local.String() + " header=none read=6"; answer != want {
		t.Errorf("server answered %q, want %q", answer, want)
	}
	stats, err := c.InterfaceStats()
	if err != nil {
		t.Fatal(err)
	}
	var eth0 *container.InterfaceStats
	for i := range stats {
		if stats[i].Name == "eth0" {
			eth0 = &stats[i]
		}
	}
	if eth0 == nil || eth0.RxBytes == 0 || eth0.TxBytes == 0 || eth0.RxPackets == 0 {
		t.Errorf("eth0 counters after a connection: %+v (all: %+v)", eth0, stats)
	}
	if err := c.ForceDestroy(); err != nil {
		t.Fatal(err)
	}
	if !linkGone(n.HostInterface) {
		t.Errorf("host end %s left after delete", n.HostInterface)
	}
	hostRoutes, err := netlink.RouteGet(addr.AsSlice())
	if err == nil && len(hostRoutes) > 0 && hostRoutes[0].LinkIndex == hl.Attrs().Index {
		t.Errorf("a route to %s through the deleted %s is left", addr, n.HostInterface)
	}
}

// clientNetns makes a network namespace for a client joined to the host
// by a veth pair: the client gets 10.211.N.2/24 and a default route via
// the host end's 10.211.N.1, which it dials to reach published ports.
func clientNetns(t *testing.T) (*peertest.Client, netip.Addr, netip.Addr) {
	t.Helper()
	n := netSeq.Add(1)
	cn, err := peertest.NewClient(fmt.Sprintf("dvc%d-%d", os.Getpid()%100000, n),
		netip.MustParsePrefix(fmt.Sprintf("10.211.%d.1/24", n)), netip.MustParsePrefix(fmt.Sprintf("10.211.%d.2/24", n)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cn.Close() })
	return cn, cn.HostAddr.Addr(), cn.Addr.Addr()
}

// freePort returns a TCP port nothing listens on at the moment.
func freePort(t *testing.T) uint16 {
	t.Helper()
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port)
}

// TestPublishedPortKeepsClient publishes a container's port three ways
// and connects from a client in a namespace of its own: through the
// veth with a PROXY v2 header the server inside sees the real client;
// without a header it sees the host end (what docker-proxy's users
// see); with no veth at all the forwarder dials the container's loopback
// inside its namespace, and the header still carries the client. After
// delete nothing listens on the ports any more.
func TestPublishedPortKeepsClient(t *testing.T) {
	needRoot(t)
	cn, hostIP, clientIP := clientNetns(t)
	n, _ := testNetwork(t)
	withHeader, noHeader, loopback := freePort(t), freePort(t), freePort(t)
	dir, spec := newBundle(t, "peerserve", "80")
	cfg := container.Config{Bundle: dir, Spec: spec, Network: n, Ports: []container.Port{
		{HostPort: withHeader, ContainerPort: 80, Protocol: "tcp", Proxy: 2},
		{HostPort: noHeader, ContainerPort: 80, Protocol: "tcp", Proxy: 0},
	}}
	root := stateRoot(t)
	c, _, _ := runServer(t, root, "published", cfg)
	dir2, spec2 := newBundle(t, "peerserve", "80")
	cfg2 := container.Config{Bundle: dir2, Spec: spec2, Ports: []container.Port{{HostPort: loopback, ContainerPort: 80, Protocol: "tcp", Proxy: 1}}}
	c2, _, _ := runServer(t, root, "published-lo", cfg2)

	dial := func(port uint16) func() (net.Conn, error) {
		return func() (net.Conn, error) { return cn.Dial("tcp", netip.AddrPortFrom(hostIP, port).String()) }
	}
	answer, local := ask(t, dial(withHeader))
	if !strings.Contains(answer, " client="+local.String()+" header=v2") || !strings.HasPrefix(local.String(), clientIP.String()+":") {
		t.Errorf("with a v2 header the server answered %q; the client is %v", answer, local)
	}
	if !strings.HasPrefix(answer, "kernel="+n.HostAddresses[0].Addr().String()+":") {
		t.Errorf("the kernel's peer should be the forwarder on the host end: %q", answer)
	}
	answer, local = ask(t, dial(noHeader))
	kernel, _, _ := strings.Cut(strings.TrimPrefix(answer, "kernel="), " ")
	if !strings.HasSuffix(answer, "client="+kernel+" header=none read=6") || strings.Contains(answer, clientIP.String()) {
		t.Errorf("without a header the server should see only the forwarder: %q (client %v)", answer, local)
	}
	answer, local = ask(t, dial(loopback))
	if !strings.HasPrefix(answer, "kernel=127.0.0.1:") || !strings.Contains(answer, "client="+local.String()+" header=v1") {
		t.Errorf("through the loopback with a v1 header the server answered %q; the client is %v", answer, local)
	}
	log, err := os.ReadFile(filepath.Join(c.Dir(), "ports.log"))
	if err != nil || !strings.Contains(string(log), clientIP.String()) {
		t.Errorf("the forwarder's log should name the client %s: %q %v", clientIP, log, err)
	}
	for _, cc := range []*container.Container{c, c2} {
		if err := cc.ForceDestroy(); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []uint16{withHeader, noHeader, loopback} {
		l, err := net.Listen("tcp", fmt.Sprintf(":%d", p))
		if err != nil {
			t.Errorf("port %d is still taken after delete: %v", p, err)
			continue
		}
		l.Close()
	}
	if !linkGone(n.HostInterface) {
		t.Errorf("host end %s left after delete", n.HostInterface)
	}
}

// TestPublishBusyPortLeavesNothing publishes a port that is taken: the
// start fails naming the port, and no interface, state or forwarder is
// left.
func TestPublishBusyPortLeavesNothing(t *testing.T) {
	needRoot(t)
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := uint16(l.Addr().(*net.TCPAddr).Port)
	n, _ := testNetwork(t)
	dir, spec := newBundle(t, "sleep", "30")
	root := stateRoot(t)
	c, err := container.Create(root, "busy", container.Config{Bundle: dir, Spec: spec, Network: n,
		Ports: []container.Port{{HostPort: busy, ContainerPort: 80, Protocol: "tcp"}}})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Run(&container.Process{})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprint(busy)) || !errors.Is(err, unix.EADDRINUSE) {
		t.Fatalf("Run with a busy port: %v", err)
	}
	if !linkGone(n.HostInterface) {
		t.Errorf("host end %s left after a failed start", n.HostInterface)
	}
	if _, err := os.Stat(filepath.Join(root, "busy")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state left after a failed start: %v", err)
	}
}

func TestParsePort(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      string
	}{
		{in: "8080:80", want: "8080:80/tcp"},
		{in: "8080:80/tcp", want: "8080:80/tcp"},
		{in: "127.0.0.1:8080:80", want: "127.0.0.1:8080:80/tcp"},
		{in: "[::1]:8080:80", want: "[::1]:8080:80/tcp"},
		{in: "8080:80/udp", err: `protocol "udp" is not supported`},
		{in: "80", err: "want [HOSTIP:]HOSTPORT"},
		{in: "0:80", err: `host port: "0" is not a port`},
		{in: "8080:70000", err: `container port: "70000" is not a port`},
		{in: "example.com:80:80", err: "is not an IP address"},
	} {
		p, err := container.ParsePort(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParsePort(%q) = %v, %v; want an error with %q", tc.in, p, err, tc.err)
			}
			continue
		}
		if err != nil || p.String() != tc.want || p.Proxy != 2 {
			t.Errorf("ParsePort(%q) = %v (proxy %d), %v; want %s", tc.in, p, p.Proxy, err, tc.want)
		}
	}
}

func TestParseNetwork(t *testing.T) {
	n, err := container.ParseNetwork("addr=10.1.0.2/24,host=10.1.0.1/24,addr=fd01::2/64,mtu=1400,name=net0")
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Addresses) != 2 || len(n.HostAddresses) != 1 || n.MTU != 1400 || n.Interface != "net0" {
		t.Errorf("parsed %+v", n)
	}
	back, err := container.ParseNetwork(n.String())
	if err != nil || back.String() != n.String() {
		t.Errorf("round trip %q -> %v, %v", n.String(), back, err)
	}
	for in, want := range map[string]string{
		"addr=10.1.0.2":       "addr",
		"mtu=big":             "mtu",
		"color=blue":          `unknown key "color"`,
		"addr=10.1.0.2/24,gw": `"gw" is not key=value`,
	} {
		if _, err := container.ParseNetwork(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseNetwork(%q) = %v, want an error with %q", in, err, want)
		}
	}
}

// TestNetworkConfigErrors checks that a bad network or port
// configuration is refused by Create, naming the field, before anything
// is made.
func TestNetworkConfigErrors(t *testing.T) {
	dir, spec := newBundle(t, "true")
	root := stateRoot(t)
	for name, tc := range map[string]struct {
		cfg  container.Config
		want string
	}{
		"mtu":      {container.Config{Network: &container.Network{MTU: 10}}, "mtu 10"},
		"name":     {container.Config{Network: &container.Network{Interface: "a/b"}}, "interface name"},
		"gateway":  {container.Config{Network: &container.Network{Gateways: []netip.Addr{netip.MustParseAddr("10.0.0.1")}}}, "no container address of its family"},
		"port 0":   {container.Config{Ports: []container.Port{{HostPort: 0, ContainerPort: 80, Protocol: "tcp"}}}, "ports are 1 to 65535"},
		"proxy":    {container.Config{Ports: []container.Port{{HostPort: 1, ContainerPort: 80, Protocol: "tcp", Proxy: 3}}}, "PROXY version 3"},
		"twice":    {container.Config{Ports: []container.Port{{HostPort: 1, ContainerPort: 80, Protocol: "tcp"}, {HostPort: 1, ContainerPort: 81, Protocol: "tcp"}}}, "published twice"},
		"protocol": {container.Config{Ports: []container.Port{{HostPort: 1, ContainerPort: 80, Protocol: "sctp"}}}, `protocol "sctp"`},
	} {
		tc.cfg.Bundle, tc.cfg.Spec = dir, spec
		_, err := container.Create(root, "bad", tc.cfg)
		if err == nil || !errors.Is(err, container.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Create = %v, want an invalid configuration with %q", name, err, tc.want)
		}
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("a refused configuration left %v", entries)
	}
}

func FuzzParsePort(f *testing.F) {
	for _, s := range []string{"8080:80", "127.0.0.1:1:2/tcp", "[::1]:8080:80", ":80", "1:2:3:4", "[fe80::1%eth0]:1:2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := container.ParsePort(s)
		if err != nil {
			return
		}
		q, err := container.ParsePort(p.String())
		if err != nil || q != p {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, p, p.String(), q, err)
		}
	})
}

func FuzzParseNetwork(f *testing.F) {
	for _, s := range []string{"veth", "addr=10.0.0.2/24,host=10.0.0.1/24", "mtu=1400,name=eth1,gw=10.0.0.1", "addr=fd00::2/64"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := container.ParseNetwork(s)
		if err != nil {
			return
		}
		m, err := container.ParseNetwork(n.String())
		if err != nil || m.String() != n.String() {
			t.Fatalf("%q -> %q -> %v, %v", s, n.String(), m, err)
		}
	})
}
