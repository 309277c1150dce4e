// Package peer finds the real peer address of a connection: who the client
// is and which address it dialed, even behind proxies and NAT.
//
// The classic mistake is to call getpeername(2) on a connection accepted
// behind a proxy and expect the client: [net.Conn.RemoteAddr] already is
// what getpeername returns, and a proxy that terminates TCP is the kernel's
// peer. [Getpeername] is here to show exactly that. What
// really carries the client's address is one of:
//
//   - the PROXY protocol (HAProxy's doc/proxy-protocol.txt), versions 1 and
//     2: [ParseHeader], [Header.AppendV1], [Header.AppendV2], and the
//     [Listener] and [Conn] wrappers that read the header with a size bound,
//     a deadline and a per-source [Policy];
//   - TPROXY ([ListenTransparent]): no address translation, the client stays
//     the kernel's peer and getsockname gives the original destination;
//   - iptables REDIRECT or DNAT: the client stays the peer and
//     [OriginalDst] (SO_ORIGINAL_DST) gives the original destination;
//   - for HTTP, the Forwarded, X-Forwarded-For and X-Real-IP headers, read
//     right to left against a list of trusted proxies ([HTTPTrust]).
//
// [Resolve] combines them in a documented order and says which [Source]
// each answer came from.
//
// Socket-level helpers reach the file descriptor through
// syscall.Conn.SyscallConn().Control: the descriptor is valid only inside
// the callback, and, unlike net.TCPConn.File, this neither duplicates it
// nor switches the socket to blocking mode.
package peer
