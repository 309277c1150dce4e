package peer

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"

	"github.com/deferio/deferio/iox"
)

// HeaderFor returns the PROXY header that describes a connection from src
// to dst, such as a proxy's accepted connection's RemoteAddr and
// LocalAddr. TCP, UDP and unix addresses are supported; version 1 only
// TCP. Mixed IPv4/IPv6 pairs are written as IPv6 (IPv4-mapped).
func HeaderFor(version int, src, dst net.Addr) (*Header, error) {
	if version != 1 && version != 2 {
		return nil, fmt.Errorf("unable to build PROXY header: version %d is not 1 or 2", version)
	}
	h := &Header{Version: version, Command: Proxy}
	switch s := src.(type) {
	case *net.TCPAddr, *net.UDPAddr:
		sa, ok1 := addrPortOf(src)
		da, ok2 := addrPortOf(dst)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("unable to build PROXY header: %v -> %v are not both IP addresses", src, dst)
		}
		if sa.Addr().Zone() != "" || da.Addr().Zone() != "" {
			return nil, fmt.Errorf("unable to build PROXY header: %v -> %v: the protocol has no room for an IPv6 zone", src, dst)
		}
		h.Transport = Stream
		if _, udp := s.(*net.UDPAddr); udp {
			h.Transport = Datagram
		}
		if sa.Addr().Is4() && da.Addr().Is4() {
			h.Family = Inet
		} else {
			h.Family = Inet6
			sa = netip.AddrPortFrom(netip.AddrFrom16(sa.Addr().As16()), sa.Port())
			da = netip.AddrPortFrom(netip.AddrFrom16(da.Addr().As16()), da.Port())
		}
		h.Source, h.Destination = sa, da
	case *net.UnixAddr:
		d, ok := dst.(*net.UnixAddr)
		if !ok {
			return nil, fmt.Errorf("unable to build PROXY header: %v -> %v are not both unix addresses", src, dst)
		}
		h.Family, h.Transport = Unix, Stream
		if s.Net == "unixgram" {
			h.Transport = Datagram
		}
		h.SourcePath, h.DestinationPath = s.Name, d.Name
	default:
		return nil, fmt.Errorf("unable to build PROXY header: unsupported address %T", src)
	}
	if version == 1 {
		if _, err := h.AppendV1(nil); err != nil {
			return nil, err
		}
	}
	return h, nil
}

func addrPortOf(a net.Addr) (netip.AddrPort, bool) {
	var ap netip.AddrPort
	switch a := a.(type) {
	case *net.TCPAddr:
		ap = a.AddrPort()
	case *net.UDPAddr:
		ap = a.AddrPort()
	default:
		return netip.AddrPort{}, false
	}
	// net.IPv4 makes 16-byte IPv4-mapped addresses: keep IPv4 as IPv4.
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), ap.IsValid()
}

// A Relay is a minimal TCP proxy: for each accepted connection it opens
// one upstream, optionally writes a PROXY header that describes the
// client, and copies bytes both ways. It shows the situation package peer
// is about: the upstream server's kernel peer is the relay, not the
// client.
//
// The bytes are copied with io.Copy through counting writers of package
// iox, which keep the destination's ReadFrom: between two TCP
// connections the kernel moves them with splice(2), never through this
// process's memory.
type Relay struct {
	// Dial opens the upstream connection.
	Dial func() (net.Conn, error)
	// Version is the PROXY header version to send: 0 for none, 1 or 2.
	Version int
	// Done, if set, is called once per accepted connection when both
	// directions are finished, from the connection's goroutine.
	Done func(RelayStats)
}

// RelayStats describes one relayed connection.
type RelayStats struct {
	// Client is the accepted connection's peer; Upstream the address
	// dialed for it (nil when Dial failed).
	Client, Upstream net.Addr
	// Header is the PROXY header bytes sent upstream (0 without one);
	// ToUpstream and ToClient count the payload bytes copied each way.
	Header, ToUpstream, ToClient int64
	// Err is the first error: the dial's, the header's or a copy's
	// (io.EOF and closed connections are not errors).
	Err error
}

// Serve accepts connections on l until l is closed, then waits for the
// open ones to finish and returns nil. Errors of single connections do
// not stop it.
func (r *Relay) Serve(l net.Listener) error {
	if r.Version < 0 || r.Version > 2 {
		return fmt.Errorf("unable to relay: PROXY version %d is not 0, 1 or 2", r.Version)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := l.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("unable to accept: %w", err)
		}
		wg.Go(func() { r.relay(c) })
	}
}

func (r *Relay) relay(c net.Conn) {
	st := RelayStats{Client: c.RemoteAddr()}
	defer func() {
		if r.Done != nil {
			r.Done(st)
		}
	}()
	defer c.Close()
	up, err := r.Dial()
	if err != nil {
		st.Err = fmt.Errorf("unable to dial upstream: %w", err)
		return
	}
	defer up.Close()
	st.Upstream = up.RemoteAddr()
	if r.Version != 0 {
		h, err := HeaderFor(r.Version, c.RemoteAddr(), c.LocalAddr())
		if err != nil {
			st.Err = err
			return
		}
		if st.Header, err = h.WriteTo(up); err != nil {
			st.Err = fmt.Errorf("unable to send the PROXY header: %w", err)
			return
		}
	}
	toUp, toClient := iox.NewCountingWriter(up), iox.NewCountingWriter(c)
	errc := make(chan error, 1)
	go func() {
		_, err := io.Copy(toUp, c)
		closeWrite(up)
		errc <- err
	}()
	_, err = io.Copy(toClient, up)
	closeWrite(c)
	err = errors.Join(err, <-errc)
	st.ToUpstream, st.ToClient = toUp.N(), toClient.N()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		st.Err = err
	}
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
}
