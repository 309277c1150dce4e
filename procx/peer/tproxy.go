package peer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrNoTransparent means the socket could not be made transparent:
// IP_TRANSPARENT needs CAP_NET_ADMIN (or CAP_NET_RAW), and a kernel
// without TPROXY support refuses the option.
var ErrNoTransparent = errors.New("unable to make the socket transparent (IP_TRANSPARENT)")

// transparentControl is a net.ListenConfig.Control function that sets
// IP_TRANSPARENT (IPv4) or IPV6_TRANSPARENT (IPv6; both for a dual-stack
// socket) before bind, so that the socket may accept connections that an
// iptables TPROXY rule diverts to it whatever their destination. Errors
// wrap [ErrNoTransparent] and name the missing privilege.
func transparentControl(network, address string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		switch network {
		case "tcp4", "udp4":
			serr = setTransparent(int(fd), unix.SOL_IP, unix.IP_TRANSPARENT, "IP_TRANSPARENT")
		case "tcp6", "udp6":
			serr = setTransparent(int(fd), unix.SOL_IPV6, unix.IPV6_TRANSPARENT, "IPV6_TRANSPARENT")
		default:
			// A dual-stack socket is AF_INET6; IPv4 traffic on it is
			// governed by the IPv4 option.
			serr = setTransparent(int(fd), unix.SOL_IPV6, unix.IPV6_TRANSPARENT, "IPV6_TRANSPARENT")
			if serr == nil {
				serr = setTransparent(int(fd), unix.SOL_IP, unix.IP_TRANSPARENT, "IP_TRANSPARENT")
			}
		}
	})
	if err != nil {
		return fmt.Errorf("unable to reach the socket to make it transparent: %w", err)
	}
	return serr
}

func setTransparent(fd, level, opt int, name string) error {
	err := unix.SetsockoptInt(fd, level, opt, 1)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EPERM):
		return fmt.Errorf("%w: setsockopt %s: %w (needs CAP_NET_ADMIN)", ErrNoTransparent, name, err)
	case errors.Is(err, unix.ENOPROTOOPT):
		return fmt.Errorf("%w: setsockopt %s: %w (the kernel lacks TPROXY support)", ErrNoTransparent, name, err)
	}
	return fmt.Errorf("%w: setsockopt %s: %w", ErrNoTransparent, name, err)
}

// ListenTransparent listens like net.Listen but on a transparent socket,
// for use with an iptables TPROXY rule: IP_TRANSPARENT (IPv4) or
// IPV6_TRANSPARENT (IPv6; both for a dual-stack socket) is set before
// bind, so that the socket may accept connections diverted to it whatever
// their destination. A connection accepted from it is not translated:
// RemoteAddr is the client and LocalAddr (getsockname) is the address the
// client dialed, which need not be an address of this host. Errors wrap
// [ErrNoTransparent] and name the missing privilege.
func ListenTransparent(ctx context.Context, network, address string) (net.Listener, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, fmt.Errorf("unable to listen transparently on %s: network must be tcp, tcp4 or tcp6", network)
	}
	lc := net.ListenConfig{Control: transparentControl}
	l, err := lc.Listen(ctx, network, address)
	if err != nil {
		return nil, fmt.Errorf("unable to listen transparently on %s %s: %w", network, address, err)
	}
	return l, nil
}

// isTransparent reports whether the socket has IP_TRANSPARENT or
// IPV6_TRANSPARENT set. Accepted sockets inherit it from their listener,
// so a true answer means getsockname gives the original destination.
func isTransparent(c syscall.Conn) (bool, error) {
	var on bool
	err := control(c, "IP_TRANSPARENT", func(fd int) error {
		v4, err4 := unix.GetsockoptInt(fd, unix.SOL_IP, unix.IP_TRANSPARENT)
		v6, err6 := unix.GetsockoptInt(fd, unix.SOL_IPV6, unix.IPV6_TRANSPARENT)
		if err4 != nil && err6 != nil {
			return fmt.Errorf("unable to read IP_TRANSPARENT: %w", err4)
		}
		on = (err4 == nil && v4 != 0) || (err6 == nil && v6 != 0)
		return nil
	})
	return on, err
}
