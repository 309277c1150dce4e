package containerlessons

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/procx/peer/peertest"
)

// The lesson's addresses: the container's veth pair and the client's.
// They exist only while the lesson runs.
var (
	portsContainerNet = "addr=10.213.0.2/24,host=10.213.0.1/24"
	portsContainerIP  = netip.MustParseAddr("10.213.0.2")
	portsClientHost   = netip.MustParsePrefix("10.212.0.1/24")
	portsClient       = netip.MustParsePrefix("10.212.0.2/24")
)

// Host ports of the lesson: the forwarder's with and without a header,
// and the one iptables translates.
const (
	portWithHeader = 18080
	portNoHeader   = 18081
	portDNAT       = 18082
)

func runPublishedPorts(ctx context.Context, p *lesson.Page) error {
	if _, err := exec.LookPath("iptables"); err != nil {
		return fmt.Errorf("this lesson needs iptables (Debian's iptables package): %w", err)
	}
	l, err := newLab(ctx)
	if err != nil {
		return err
	}
	defer l.close()
	tag := fmt.Sprintf("%d", os.Getpid()%100000)
	client, err := peertest.NewClient("dvlc"+tag, portsClientHost, portsClient)
	if err != nil {
		return err
	}
	defer client.Close()

	cfg, err := l.bundle("peerserve", "80", "3")
	if err != nil {
		return err
	}
	if cfg.Network, err = container.ParseNetwork(portsContainerNet + ",hostname=dvlh" + tag); err != nil {
		return err
	}
	for _, spec := range []struct {
		port  int
		proxy int
	}{{portWithHeader, 2}, {portNoHeader, 0}} {
		pp, err := container.ParsePort(fmt.Sprintf("%d:80", spec.port))
		if err != nil {
			return err
		}
		pp.Proxy = spec.proxy
		cfg.Ports = append(cfg.Ports, pp)
	}
	p.Text("A container with a veth pair (" + portsContainerNet + ") runs `toybox peerserve 80`, which answers each connection with the peer the kernel names (getpeername) and the client a PROXY header names. A client in a network namespace of its own, " + portsClient.Addr().String() + ", dials the host at " + portsClientHost.Addr().String() + ", three ways.")
	p.Code("the bundle's annotations (or nsinit run --network ... -p ...)", fmt.Sprintf("%q: %q\n%q: %q", container.AnnotationNetwork, cfg.Network.String(), container.AnnotationPorts, fmt.Sprintf("%d:80,%d:80", portWithHeader, portNoHeader)))

	c, err := container.Create(filepath.Join(l.dir, "state"), "ports", cfg)
	if err != nil {
		return err
	}
	defer c.ForceDestroy()
	out, err := os.Create(filepath.Join(l.dir, "server.out"))
	if err != nil {
		return err
	}
	defer out.Close()
	if err := c.Run(&container.Process{Stdout: out, Stderr: out}); err != nil {
		return err
	}

	undoDNAT, err := dnatToContainer(ctx, client.HostIf, cfg.Network.HostInterface)
	if err != nil {
		return err
	}
	defer undoDNAT()

	for _, way := range []struct {
		port    int
		heading string
		text    string
	}{
		{portWithHeader, "1. forwarded, with a PROXY v2 header", "The forwarder (a peer.Relay on the host) accepts the client, dials the container and writes a PROXY v2 header first. The kernel's peer is the forwarder on the host's end of the veth, but the header carries the client: the server knows who it serves."},
		{portNoHeader, "2. forwarded, with no header", "The same forwarder without a header is what docker-proxy does: the server sees only the host's end of the veth. The client's address is gone, for logs, rate limits and access rules alike."},
		{portDNAT, "3. iptables DNAT, no forwarder", "No process in the path: the host's netfilter rewrites the destination and routes the packets on. The client's address survives as the kernel's peer, with no header at all; the server cannot tell which host port the client asked for, since only the host's conntrack knows it (SO_ORIGINAL_DST answers a proxy in the namespace that translated, as in the peer-nat lesson)."},
	} {
		p.Heading(way.heading)
		p.Text(way.text)
		answer, local, err := askFrom(client, netip.AddrPortFrom(portsClientHost.Addr(), uint16(way.port)))
		if err != nil {
			return err
		}
		p.Output(fmt.Sprintf("the client %s dials %s:%d; the server answers", local.Addr(), portsClientHost.Addr(), way.port),
			maskAnswer(answer, local))
	}
	if lines := forwarderLog(c.Dir(), 2); len(lines) > 0 {
		p.Output("the forwarder's log (in the container's state directory): the bytes each way, counted by iox around a splice(2) copy", strings.Join(lines, "\n"))
	}
	if err := c.ForceDestroy(); err != nil {
		return err
	}
	p.Note("delete removed the host's end of the veth (the container's went with its namespace) and stopped the forwarder; the lesson then deleted its iptables rule and the client's namespace.")
	return nil
}

