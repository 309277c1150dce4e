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
//	peerlab demo [-loopback] [-no-color]      the whole story (every lesson)
//	peerlab lessons [-loopback] [-no-color]   the same
//	peerlab lesson [-loopback] [-no-color] ID one lesson
//	peerlab list                              list the lessons
//	peerlab parse [-hex] [FILE]               parse a PROXY header (stdin without FILE)
//	peerlab write -v 1|2 -src IP:PORT -dst IP:PORT [-hex]
//	                                          write a PROXY header to stdout
package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strings"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/internal/lessons/peerlessons"
	"github.com/deferio/deferio/procx/peer"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks command-line mistakes: exit status 2.
var errUsage = errors.New("usage")

const usage = `usage: peerlab VERB [flags] [args]

Verbs:
  demo [-loopback] [-no-color]       the whole story: every peer lesson, with a
                                     real server and proxy (network namespaces
                                     when root, loopback otherwise or with
                                     -loopback)
  lessons [-loopback] [-no-color]    the same as demo
  lesson [-loopback] [-no-color] ID  one lesson
  list                               list the lessons
  parse [-hex] [FILE]                parse the PROXY header (v1 or v2) at the
                                     start of FILE or stdin (-hex: the input is
                                     hex digits) and describe it; exit 1 when
                                     it is not a valid header
  write -v 1|2 -src IP:PORT -dst IP:PORT [-hex]
                                     write the PROXY header for a TCP client
                                     src connecting to dst

Exit status: 0 on success, 1 when a lesson fails or parse finds no valid
header, 2 for a mistake on the command line.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := dispatch(ctx, args, stdin, stdout, stderr)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "peerlab: %v\npeerlab: run 'peerlab -h' for help\n", err)
		return 2
	}
	fmt.Fprintf(stderr, "peerlab: %v\n", err)
	return 1
}

func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no verb given (demo, lessons, lesson, list, parse, write)", errUsage)
	}
	verb, rest := args[0], args[1:]
	switch verb {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	case "demo", "lessons", "lesson", "list":
		return lessonsVerb(ctx, verb, rest, stdout, stderr)
	case "parse":
		return parseVerb(rest, stdin, stdout, stderr)
	case "write":
		return writeVerb(rest, stdout, stderr)
	}
	return fmt.Errorf("%w: unknown verb %q (demo, lessons, lesson, list, parse, write)", errUsage, verb)
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("peerlab "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage+"\nFlags of "+name+":\n"); fs.PrintDefaults() }
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

func lessonsVerb(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	fs := newFlags(verb, stderr)
	noColor := fs.Bool("no-color", false, "never use colour")
	loopback := fs.Bool("loopback", false, "use loopback addresses even as root, instead of network namespaces")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	peerlessons.SetLoopback(*loopback)
	opts := lesson.Options{Color: !*noColor && lesson.ColorFor(stdout)}
	if verb == "demo" { // the demo is every lesson, in order
		if fs.NArg() != 0 {
			return fmt.Errorf("%w: demo takes no arguments, got %q", errUsage, fs.Args())
		}
		verb = "lessons"
	}
	err := lesson.Dispatch(ctx, "peerlab", verb, fs.Args(), peerlessons.Lessons(), stdout, opts)
	if errors.Is(err, lesson.ErrUsage) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return err
}

func parseVerb(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("parse", stderr)
	isHex := fs.Bool("hex", false, "the input is hex digits (spaces and newlines allowed)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	in := stdin
	switch fs.NArg() {
	case 0:
	case 1:
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("unable to open header file: %w", err)
		}
		defer f.Close()
		in = f
	default:
		return fmt.Errorf("%w: parse takes at most one FILE, got %d arguments", errUsage, fs.NArg())
	}
	b, err := io.ReadAll(io.LimitReader(in, peer.V2MaxLen+1))
	if err != nil {
		return fmt.Errorf("unable to read the header: %w", err)
	}
	if *isHex {
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

func writeVerb(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("write", stderr)
	version := fs.Int("v", 2, "PROXY protocol `version`: 1 or 2")
	src := fs.String("src", "", "the client's `IP:PORT`")
	dst := fs.String("dst", "", "the `IP:PORT` the client connected to")
	asHex := fs.Bool("hex", false, "print hex instead of raw bytes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%w: write takes no arguments, got %q", errUsage, fs.Args())
	}
	if *version != 1 && *version != 2 {
		return fmt.Errorf("%w: -v %d: version must be 1 or 2", errUsage, *version)
	}
	s, err := netip.ParseAddrPort(*src)
	if err != nil {
		return fmt.Errorf("%w: -src %q: %v", errUsage, *src, err)
	}
	d, err := netip.ParseAddrPort(*dst)
	if err != nil {
		return fmt.Errorf("%w: -dst %q: %v", errUsage, *dst, err)
	}
	h, err := peer.HeaderFor(*version, net.TCPAddrFromAddrPort(s), net.TCPAddrFromAddrPort(d))
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	var b []byte
	if *version == 1 {
		b, err = h.AppendV1(nil)
	} else {
		b, err = h.AppendV2(nil)
	}
	if err != nil {
		return err
	}
	if *asHex {
		_, err = fmt.Fprintln(stdout, hex.EncodeToString(b))
	} else {
		_, err = stdout.Write(b)
	}
	return err
}
