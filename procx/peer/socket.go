package peer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// control runs fn with the connection's file descriptor, which is valid
// only during the call.
func control(c syscall.Conn, what string, fn func(fd int) error) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return fmt.Errorf("unable to reach the socket for %s: %w", what, err)
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return fmt.Errorf("unable to reach the socket for %s: %w", what, err)
	}
	return ferr
}

// Getpeername returns the address of the socket's peer as the kernel
// knows it, read with getpeername(2). For a connection accepted by
// package net this is exactly what RemoteAddr returns: behind a proxy
// that terminates TCP it is the proxy, never the client.
func Getpeername(c syscall.Conn) (net.Addr, error) {
	var a net.Addr
	err := control(c, "getpeername", func(fd int) error {
		sa, err := unix.Getpeername(fd)
		if err != nil {
			return fmt.Errorf("getpeername failed: %w", err)
		}
		a, err = sockaddrAddr(fd, sa)
		return err
	})
	return a, err
}

// getsockname returns the socket's own address, read with getsockname(2):
// what LocalAddr returns, and for a TPROXY socket the address the client
// originally dialed.
func getsockname(c syscall.Conn) (net.Addr, error) {
	var a net.Addr
	err := control(c, "getsockname", func(fd int) error {
		sa, err := unix.Getsockname(fd)
		if err != nil {
			return fmt.Errorf("getsockname failed: %w", err)
		}
		a, err = sockaddrAddr(fd, sa)
		return err
	})
	return a, err
}

// sockaddrAddr converts sa to the net.Addr type package net uses for the
// socket's type: *net.TCPAddr, *net.UDPAddr or *net.UnixAddr.
func sockaddrAddr(fd int, sa unix.Sockaddr) (net.Addr, error) {
	typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
	if err != nil {
		return nil, fmt.Errorf("unable to read SO_TYPE: %w", err)
	}
	var ap netip.AddrPort
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		ap = netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *unix.SockaddrInet6:
		a := netip.AddrFrom16(sa.Addr)
		if sa.ZoneId != 0 {
			if ifi, err := net.InterfaceByIndex(int(sa.ZoneId)); err == nil {
				a = a.WithZone(ifi.Name)
			}
		}
		ap = netip.AddrPortFrom(a, uint16(sa.Port))
	case *unix.SockaddrUnix:
		nets := map[int]string{unix.SOCK_STREAM: "unix", unix.SOCK_DGRAM: "unixgram", unix.SOCK_SEQPACKET: "unixpacket"}
		return &net.UnixAddr{Name: sa.Name, Net: nets[typ]}, nil
	case nil:
		return nil, errors.New("the kernel returned no address")
	default:
		return nil, fmt.Errorf("unsupported socket address %T", sa)
	}
	if typ == unix.SOCK_DGRAM {
		return net.UDPAddrFromAddrPort(ap), nil
	}
	return net.TCPAddrFromAddrPort(ap), nil
}

// soOriginalDst is SO_ORIGINAL_DST (linux/netfilter_ipv4.h) and
// IP6T_SO_ORIGINAL_DST (linux/netfilter_ipv6/ip6_tables.h): both 80.
const soOriginalDst = 80

// ErrNotRedirected means the kernel has no NAT record for the connection:
// SO_ORIGINAL_DST answered ENOENT (conntrack not loaded in this network
// namespace, or no entry for this socket).
var ErrNotRedirected = errors.New("no original destination: the connection has no conntrack entry")

// OriginalDst returns the destination the client dialed before iptables
// REDIRECT or DNAT rewrote it, read with getsockopt SO_ORIGINAL_DST (level
// SOL_IP for IPv4, SOL_IPV6 for IPv6; an IPv6 socket carrying IPv4 tries
// SOL_IP). The kernel's peer is not rewritten by REDIRECT: RemoteAddr is
// already the client.
//
// When conntrack tracks the connection but did not translate it, the
// answer is the socket's own address. When there is no entry the error
// wraps [ErrNotRedirected].
func OriginalDst(c syscall.Conn) (netip.AddrPort, error) {
	var ap netip.AddrPort
	err := control(c, "SO_ORIGINAL_DST", func(fd int) error {
		sa, err := unix.Getsockname(fd)
		if err != nil {
			return fmt.Errorf("getsockname failed: %w", err)
		}
		v6 := false
		if sa6, ok := sa.(*unix.SockaddrInet6); ok {
			v6 = !netip.AddrFrom16(sa6.Addr).Is4In6()
		}
		if v6 {
			ap, err = origDst6(fd)
		} else {
			ap, err = origDst4(fd)
		}
		if errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("%w: %w", ErrNotRedirected, err)
		}
		return err
	})
	return ap, err
}

func getsockopt(fd, level, opt int, p unsafe.Pointer, size uint32) (uint32, error) {
	n := size
	_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt), uintptr(p), uintptr(unsafe.Pointer(&n)), 0)
	if e != 0 {
		return 0, e
	}
	return n, nil
}

func origDst4(fd int) (netip.AddrPort, error) {
	var raw unix.RawSockaddrInet4
	n, err := getsockopt(fd, unix.SOL_IP, soOriginalDst, unsafe.Pointer(&raw), uint32(unsafe.Sizeof(raw)))
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("getsockopt(SOL_IP, SO_ORIGINAL_DST) failed: %w", err)
	}
	if n < 8 || raw.Family != unix.AF_INET {
		return netip.AddrPort{}, fmt.Errorf("getsockopt(SOL_IP, SO_ORIGINAL_DST) gave family %d in %d bytes", raw.Family, n)
	}
	port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&raw.Port))[:])
	return netip.AddrPortFrom(netip.AddrFrom4(raw.Addr), port), nil
}

func origDst6(fd int) (netip.AddrPort, error) {
	var raw unix.RawSockaddrInet6
	n, err := getsockopt(fd, unix.SOL_IPV6, soOriginalDst, unsafe.Pointer(&raw), uint32(unsafe.Sizeof(raw)))
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("getsockopt(SOL_IPV6, IP6T_SO_ORIGINAL_DST) failed: %w", err)
	}
	if n < 24 || raw.Family != unix.AF_INET6 {
		return netip.AddrPort{}, fmt.Errorf("getsockopt(SOL_IPV6, IP6T_SO_ORIGINAL_DST) gave family %d in %d bytes", raw.Family, n)
	}
	port := binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&raw.Port))[:])
	return netip.AddrPortFrom(netip.AddrFrom16(raw.Addr), port), nil
}
