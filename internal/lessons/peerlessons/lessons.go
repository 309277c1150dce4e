// Package peerlessons holds the lessons of the peer topic: who is really
// on the other end of a connection, and what getpeername, the PROXY
// protocol, NAT, TPROXY and HTTP forwarding headers each say about it.
// Every lesson opens real sockets (on loopback, or in network namespaces
// when root) and prints what they really returned.
package peerlessons

import (
	"embed"
	"fmt"
	"net/netip"
	"strings"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/procx/peer"
)

// useNamespaces makes the chain lessons build network namespaces when
// the process is root; SetLoopback turns that off.
var useNamespaces = true

// SetLoopback makes the lessons use loopback addresses even as root.
func SetLoopback(on bool) { useNamespaces = !on }

// Lessons returns the peer lessons in teaching order.
func Lessons() []lesson.Lesson {
	return []lesson.Lesson{
		getpeernameLesson(),
		proxyProtocolLesson(),
		policyLesson(),
		httpLesson(),
		natLesson(),
	}
}

//go:embed chain.go policy.go http.go nat.go
var sources embed.FS

// showSnippet prints the lines of file between "// show: name" and
// "// end: name": the code shown is the code that runs.
func showSnippet(p *lesson.Page, file, name string) error {
	src, err := sources.ReadFile(file)
	if err != nil {
		return fmt.Errorf("unable to read lesson source %s: %w", file, err)
	}
	_, rest, ok := strings.Cut(string(src), "// show: "+name+"\n")
	body, _, ok2 := strings.Cut(rest, "// end: "+name+"\n")
	if !ok || !ok2 {
		return fmt.Errorf("lesson source %s has no snippet %q", file, name)
	}
	p.Code(file, strings.TrimRight(body, "\n\t "))
	return nil
}

// printSteps prints what each method of peer.Resolve answered.
func printSteps(p *lesson.Page, res peer.Result) {
	var b strings.Builder
	for _, st := range res.Steps {
		answer := fmt.Sprint(st.Addr)
		if st.Err != nil {
			answer = "(none: " + st.Err.Error() + ")"
		}
		mark := " "
		if st.Used {
			mark = "*"
		}
		fmt.Fprintf(&b, "%s %-11s %-16s %s", mark, st.What, st.Source, answer)
		if st.Note != "" {
			fmt.Fprintf(&b, "  [%s]", st.Note)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "=> client %v from %s; destination %v from %s", res.Client.Addr, res.Client.Source, res.Destination.Addr, res.Destination.Source)
	p.Output("peer.Resolve: each method in order (* = answer taken)", b.String())
}

func hexdump(b []byte) string {
	var s strings.Builder
	for i := 0; i < len(b); i += 16 {
		line := b[i:min(i+16, len(b))]
		fmt.Fprintf(&s, "%04x  % x\n", i, line)
	}
	return strings.TrimRight(s.String(), "\n")
}

func netipPrefix(a netip.Addr) netip.Prefix { return netip.PrefixFrom(a, a.BitLen()) }