// dnatToContainer is the lesson's third way: no forwarder, the host's
// kernel rewrites the destination (what Docker does with iptables) and
// routes to the container. Forwarding is switched on for the two links
// only, not for the host: it is per receiving interface, the client's
// link for the requests, the container's for the answers (both links, and
// with them the settings, go at the end). The returned function deletes
// the rule.
func dnatToContainer(ctx context.Context, clientIf, containerIf string) (func() error, error) {
	rule := []string{"-t", "nat", "PREROUTING", "-i", clientIf, "-p", "tcp", "-d", portsClientHost.Addr().String(),
		"--dport", fmt.Sprint(portDNAT), "-j", "DNAT", "--to-destination", netip.AddrPortFrom(portsContainerIP, 80).String()}
	iptables := func(op string) error {
		args := append([]string{rule[0], rule[1], op}, rule[2:]...)
		if b, err := exec.CommandContext(ctx, "iptables", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("iptables %s: %w: %s", strings.Join(args, " "), err, b)
		}
		return nil
	}
	if err := iptables("-A"); err != nil {
		return nil, err
	}
	undo := func() error { return iptables("-D") }
	for _, dev := range []string{clientIf, containerIf} {
		if err := os.WriteFile("/proc/sys/net/ipv4/conf/"+dev+"/forwarding", []byte("1"), 0); err != nil {
			undo()
			return nil, fmt.Errorf("unable to let %s forward: %w", dev, err)
		}
	}
	return undo, nil
}

// forwarderLog reads the connections the port forwarder relayed, as it
// logged them in the container's state directory, ports masked and
// sorted, waiting up to five seconds for want of them: it logs a
// connection once both directions are done, a moment after the client
// has its answer. A connection it could not relay (a client that came
// before the server inside listened, and tried again) is left out.
func forwarderLog(dir string, want int) []string {
	var lines []string
	for deadline := time.Now().Add(5 * time.Second); len(lines) < want && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(filepath.Join(dir, "ports.log"))
		lines = lines[:0]
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if _, rest, ok := strings.Cut(line, " "); ok && strings.Contains(rest, " -> ") && strings.HasSuffix(rest, " err=<nil>") {
				lines = append(lines, maskPorts(rest))
			}
		}
	}
	slices.Sort(lines)
	return lines
}

// askFrom dials addr from the client's namespace, sends a line and
// returns the answer, waiting for the server to listen.
func askFrom(client *peertest.Client, addr netip.AddrPort) (string, netip.AddrPort, error) {
	var lastErr error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c, err := client.Dial("tcp", addr.String())
		if err != nil {
			lastErr = err
			continue
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintln(c, "hello")
		line, err := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if err != nil {
			lastErr = err
			continue
		}
		return strings.TrimSpace(line), c.LocalAddr().(*net.TCPAddr).AddrPort(), nil
	}
	return "", netip.AddrPort{}, fmt.Errorf("unable to reach %s from the client: %w", addr, lastErr)
}

// maskAnswer replaces the ports in peerserve's answer, which change from
// run to run: the client's own as CLIENTPORT, others as PORT.
func maskAnswer(answer string, client netip.AddrPort) string {
	f := strings.Fields(answer)
	for i, w := range f {
		k, v, ok := strings.Cut(w, "=")
		ap, err := netip.ParseAddrPort(v)
		if !ok || err != nil {
			continue
		}
		port := "PORT"
		if ap == client {
			port = "CLIENTPORT"
		}
		f[i] = k + "=" + ap.Addr().String() + ":" + port
	}
	return strings.Join(f, " ")
}

// maskPorts replaces the ephemeral ports of a forwarder log line, which
// change from run to run.
func maskPorts(line string) string {
	f := strings.Fields(line)
	for i, w := range f {
		if ap, err := netip.ParseAddrPort(w); err == nil && ap.Port() != 80 {
			f[i] = ap.Addr().String() + ":PORT"
		}
	}
	return strings.Join(f, " ")
}
