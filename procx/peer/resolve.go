package peer

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
)

// A Source names where an answer came from.
type Source string

// Sources, in the order [Resolve] consults them.
const (
	SourceGetpeername   Source = "getpeername"     // the kernel's peer
	SourceGetsockname   Source = "getsockname"     // the socket's own address
	SourceRemoteAddr    Source = "RemoteAddr"      // net.Conn or http.Request RemoteAddr
	SourceLocalAddr     Source = "LocalAddr"       // net.Conn LocalAddr
	SourceTPROXY        Source = "TPROXY"          // getsockname of a transparent socket
	SourceOriginalDst   Source = "SO_ORIGINAL_DST" // iptables REDIRECT/DNAT
	SourceProxyV1       Source = "PROXY v1"        // PROXY protocol text header
	SourceProxyV2       Source = "PROXY v2"        // PROXY protocol binary header
	SourceForwarded     Source = "Forwarded"       // RFC 7239
	SourceXForwardedFor Source = "X-Forwarded-For" // de facto standard
	SourceXRealIP       Source = "X-Real-IP"       // nginx's single address
)

// An Answer is an address and where it came from.
type Answer struct {
	Addr   net.Addr
	Source Source
	// Note says why this answer was chosen or a later one was not.
	Note string
}

// String prints the address, its source and the note.
func (a Answer) String() string {
	s := fmt.Sprintf("%v (from %s)", a.Addr, a.Source)
	if a.Note != "" {
		s += ": " + a.Note
	}
	return s
}

// A Step is one method [Resolve] tried.
type Step struct {
	What   string // "client" or "destination"
	Source Source
	Addr   net.Addr // the method's answer, nil when it had none
	Err    error    // why it had none, if it failed
	Used   bool     // whether the answer replaced the previous one
	Note   string
}

// A Result is what [Resolve] found.
type Result struct {
	// Client is who opened the connection (or sent the request).
	Client Answer
	// Destination is the address the client dialed.
	Destination Answer
	// Steps lists every method tried, in order.
	Steps []Step
}

// Resolve finds the client and destination of a connection, and of an
// HTTP request on it when r is not nil. c may be a [Conn], a *tls.Conn or
// any connection with a NetConn method around one. It tries, in order,
// each later answer replacing an earlier one:
//
//  1. getpeername and getsockname on the socket (client and destination
//     as the kernel sees them: behind a TCP proxy, the proxy);
//  2. TPROXY: a transparent socket's getsockname is the original
//     destination (the client is already the peer);
//  3. SO_ORIGINAL_DST: the destination before iptables REDIRECT or DNAT,
//     when it differs from getsockname;
//  4. the PROXY header of a [Conn], when its policy used it;
//  5. the HTTP header named by trust, read right to left, when the
//     client found so far is a trusted proxy.
//
// A failing method is recorded in Result.Steps and does not stop the
// others. With c nil, Resolve starts from r.RemoteAddr.
func Resolve(c net.Conn, r *http.Request, trust HTTPTrust) Result {
	var res Result
	var pc *Conn
	raw := c
	for raw != nil {
		if p, ok := raw.(*Conn); ok && pc == nil {
			pc = p
		}
		u, ok := raw.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		raw = u.NetConn()
	}
	if sc, ok := raw.(syscall.Conn); ok && raw != nil {
		res.kernel(sc)
	} else if raw != nil {
		res.set(true, Step{What: "client", Source: SourceRemoteAddr, Addr: raw.RemoteAddr(), Used: true})
		res.set(false, Step{What: "destination", Source: SourceLocalAddr, Addr: raw.LocalAddr(), Used: true})
	} else if r != nil {
		ap, err := netip.ParseAddrPort(r.RemoteAddr)
		st := Step{What: "client", Source: SourceRemoteAddr, Err: err}
		if err == nil {
			st.Addr, st.Used = net.TCPAddrFromAddrPort(ap), true
		}
		res.set(true, st)
	}
	if pc != nil {
		res.proxy(pc)
	}
	if r != nil && res.Client.Addr != nil {
		ans, steps, err := clientFromHeaders(res.Client, r.Header, trust)
		if err != nil {
			res.Steps = append(res.Steps, Step{What: "client", Source: Source(trust.Header), Err: err})
		} else {
			res.Steps = append(res.Steps, steps...)
			res.Client = ans
		}
	}
	return res
}

// set records a step and, when it is used, makes it the answer.
func (res *Result) set(client bool, st Step) {
	res.Steps = append(res.Steps, st)
	if !st.Used {
		return
	}
	a := Answer{Addr: st.Addr, Source: st.Source, Note: st.Note}
	if client {
		res.Client = a
	} else {
		res.Destination = a
	}
}

func (res *Result) kernel(sc syscall.Conn) {
	peerAddr, err := Getpeername(sc)
	res.set(true, Step{What: "client", Source: SourceGetpeername, Addr: peerAddr, Err: err, Used: err == nil})
	local, err := getsockname(sc)
	res.set(false, Step{What: "destination", Source: SourceGetsockname, Addr: local, Err: err, Used: err == nil})
	if _, ok := local.(*net.TCPAddr); !ok {
		return // TPROXY and NAT are for TCP/IP sockets
	}
	if on, err := isTransparent(sc); err == nil && on {
		res.set(false, Step{What: "destination", Source: SourceTPROXY, Addr: local, Used: true,
			Note: "transparent socket: getsockname is the address the client dialed"})
	}
	od, err := OriginalDst(sc)
	st := Step{What: "destination", Source: SourceOriginalDst, Err: err}
	if err == nil {
		st.Addr = net.TCPAddrFromAddrPort(od)
		if la, ok := addrOf(local); ok && (la != od.Addr().Unmap() || local.(*net.TCPAddr).Port != int(od.Port())) {
			st.Used, st.Note = true, "rewritten by NAT"
		} else {
			st.Note = "same as getsockname: not translated"
		}
	}
	res.set(false, st)
}

func (res *Result) proxy(pc *Conn) {
	if pc.Policy() == Skip {
		return // the header was not looked for
	}
	h, err := pc.Header()
	src := SourceProxyV2
	if h != nil && h.Version == 1 {
		src = SourceProxyV1
	}
	if h == nil || err != nil {
		if err == nil {
			err = fmt.Errorf("no PROXY header (policy %s)", pc.Policy())
		}
		res.Steps = append(res.Steps, Step{What: "client", Source: src, Err: err})
		return
	}
	note := ""
	if !pc.HeaderUsed() {
		note = fmt.Sprintf("header not used (policy %s, command %s, family %s)", pc.Policy(), h.Command, h.Family)
	}
	res.set(true, Step{What: "client", Source: src, Addr: h.SourceAddr(), Used: pc.HeaderUsed(), Note: note})
	res.set(false, Step{What: "destination", Source: src, Addr: h.DestinationAddr(), Used: pc.HeaderUsed(), Note: note})
}

type connKey struct{}

// ConnContext stores c in ctx. Use it as http.Server.ConnContext so that
// [ResolveRequest] can reach the connection behind a request.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// ResolveRequest is [Resolve] for a request served by an http.Server
// whose ConnContext is [ConnContext]; without it, it starts from
// r.RemoteAddr.
func ResolveRequest(r *http.Request, trust HTTPTrust) Result {
	c, _ := r.Context().Value(connKey{}).(net.Conn)
	return Resolve(c, r, trust)
}
