package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/deferio/deferio/procx/peer"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// A Port publishes a port of the container on the host: connections to
// HostIP:HostPort are forwarded to the container's ContainerPort by a
// forwarder process on the host, built on [peer.Relay].
//
// A userland forwarder such as docker-proxy makes the server in the
// container see the forwarder as its peer: the client's address is lost.
// This one writes a PROXY protocol header first (Proxy 2 by default, as
// nsinit sets it), so a server that reads it (package peer, haproxy,
// nginx's proxy_protocol) learns the real client. A server that does not
// speak the protocol needs Proxy 0.
type Port struct {
	// HostIP is the host address to listen on; the zero Addr means every
	// address.
	HostIP netip.Addr `json:"hostIP,omitzero"`
	// HostPort and ContainerPort are TCP ports, 1 to 65535.
	HostPort      uint16 `json:"hostPort"`
	ContainerPort uint16 `json:"containerPort"`
	// Protocol is "tcp", the only one supported.
	Protocol string `json:"protocol"`
	// Proxy is the PROXY protocol version sent before the client's
	// bytes: 0 (none), 1 (text) or 2 (binary).
	Proxy int `json:"proxy"`
}

// AnnotationPorts and AnnotationProxy are the bundle annotations read by
// [Config.ApplyAnnotations] into Config.Ports: a comma-separated list in
// the syntax of [ParsePort], and the PROXY version for all of them
// ("none", "v1" or "v2"; default v2).
const (
	AnnotationPorts = "org.deferio.ports"
	AnnotationProxy = "org.deferio.ports.proxy"
)

// ParsePort parses [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp], as docker run -p
// does ("8080:80", "127.0.0.1:8080:80/tcp", "[::1]:8080:80"). Proxy is set
// to 2.
func ParsePort(s string) (Port, error) {
	p := Port{Protocol: "tcp", Proxy: 2}
	rest, proto, hasProto := strings.Cut(s, "/")
	if hasProto {
		if proto != "tcp" {
			return Port{}, fmt.Errorf("unable to parse port %q: protocol %q is not supported (only tcp)", s, proto)
		}
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return Port{}, fmt.Errorf("unable to parse port %q: want [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp]", s)
	}
	host, cport := rest[:i], rest[i+1:]
	var hport string
	if j := strings.LastIndexByte(host, ':'); j >= 0 {
		ip := strings.TrimSuffix(strings.TrimPrefix(host[:j], "["), "]")
		a, err := netip.ParseAddr(ip)
		if err != nil || a.Zone() != "" {
			return Port{}, fmt.Errorf("unable to parse port %q: host address %q is not an IP address", s, host[:j])
		}
		p.HostIP, hport = a, host[j+1:]
	} else {
		hport = host
	}
	var err error
	if p.HostPort, err = portNumber(hport); err != nil {
		return Port{}, fmt.Errorf("unable to parse port %q: host port: %w", s, err)
	}
	if p.ContainerPort, err = portNumber(cport); err != nil {
		return Port{}, fmt.Errorf("unable to parse port %q: container port: %w", s, err)
	}
	return p, nil
}

func portNumber(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%q is not a port number (1 to 65535)", s)
	}
	return uint16(n), nil
}

// ParseProxy parses a PROXY protocol choice: none, v1 or v2 (or 0, 1, 2).
func ParseProxy(s string) (int, error) {
	switch s {
	case "none", "0":
		return 0, nil
	case "v1", "1":
		return 1, nil
	case "v2", "2":
		return 2, nil
	}
	return 0, fmt.Errorf("unable to use PROXY protocol %q: want none, v1 or v2", s)
}

// String gives p in the syntax of [ParsePort].
func (p Port) String() string {
	s := fmt.Sprintf("%d:%d/%s", p.HostPort, p.ContainerPort, p.Protocol)
	if p.HostIP.IsValid() {
		s = netip.AddrPortFrom(p.HostIP, p.HostPort).String() + fmt.Sprintf(":%d/%s", p.ContainerPort, p.Protocol)
	}
	return s
}

func (p Port) hostAddr() string {
	ip := ""
	if p.HostIP.IsValid() {
		ip = p.HostIP.String()
	}
	return net.JoinHostPort(ip, strconv.Itoa(int(p.HostPort)))
}

