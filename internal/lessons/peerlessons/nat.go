package peerlessons

import (
	"context"
	"fmt"
	"io"
	"net"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/procx/peer"
	"github.com/deferio/deferio/procx/peer/peertest"
)

// natRules are run in the server's namespace: a REDIRECT of port 80, a
// DNAT of a service address, and a TPROXY of an address that exists
// nowhere, with the policy routing TPROXY needs.
var natRules = [][]string{
	// show: rules
	{"iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-d", "10.200.3.2", "--dport", "80", "-j", "REDIRECT", "--to-ports", "9000"},
	{"iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-d", "192.0.2.80", "--dport", "8080", "-j", "DNAT", "--to-destination", "10.200.3.2:9000"},
	{"iptables", "-t", "mangle", "-A", "PREROUTING", "-p", "tcp", "-d", "198.51.100.7", "--dport", "80", "-j", "TPROXY", "--on-port", "9001", "--tproxy-mark", "0x1/0x1"},
	{"ip", "rule", "add", "fwmark", "1", "lookup", "100"},
	{"ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "100"},
	// end: rules
}

func natLesson() lesson.Lesson {
	return lesson.Lesson{
		ID: "peer-nat", Topic: "peer", Title: "NAT and TPROXY: the client stays the peer", NeedsRoot: true,
		Run: func(ctx context.Context, p *lesson.Page) error {
			if err := peertest.Missing(true); err != nil {
				return fmt.Errorf("this lesson needs root, ip and iptables: %w", err)
			}
			pair, err := peertest.NewPair()
			if err != nil {
				return err
			}
			defer pair.Close()
			p.Textf("Two network namespaces joined by a veth link: the client at %s, whose default route points at the server namespace (%s). The rules, run in the server's namespace:", peertest.PairClientIP, peertest.PairServerIP)
			if err := showSnippet(p, "nat.go", "rules"); err != nil {
				return err
			}
			for _, r := range natRules {
				if _, err := pair.Server.Run(r...); err != nil {
					return err
				}
			}
			plain, err := pair.Server.Listen("tcp4", "0.0.0.0:9000")
			if err != nil {
				return err
			}
			defer plain.Close()
			var transparent net.Listener
			if err := pair.Server.Do(func() error {
				var err error
				transparent, err = peer.ListenTransparent(ctx, "tcp4", "0.0.0.0:9001")
				return err
			}); err != nil {
				return err
			}
			defer transparent.Close()
			p.Text("The server listens on :9000 (an ordinary socket) and on :9001 (peer.ListenTransparent: IP_TRANSPARENT).")
			for _, tc := range []struct {
				name, dial string
				l          net.Listener
			}{
				{"REDIRECT", "10.200.3.2:80", plain},
				{"DNAT", "192.0.2.80:8080", plain},
				{"TPROXY", "198.51.100.7:80", transparent},
			} {
				got := make(chan peer.Result, 1)
				go func() {
					c, err := tc.l.Accept()
					if err != nil {
						got <- peer.Result{}
						return
					}
					defer c.Close()
					got <- peer.Resolve(c, nil, peer.HTTPTrust{})
					c.Write([]byte("bye"))
				}()
				c, err := pair.Client.Dial("tcp", tc.dial)
				if err != nil {
					return err
				}
				io.ReadAll(c)
				local := c.LocalAddr()
				c.Close()
				res := <-got
				p.Textf("%s: the client (%v) dials %s.", tc.name, local, tc.dial)
				printSteps(p, res)
			}
			return nil
		},
	}
}
