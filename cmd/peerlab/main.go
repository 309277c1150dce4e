// Command peerlab shows who is really on the other end of a connection.
//
// It starts a server and a TCP proxy, on loopback or, when run as root,
// in network namespaces it creates (and removes), and shows what each
// method returns: RemoteAddr and getpeername (the proxy), the PROXY
// protocol v1 and v2 (the client), policies that refuse headers from
// untrusted sources or that are too slow or too large, X-Forwarded-For read
// from the right, and, as root, iptables REDIRECT/DNAT with SO_ORIGINAL_DST
// and TPROXY.
//
// Usage:
//
//	peerlab [-no-color] demo [-loopback]         the whole story (every lesson)
//	peerlab [-no-color] lessons [-loopback]      the same
//	peerlab [-no-color] lesson [-loopback] ID... the lessons named
//	peerlab list                                 list the lessons
//	peerlab help [VERB]                          the help, or a verb's flags (also -h, --help)
//	peerlab parse [-hex] [FILE]                  parse a PROXY header (stdin without FILE)
//	peerlab write -v 1|2 -src IP:PORT -dst IP:PORT [-hex]
//	                                             write a PROXY header to stdout
package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strings"

	"github.com/deferio/deferio/internal/cli"
	"github.com/deferio/deferio/internal/lessons/peerlessons"
	"github.com/deferio/deferio/procx/peer"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

var command = &cli.Command{
	Name: "peerlab",
	Doc: `Shows who is really on the other end of a connection, with a real
server and proxy (in network namespaces when root, on loopback otherwise
or with -loopback).`,
	Verbs: append(append([]cli.Verb{demoVerb}, cli.LessonVerbs("peer", peerlessons.Lessons, loopbackFlag)...), parseVerb, writeVerb),
	Footer: `Exit status: 0 on success, 1 when a lesson fails or parse finds no valid
header, 2 for a mistake on the command line.`,
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return command.Run(ctx, args, cli.Streams{Stdin: stdin, Stdout: stdout, Stderr: stderr})
}

// loopbackFlag is the lesson verbs' -loopback.
func loopbackFlag(fs *flag.FlagSet) func() {
	loopback := fs.Bool("loopback", false, "use loopback addresses even as root, instead of network namespaces")
	return func() { peerlessons.SetLoopback(*loopback) }
}

// demoVerb is the whole story: the lessons verb under the name the
// README uses.
var demoVerb = func() cli.Verb {
	v := cli.LessonVerbs("peer", peerlessons.Lessons, loopbackFlag)[0]
	v.Name = "demo"
	v.Help = "the whole story: every peer lesson, in order (the same as lessons)"
	return v
}()

var parseVerb = cli.Verb{
	Name: "parse",
	Args: "[FILE]",
	Help: `parse the PROXY header (v1 or v2) at the start of FILE or stdin and
describe it; exit 1 when it is not a valid header`,
	Setup: func(fs *flag.FlagSet) cli.Action {
		isHex := fs.Bool("hex", false, "the input is hex digits (spaces and newlines allowed)")
		return func(_ context.Context, s cli.Streams, args []string) error {
			return parseHeader(*isHex, args, s.Stdin, s.Stdout)
		}
	},
}

func parseHeader(isHex bool, args []string, stdin io.Reader, stdout io.Writer) error {
	in := stdin
	switch len(args) {
	case 0:
	case 1:
		f, err := os.Open(args[0])
		if err != nil {
			return fmt.Errorf("unable to open header file: %w", err)
		}
		defer f.Close()
		in = f
	default:
		return cli.Usagef("parse takes at most one FILE, got %d arguments", len(args))
	}
	b, err := io.ReadAll(io.LimitReader(in, peer.V2MaxLen+1))
	if err != nil {
		return fmt.Errorf("unable to read the header: %w", err)
	}
	if isHex {
		clean := strings.Join(strings.Fields(string(b)), "")
		if b, err = hex.DecodeString(clean); err != nil {
			return fmt.Errorf("unable to decode hex input: %w", err)
		}
	}
	var h peer.Header
	n, err := peer.ParseHeader(b, &h)
	if err != nil {
		return fmt.Errorf("not a valid PROXY header: %w", err)
	}
	fmt.Fprintf(stdout, "%s\n", &h)
	fmt.Fprintf(stdout, "length      %d bytes (%d bytes of data follow)\n", n, len(b)-n)
	if h.HasAddresses() {
		fmt.Fprintf(stdout, "client      %v\ndestination %v\n", h.SourceAddr(), h.DestinationAddr())
	} else {
		fmt.Fprintf(stdout, "no addresses: the receiver uses the connection's own endpoints\n")
	}
	for _, t := range h.TLVs {
		fmt.Fprintf(stdout, "TLV %-10s %d bytes %q\n", t.Type, len(t.Value), printable(t.Value))
	}
	if ssl, ok, err := h.SSL(); ok && err == nil {
		fmt.Fprintf(stdout, "SSL client=0x%02x verify=%d verified=%v\n", ssl.Client, ssl.Verify, ssl.Verified())
		for _, t := range ssl.TLVs {
			fmt.Fprintf(stdout, "  %-15s %q\n", t.Type, printable(t.Value))
		}
	}
	return nil
}

func printable(b []byte) string {
	if len(b) > 64 {
		b = append(bytes.Clone(b[:64]), "..."...)
	}
	return string(b)
}

var writeVerb = cli.Verb{
	Name: "write",
	Help: "write the PROXY header for a TCP client src connecting to dst",
	Setup: func(fs *flag.FlagSet) cli.Action {
		version := fs.Int("v", 2, "PROXY protocol `version`: 1 or 2")
		src := fs.String("src", "", "the client's `IP:PORT`")
		dst := fs.String("dst", "", "the `IP:PORT` the client connected to")
		asHex := fs.Bool("hex", false, "print hex instead of raw bytes")
		return func(_ context.Context, s cli.Streams, args []string) error {
			if len(args) != 0 {
				return cli.Usagef("write takes no arguments, got %q", args)
			}
			return writeHeader(*version, *src, *dst, *asHex, s.Stdout)
		}
	},
}

func writeHeader(version int, src, dst string, asHex bool, stdout io.Writer) error {
	if version != 1 && version != 2 {
		return cli.Usagef("-v %d: version must be 1 or 2", version)
	}
	s, err := netip.ParseAddrPort(src)
	if err != nil {
		return cli.Usagef("-src %q: %v", src, err)
	}
	d, err := netip.ParseAddrPort(dst)
	if err != nil {
		return cli.Usagef("-dst %q: %v", dst, err)
	}
	h, err := peer.HeaderFor(version, net.TCPAddrFromAddrPort(s), net.TCPAddrFromAddrPort(d))
	if err != nil {
		return cli.Usagef("%v", err)
	}
	var b []byte
	if version == 1 {
		b, err = h.AppendV1(nil)
	} else {
		b, err = h.AppendV2(nil)
	}
	if err != nil {
		return err
	}
	if asHex {
		_, err = fmt.Fprintln(stdout, hex.EncodeToString(b))
	} else {
		_, err = stdout.Write(b)
	}
	return err
}