// validatePorts reports what is wrong with cfg's ports.
func (c Config) validatePorts(bad func(string, ...any) error) []error {
	var errs []error
	seen := map[string]bool{}
	for i, p := range c.Ports {
		if p.HostPort == 0 || p.ContainerPort == 0 {
			errs = append(errs, bad("ports[%d]: %s: ports are 1 to 65535", i, p))
		}
		if p.Protocol != "tcp" {
			errs = append(errs, bad("ports[%d]: protocol %q is not supported (only tcp)", i, p.Protocol))
		}
		if p.Proxy < 0 || p.Proxy > 2 {
			errs = append(errs, bad("ports[%d]: PROXY version %d is not 0, 1 or 2", i, p.Proxy))
		}
		if seen[p.hostAddr()] {
			errs = append(errs, bad("ports[%d]: host address %s is published twice", i, p.hostAddr()))
		}
		seen[p.hostAddr()] = true
	}
	if len(c.Ports) > 0 && c.Spec != nil && !c.newNamespace(specs.NetworkNamespace) {
		errs = append(errs, bad("ports: publishing needs a new network namespace (the container shares the host's, where its ports are already reachable)"))
	}
	return errs
}

// forwardConfig is what the forwarder process is told, in its
// environment.
type forwardConfig struct {
	ID    string `json:"id"`
	Ports []Port `json:"ports"`
	// Upstream is the container address dialed, or "" to dial the
	// container's loopback through its network namespace (fd 3+len(Ports)).
	Upstream string `json:"upstream,omitempty"`
	// Pidfd is the descriptor of a pidfd of init: the forwarder stops
	// when init exits.
	Pidfd int `json:"pidfd"`
}

// envForward holds a forwarder process's forwardConfig.
const envForward = "_DEFERIO_FORWARD"

// portsLog is the forwarder's log in the container's directory: one line
// per connection.
const portsLog = "ports.log"

// startForwarder opens the host listeners (so that a port in use fails
// the start, with nothing left) and starts the forwarder process, which
// lives as long as init and is killed by delete. Its pid is in the state
// before anything can connect.
func (c *Container) startForwarder(pid int) (err error) {
	cfg := c.state.Config
	if len(cfg.Ports) == 0 {
		return nil
	}
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, p := range cfg.Ports {
		l, err := net.Listen("tcp", p.hostAddr())
		if err != nil {
			return fmt.Errorf("unable to publish %s of %s: %w", p, c.ID(), err)
		}
		f, err := l.(*net.TCPListener).File()
		l.Close()
		if err != nil {
			return fmt.Errorf("unable to publish %s of %s: %w", p, c.ID(), err)
		}
		files = append(files, f)
	}
	fc := forwardConfig{ID: c.ID(), Ports: cfg.Ports}
	if n := cfg.Network; n != nil {
		if a, ok := n.ContainerAddr(true); ok {
			fc.Upstream = a.String()
		} else if a, ok := n.ContainerAddr(false); ok {
			fc.Upstream = a.String()
		}
	}
	if fc.Upstream == "" {
		ns, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", pid))
		if err != nil {
			return fmt.Errorf("unable to open the network namespace of %s: %w", c.ID(), err)
		}
		files = append(files, ns)
	}
	pfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return fmt.Errorf("unable to open a pidfd of init: %w", err)
	}
	files = append(files, os.NewFile(uintptr(pfd), "pidfd"))
	fc.Pidfd = 3 + len(files) - 1
	b, err := json.Marshal(fc)
	if err != nil {
		return fmt.Errorf("unable to encode the forwarder's configuration: %w", err)
	}
	log, err := os.OpenFile(c.forwarderLog(), os.O_CREATE|os.O_WRONLY|os.O_APPEND|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("unable to create the forwarder log: %w", err)
	}
	defer log.Close()
	cmd := &exec.Cmd{
		Path: "/proc/self/exe", Args: []string{"nsinit", "forward", c.ID()},
		Env:         []string{envForward + "=" + string(b)},
		ExtraFiles:  files,
		Stdout:      log,
		Stderr:      log,
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("unable to start the port forwarder of %s: %w", c.ID(), err)
	}
	c.forwarder = cmd
	c.state.ForwarderPid = cmd.Process.Pid
	if c.state.ForwarderStartTime, _, err = procStartTime(cmd.Process.Pid); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		c.forwarder, c.state.ForwarderPid = nil, 0
		return fmt.Errorf("unable to read the start time of the forwarder: %w", err)
	}
	tracef("start: port forwarder started")
	return writeState(c.dir, c.state)
}

