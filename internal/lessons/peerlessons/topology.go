package peerlessons

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/deferio/deferio/procx/peer/peertest"
)

// A topology is where a lesson's client, proxy and server live: three
// loopback addresses of this host, or three network namespaces joined by
// veth links (root only).
type topology struct {
	name                        string
	client, front, back, server netip.Addr
	lab                         *peertest.Lab
}

// newTopology builds namespaces when asked and possible, else loopback.
// Every 127.0.0.0/8 address is on the loopback interface in Linux, so
// each role can have its own address without root.
func newTopology(namespaces bool) (*topology, error) {
	if !namespaces || os.Geteuid() != 0 || peertest.Missing(false) != nil {
		return &topology{
			name:   "loopback (127.0.0.0/8: each role has its own address)",
			client: netip.MustParseAddr("127.0.0.2"), front: netip.MustParseAddr("127.0.0.10"),
			back: netip.MustParseAddr("127.0.0.11"), server: netip.MustParseAddr("127.0.0.20"),
		}, nil
	}
	lab, err := peertest.NewLab()
	if err != nil {
		return nil, err
	}
	return &topology{
		name:   "three network namespaces: client -- proxy -- server, joined by veth links",
		client: peertest.ClientIP, front: peertest.ProxyFrontIP, back: peertest.ProxyBackIP, server: peertest.ServerIP,
		lab: lab,
	}, nil
}

func (t *topology) Close() error {
	if t.lab != nil {
		return t.lab.Close()
	}
	return nil
}

func (t *topology) ns(role string) *peertest.Netns {
	if t.lab == nil {
		return nil
	}
	switch role {
	case "client":
		return t.lab.Client
	case "proxy":
		return t.lab.Proxy
	}
	return t.lab.Server
}

// in runs fn in the role's namespace (or here, on loopback).
func (t *topology) in(role string, fn func() error) error {
	if ns := t.ns(role); ns != nil {
		return ns.Do(fn)
	}
	return fn()
}

// listen opens a TCP listener for role on ip, any port.
func (t *topology) listen(role string, ip netip.Addr) (net.Listener, error) {
	var l net.Listener
	err := t.in(role, func() error {
		var err error
		l, err = net.Listen("tcp", netip.AddrPortFrom(ip, 0).String())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unable to listen for the %s on %s: %w", role, ip, err)
	}
	return l, nil
}

// dial connects from role's address from to addr.
func (t *topology) dial(ctx context.Context, role string, from netip.Addr, addr string) (net.Conn, error) {
	var c net.Conn
	err := t.in(role, func() error {
		d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(from, 0))}
		var err error
		c, err = d.DialContext(ctx, "tcp", addr)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unable to connect the %s to %s: %w", role, addr, err)
	}
	return c, nil
}
