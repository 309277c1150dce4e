package peer_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/deferio/deferio/procx/peer"
	"golang.org/x/sys/unix"
)

// accepted returns both ends of a fresh connection on network/address.
func accepted(t *testing.T, network, address string) (client, server net.Conn) {
	t.Helper()
	l, err := net.Listen(network, address)
	if err != nil {
		t.Skipf("cannot listen on %s %s here: %v", network, address, err)
	}
	defer l.Close()
	client, err = net.Dial(network, l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	server, err = l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	return client, server
}

// getpeername returns exactly what RemoteAddr already says, and
// getsockname what LocalAddr says: for TCP over IPv4 and IPv6 and for
// unix sockets.
func TestGetpeernameIsRemoteAddr(t *testing.T) {
	for _, tc := range []struct{ network, address string }{
		{"tcp4", "127.0.0.1:0"},
		{"tcp6", "[::1]:0"},
		{"unix", filepath.Join(t.TempDir(), "s.sock")},
	} {
		client, server := accepted(t, tc.network, tc.address)
		for _, c := range []net.Conn{client, server} {
			p, err := peer.Getpeername(c.(syscall.Conn))
			if err != nil {
				t.Fatalf("%s: %v", tc.network, err)
			}
			s, err := peer.Getsockname(c.(syscall.Conn))
			if err != nil {
				t.Fatalf("%s: %v", tc.network, err)
			}
			if p.String() != addrString(c.RemoteAddr()) || p.Network() != c.LocalAddr().Network() {
				t.Errorf("%s: getpeername %v (%s), RemoteAddr %v", tc.network, p, p.Network(), c.RemoteAddr())
			}
			if s.String() != addrString(c.LocalAddr()) {
				t.Errorf("%s: getsockname %v, LocalAddr %v", tc.network, s, c.LocalAddr())
			}
		}
	}
}

// addrString prints a possibly nil address as package net would: an
// unnamed unix socket end has no address.
func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// Without any NAT rule the kernel has no conntrack entry to answer
// SO_ORIGINAL_DST with, or, if conntrack is active here, it answers with
// the socket's own address.
func TestOriginalDstWithoutNAT(t *testing.T) {
	_, server := accepted(t, "tcp4", "127.0.0.1:0")
	od, err := peer.OriginalDst(server.(syscall.Conn))
	switch {
	case err == nil:
		if od.String() != server.LocalAddr().String() {
			t.Errorf("untranslated connection: SO_ORIGINAL_DST %v, LocalAddr %v", od, server.LocalAddr())
		}
	case !errors.Is(err, peer.ErrNotRedirected):
		t.Errorf("SO_ORIGINAL_DST: %v, want ErrNotRedirected", err)
	}
	_, us := accepted(t, "unix", filepath.Join(t.TempDir(), "u.sock"))
	if _, err := peer.OriginalDst(us.(syscall.Conn)); err == nil {
		t.Error("SO_ORIGINAL_DST on a unix socket succeeded")
	}
}

func TestListenTransparentBadNetwork(t *testing.T) {
	_, err := peer.ListenTransparent(t.Context(), "udp", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "network must be tcp") {
		t.Errorf("ListenTransparent(udp): %v", err)
	}
}

// Without CAP_NET_ADMIN, IP_TRANSPARENT is refused with EPERM and the
// error says which privilege is missing. As root, the test drops
// CAP_NET_ADMIN and CAP_NET_RAW from one locked OS thread (capabilities
// are per thread in Linux) and listens from that thread; the thread is
// never unlocked, so it dies with its goroutine.
func TestListenTransparentNeedsPrivilege(t *testing.T) {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: this thread loses capabilities
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var data [2]unix.CapUserData
		if err := unix.Capget(&hdr, &data[0]); err != nil {
			errc <- fmt.Errorf("capget: %w", err)
			return
		}
		data[0].Effective &^= 1<<unix.CAP_NET_ADMIN | 1<<unix.CAP_NET_RAW
		if err := unix.Capset(&hdr, &data[0]); err != nil {
			errc <- fmt.Errorf("capset: %w", err)
			return
		}
		l, err := peer.ListenTransparent(context.Background(), "tcp4", "127.0.0.1:0")
		if err == nil {
			l.Close()
			err = errors.New("no error")
		}
		errc <- err
	}()
	err := <-errc
	if !errors.Is(err, peer.ErrNoTransparent) || !errors.Is(err, unix.EPERM) || !strings.Contains(err.Error(), "needs CAP_NET_ADMIN") {
		t.Errorf("ListenTransparent without CAP_NET_ADMIN: %v", err)
	}
}

func TestHeaderFor(t *testing.T) {
	tcp4 := &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 1}
	tcp6 := &net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 2}
	h, err := peer.HeaderFor(2, tcp4, tcp6)
	if err != nil || h.Family != peer.Inet6 || h.Source.String() != "[::ffff:192.0.2.1]:1" {
		t.Errorf("mixed families: %v, %v", h, err)
	}
	h, err = peer.HeaderFor(1, tcp4, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 2), Port: 3})
	if err != nil || h.Family != peer.Inet || h.Source.String() != "192.0.2.1:1" {
		t.Errorf("16-byte IPv4 addresses: %v, %v", h, err)
	}
	h, err = peer.HeaderFor(2, &net.UnixAddr{Name: "/a", Net: "unixgram"}, &net.UnixAddr{Name: "@b", Net: "unixgram"})
	if err != nil || h.Family != peer.Unix || h.Transport != peer.Datagram || h.DestinationPath != "@b" {
		t.Errorf("unix: %v, %v", h, err)
	}
	for _, bad := range []func() (*peer.Header, error){
		func() (*peer.Header, error) { return peer.HeaderFor(3, tcp4, tcp4) },
		func() (*peer.Header, error) {
			return peer.HeaderFor(1, &net.UDPAddr{IP: net.IPv4(1, 2, 3, 4)}, &net.UDPAddr{IP: net.IPv4(1, 2, 3, 4)})
		},
		func() (*peer.Header, error) { return peer.HeaderFor(2, tcp4, &net.UnixAddr{Name: "/a"}) },
		func() (*peer.Header, error) { return peer.HeaderFor(2, &net.IPAddr{}, tcp4) },
	} {
		if h, err := bad(); err == nil {
			t.Errorf("HeaderFor accepted %v", h)
		}
	}
}