func (c *Container) forwarderLog() string { return c.dir + "/" + portsLog }

// stopForwarder kills the forwarder, if it runs, and waits until it is
// gone.
func (c *Container) stopForwarder() error {
	s := c.state
	if s.ForwarderPid == 0 {
		return nil
	}
	if alive(s.ForwarderPid, s.ForwarderStartTime) {
		if err := signalPid(s.ForwarderPid, s.ForwarderStartTime, unix.SIGKILL); err != nil && alive(s.ForwarderPid, s.ForwarderStartTime) {
			return fmt.Errorf("unable to stop the port forwarder of %s: %w", c.ID(), err)
		}
	}
	if c.forwarder != nil {
		c.forwarder.Wait()
		c.forwarder = nil
	}
	return waitGone(s.ForwarderPid, s.ForwarderStartTime, cgroupRemoveTimeout)
}

// runForwarder is the forwarder process: a peer.Relay per published
// port, until init exits or the process is told to stop. It never
// returns.
func runForwarder(v string) {
	var fc forwardConfig
	if err := json.Unmarshal([]byte(v), &fc); err != nil {
		fmt.Fprintf(os.Stderr, "forwarder: unable to decode the configuration: %v\n", err)
		os.Exit(1)
	}
	os.Unsetenv(envForward)
	var ns *os.File
	if fc.Upstream == "" {
		ns = os.NewFile(uintptr(3+len(fc.Ports)), "netns")
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	var ls []net.Listener
	var wg sync.WaitGroup
	var logMu sync.Mutex
	for i, p := range fc.Ports {
		l, err := net.FileListener(os.NewFile(uintptr(3+i), p.String()))
		if err != nil {
			fmt.Fprintf(os.Stderr, "forwarder: unable to use the listener of %s: %v\n", p, err)
			os.Exit(1)
		}
		ls = append(ls, l)
		target := net.JoinHostPort(fc.Upstream, strconv.Itoa(int(p.ContainerPort)))
		if ns != nil {
			target = net.JoinHostPort("127.0.0.1", strconv.Itoa(int(p.ContainerPort)))
		}
		r := &peer.Relay{
			Version: p.Proxy,
			Dial:    func() (net.Conn, error) { return dialIn(ns, target) },
			Done: func(st peer.RelayStats) {
				logMu.Lock()
				defer logMu.Unlock()
				fmt.Fprintf(os.Stdout, "%s %s: %s -> %s proxy=v%d header=%d up=%d down=%d err=%v\n",
					time.Now().UTC().Format(time.RFC3339Nano), p, st.Client, st.Upstream, p.Proxy, st.Header, st.ToUpstream, st.ToClient, st.Err)
			},
		}
		wg.Go(func() { r.Serve(l) })
	}
	fmt.Fprintf(os.Stdout, "%s forwarder of %s: %d ports, pid %d\n", time.Now().UTC().Format(time.RFC3339Nano), fc.ID, len(ls), os.Getpid())
	initExit := make(chan struct{})
	go func() {
		pfd := []unix.PollFd{{Fd: int32(fc.Pidfd), Events: unix.POLLIN}}
		for {
			if _, err := unix.Poll(pfd, -1); err == nil || !errors.Is(err, unix.EINTR) {
				close(initExit)
				return
			}
		}
	}()
	select {
	case <-stop:
	case <-initExit:
	}
	for _, l := range ls {
		l.Close()
	}
	wg.Wait()
	os.Exit(0)
}

// dialIn connects to target, from inside the network namespace ns when
// it is not nil: on a thread that joined ns and is never given back to
// the scheduler, so that no other goroutine runs in the container's
// namespace. The socket stays in ns for its whole life.
func dialIn(ns *os.File, target string) (net.Conn, error) {
	if ns == nil {
		return net.DialTimeout("tcp", target, 5*time.Second)
	}
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with this goroutine
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- result{nil, fmt.Errorf("unable to join the container's network namespace: %w", err)}
			return
		}
		c, err := net.DialTimeout("tcp", target, 5*time.Second)
		ch <- result{c, err}
	}()
	r := <-ch
	return r.c, r.err
}
