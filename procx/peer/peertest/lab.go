package peertest

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// Addresses of the topologies. They exist only inside the namespaces this
// package creates.
var (
	ClientIP     = netip.MustParseAddr("10.200.1.2")
	ProxyFrontIP = netip.MustParseAddr("10.200.1.1")
	ProxyBackIP  = netip.MustParseAddr("10.200.2.1")
	ServerIP     = netip.MustParseAddr("10.200.2.2")

	ClientIP6     = netip.MustParseAddr("fd00:200:1::2")
	ProxyFrontIP6 = netip.MustParseAddr("fd00:200:1::1")
	ProxyBackIP6  = netip.MustParseAddr("fd00:200:2::1")
	ServerIP6     = netip.MustParseAddr("fd00:200:2::2")
)

// A Lab is three network namespaces in a row, each pair joined by a veth
// link, IPv4 and IPv6:
//
//	client 10.200.1.2 ── 10.200.1.1 proxy 10.200.2.1 ── 10.200.2.2 server
//
// There is no routing between the two links: the client can reach the
// server only through a program in the proxy namespace that terminates
// TCP and opens a second connection, which is what a TCP proxy does.
type Lab struct {
	Client, Proxy, Server *Netns
}

// NewLab creates the three namespaces and both links. Close removes them.
func NewLab() (*Lab, error) {
	l := &Lab{}
	var err error
	for _, p := range []struct {
		ns   **Netns
		role string
	}{{&l.Client, "client"}, {&l.Proxy, "proxy"}, {&l.Server, "server"}} {
		if *p.ns, err = NewNetns(p.role); err != nil {
			l.Close()
			return nil, err
		}
	}
	links := []struct {
		a, b         *Netns
		aIP, bIP     netip.Addr
		aIP6, bIP6   netip.Addr
		aName, bName string
	}{
		{l.Client, l.Proxy, ClientIP, ProxyFrontIP, ClientIP6, ProxyFrontIP6, "eth0", "front"},
		{l.Proxy, l.Server, ProxyBackIP, ServerIP, ProxyBackIP6, ServerIP6, "back", "eth0"},
	}
	for _, k := range links {
		if err := Veth(k.a, k.aName, netip.PrefixFrom(k.aIP, 24), k.b, k.bName, netip.PrefixFrom(k.bIP, 24)); err != nil {
			l.Close()
			return nil, err
		}
		if err := errors.Join(k.a.AddAddr(k.aName, netip.PrefixFrom(k.aIP6, 64)), k.b.AddAddr(k.bName, netip.PrefixFrom(k.bIP6, 64))); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// Close deletes the lab's namespaces.
func (l *Lab) Close() error {
	var errs []error
	for _, n := range []*Netns{l.Client, l.Proxy, l.Server} {
		if n != nil {
			errs = append(errs, n.Close())
		}
	}
	return errors.Join(errs...)
}

// A Pair is two namespaces joined directly, the client's default route
// pointing at the server, for NAT and TPROXY experiments:
//
//	client 10.200.3.1 / fd00:200:3::1 ── 10.200.3.2 / fd00:200:3::2 server
//
// Whatever address the client dials leaves through the link, so rules in
// the server's namespace can redirect or divert it.
type Pair struct {
	Client, Server *Netns
}

// Addresses of a Pair.
var (
	PairClientIP  = netip.MustParseAddr("10.200.3.1")
	PairServerIP  = netip.MustParseAddr("10.200.3.2")
	PairClientIP6 = netip.MustParseAddr("fd00:200:3::1")
	PairServerIP6 = netip.MustParseAddr("fd00:200:3::2")
)

// NewPair creates the two namespaces and the link. Close removes them.
func NewPair() (*Pair, error) {
	p := &Pair{}
	var err error
	if p.Client, err = NewNetns("nat-client"); err != nil {
		return nil, err
	}
	if p.Server, err = NewNetns("nat-server"); err != nil {
		p.Close()
		return nil, err
	}
	steps := []func() error{
		func() error {
			return Veth(p.Client, "eth0", netip.PrefixFrom(PairClientIP, 24), p.Server, "eth0", netip.PrefixFrom(PairServerIP, 24))
		},
		func() error { return p.Client.AddAddr("eth0", netip.PrefixFrom(PairClientIP6, 64)) },
		func() error { return p.Server.AddAddr("eth0", netip.PrefixFrom(PairServerIP6, 64)) },
		func() error {
			_, err := p.Client.Run("ip", "route", "add", "default", "via", PairServerIP.String())
			return err
		},
		func() error {
			_, err := p.Client.Run("ip", "-6", "route", "add", "default", "via", PairServerIP6.String())
			return err
		},
	}
	for _, s := range steps {
		if err := s(); err != nil {
			p.Close()
			return nil, err
		}
	}
	return p, nil
}

// Close deletes the pair's namespaces.
func (p *Pair) Close() error {
	var errs []error
	for _, n := range []*Netns{p.Client, p.Server} {
		if n != nil {
			errs = append(errs, n.Close())
		}
	}
	return errors.Join(errs...)
}

// Listen opens a TCP listener inside the namespace.
func (n *Netns) Listen(network, address string) (net.Listener, error) {
	var l net.Listener
	err := n.Do(func() error {
		var err error
		l, err = net.Listen(network, address)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unable to listen on %s %s in %s: %w", network, address, n.Name, err)
	}
	return l, nil
}

// Dial connects from inside the namespace.
func (n *Netns) Dial(network, address string) (net.Conn, error) {
	var c net.Conn
	err := n.Do(func() error {
		var err error
		c, err = net.Dial(network, address)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unable to dial %s %s from %s: %w", network, address, n.Name, err)
	}
	return c, nil
}

// A Client is a namespace joined to the caller's own (the host's) by a
// veth pair, with a default route through the host's end: a client that
// reaches the host's listeners from an address of its own, as a client on
// another machine would.
//
//	host [HostIf HostAddr] --- [eth0 ClientAddr] client
type Client struct {
	*Netns
	// HostIf is the host's end of the pair; Close deletes it.
	HostIf         string
	HostAddr, Addr netip.Prefix
}

// NewClient creates the namespace and the pair, the host's end named
// hostIf with hostAddr, the client's with clientAddr (both IPv4 or both
// IPv6, in one subnet). Close removes both.
func NewClient(hostIf string, hostAddr, clientAddr netip.Prefix) (*Client, error) {
	n, err := NewNetns("client")
	if err != nil {
		return nil, err
	}
	c := &Client{Netns: n, HostIf: hostIf, HostAddr: hostAddr, Addr: clientAddr}
	if err := c.link(); err != nil {
		return nil, errors.Join(err, c.Close())
	}
	return c, nil
}

func (c *Client) link() error {
	if _, err := run("ip", "link", "add", c.HostIf, "type", "veth", "peer", "name", "eth0", "netns", c.Name); err != nil {
		return fmt.Errorf("unable to create veth pair %s/eth0: %w", c.HostIf, err)
	}
	args := []string{"ip", "addr", "add", c.HostAddr.String(), "dev", c.HostIf}
	if c.HostAddr.Addr().Is6() {
		args = append(args, "nodad")
	}
	if _, err := run(args[0], args[1:]...); err != nil {
		return err
	}
	if _, err := run("ip", "link", "set", c.HostIf, "up"); err != nil {
		return err
	}
	if err := c.AddAddr("eth0", c.Addr); err != nil {
		return err
	}
	if _, err := c.Run("ip", "link", "set", "eth0", "up"); err != nil {
		return err
	}
	_, err := c.Run("ip", "route", "add", "default", "via", c.HostAddr.Addr().String())
	return err
}

// Close deletes the host's end (the client's goes with it) and the
// namespace.
func (c *Client) Close() error {
	var errs []error
	if _, err := run("ip", "link", "show", c.HostIf); err == nil {
		if _, err := run("ip", "link", "del", c.HostIf); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, c.Netns.Close())
	return errors.Join(errs...)
}
