package peer

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// DefaultReadHeaderTimeout bounds the time a [Conn] waits for a header
// when [Config.ReadHeaderTimeout] is zero.
const DefaultReadHeaderTimeout = 5 * time.Second

// ErrRefused means a connection was refused by its [Policy]: a header
// from a Reject source, or no header from a Require source.
var ErrRefused = errors.New("connection refused by PROXY policy")

// Config says how a [Conn] reads its PROXY header.
type Config struct {
	// Policy chooses the policy from the kernel's peer address. Nil
	// means Require for every peer.
	Policy PolicyFunc
	// ReadHeaderTimeout bounds the wait for a complete header. Zero
	// means DefaultReadHeaderTimeout; negative means no bound (unsafe:
	// a client that never sends holds the connection forever).
	ReadHeaderTimeout time.Duration
	// MaxHeaderSize bounds the bytes read looking for a header. Zero
	// means DefaultMaxHeaderSize; otherwise it must be at least
	// MinMaxHeaderSize.
	MaxHeaderSize int
	// Validate, if set, is called with each header that will be used;
	// an error refuses the connection.
	Validate func(*Header) error
}

// check reports what is wrong with cfg, or nil.
func (cfg Config) check() error {
	if cfg.MaxHeaderSize != 0 && cfg.MaxHeaderSize < MinMaxHeaderSize {
		return fmt.Errorf("PROXY config: MaxHeaderSize %d is below %d", cfg.MaxHeaderSize, MinMaxHeaderSize)
	}
	return nil
}

func (cfg Config) maxSize() int {
	if cfg.MaxHeaderSize == 0 {
		return DefaultMaxHeaderSize
	}
	return cfg.MaxHeaderSize
}

func (cfg Config) timeout() time.Duration {
	if cfg.ReadHeaderTimeout == 0 {
		return DefaultReadHeaderTimeout
	}
	return cfg.ReadHeaderTimeout
}

// A Conn is a connection that may start with a PROXY header.
//
// The header is read once, by whichever comes first of Read, RemoteAddr,
// LocalAddr and Header, in the caller's goroutine: never in Accept, so one
// slow client cannot hold up others. The read is bounded by
// Config.ReadHeaderTimeout (combined with any read deadline the caller has
// set) and Config.MaxHeaderSize. Bytes that arrived after the header are
// returned by Read before anything else.
//
// When the header is used (policy Require or Use), RemoteAddr returns its
// source and LocalAddr its destination; otherwise both are the socket's.
// When the connection is refused or the header is malformed, the socket
// is closed and Read returns the error. Under Use, Ignore and Reject a
// client that sends nothing until the timeout is served as having no
// header, so server-speaks-first protocols work, after that delay.
type Conn struct {
	net.Conn
	cfg Config

	once   sync.Once
	policy Policy
	hdr    *Header
	used   bool
	err    error
	rest   []byte

	mu           sync.Mutex // guards userDeadline and, after the header, rest
	userDeadline time.Time
}

// NewConn wraps c. It reads nothing: see [Conn].
func NewConn(c net.Conn, cfg Config) (*Conn, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return &Conn{Conn: c, cfg: cfg}, nil
}

// NetConn returns the wrapped connection.
func (c *Conn) NetConn() net.Conn { return c.Conn }

// Header returns the header read from the connection (nil when there was
// none), reading it first if needed. The error is why the connection was
// refused or the header could not be read.
func (c *Conn) Header() (*Header, error) {
	c.once.Do(c.readHeader)
	return c.hdr, c.err
}

// Policy returns the policy applied to this connection's peer, reading
// the header first if needed.
func (c *Conn) Policy() Policy {
	c.once.Do(c.readHeader)
	return c.policy
}

// HeaderUsed reports whether the header's addresses replace the socket's:
// a header with addresses under policy Require or Use.
func (c *Conn) HeaderUsed() bool {
	c.once.Do(c.readHeader)
	return c.used
}

// Read reads the connection's data, after the header.
func (c *Conn) Read(p []byte) (int, error) {
	c.once.Do(c.readHeader)
	if c.err != nil {
		return 0, c.err
	}
	c.mu.Lock()
	if len(c.rest) > 0 {
		n := copy(p, c.rest)
		c.rest = c.rest[n:]
		c.mu.Unlock()
		return n, nil
	}
	c.mu.Unlock()
	return c.Conn.Read(p)
}

// ReadFrom lets io.Copy into the connection keep the wrapped connection's
// fast path (sendfile or splice for *net.TCPConn).
func (c *Conn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// CloseWrite shuts down the writing side of the wrapped connection, when
// it has a CloseWrite method (*net.TCPConn, *net.UnixConn).
func (c *Conn) CloseWrite() error {
	cw, ok := c.Conn.(interface{ CloseWrite() error })
	if !ok {
		return fmt.Errorf("unable to close the writing side: %T has no CloseWrite", c.Conn)
	}
	return cw.CloseWrite()
}

// RemoteAddr returns the header's source when the header is used, else
// the socket's peer.
func (c *Conn) RemoteAddr() net.Addr {
	c.once.Do(c.readHeader)
	if c.used {
		return c.hdr.SourceAddr()
	}
	return c.Conn.RemoteAddr()
}

// LocalAddr returns the header's destination when the header is used,
// else the socket's own address.
func (c *Conn) LocalAddr() net.Addr {
	c.once.Do(c.readHeader)
	if c.used {
		return c.hdr.DestinationAddr()
	}
	return c.Conn.LocalAddr()
}

// SetDeadline sets the wrapped connection's deadlines and remembers the
// read deadline for the header read.
func (c *Conn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	c.userDeadline = t
	c.mu.Unlock()
	return c.Conn.SetDeadline(t)
}

// SetReadDeadline sets the wrapped connection's read deadline and
// remembers it for the header read.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.userDeadline = t
	c.mu.Unlock()
	return c.Conn.SetReadDeadline(t)
}

func (c *Conn) readHeader() {
	peer := c.Conn.RemoteAddr()
	c.policy = Require
	if c.cfg.Policy != nil {
		c.policy = c.cfg.Policy(peer)
	}
	if c.policy == Skip {
		return
	}
	c.mu.Lock()
	user := c.userDeadline
	c.mu.Unlock()
	ours := false
	if d := c.cfg.timeout(); d > 0 {
		dl := time.Now().Add(d)
		if user.IsZero() || dl.Before(user) {
			ours = true
			if err := c.Conn.SetReadDeadline(dl); err != nil {
				c.fail(fmt.Errorf("unable to set the PROXY header deadline: %w", err))
				return
			}
		}
	}
	h := new(Header)
	rest, err := ReadHeader(c.Conn, h, c.cfg.maxSize())
	if ours {
		c.mu.Lock()
		user = c.userDeadline
		c.mu.Unlock()
		if derr := c.Conn.SetReadDeadline(user); derr != nil && err == nil {
			err = fmt.Errorf("unable to restore the read deadline: %w", derr)
		}
	}
	c.rest = rest
	switch {
	case err == nil:
		c.hdr = h
	case errors.Is(err, ErrNoHeader):
		if len(rest) == 0 && errors.Is(err, os.ErrDeadlineExceeded) && !ours {
			c.fail(err) // the caller's own deadline expired
			return
		}
		if c.policy == Require {
			c.fail(fmt.Errorf("%w: %s sent no PROXY header (policy require): %w", ErrRefused, peer, err))
		}
		return
	default:
		c.fail(fmt.Errorf("unable to read PROXY header from %s: %w", peer, err))
		return
	}
	switch c.policy {
	case Reject:
		c.fail(fmt.Errorf("%w: %s sent a PROXY header (policy reject)", ErrRefused, peer))
		return
	case Ignore:
		return
	}
	if c.cfg.Validate != nil {
		if err := c.cfg.Validate(h); err != nil {
			c.fail(fmt.Errorf("%w: header from %s: %w", ErrRefused, peer, err))
			return
		}
	}
	c.used = h.HasAddresses()
}

func (c *Conn) fail(err error) {
	c.err = err
	c.rest = nil
	c.Conn.Close()
}

// A Listener wraps a net.Listener so that accepted connections are
// [Conn]s. Accept returns as soon as the kernel hands over a connection;
// headers are read later, in each connection's own goroutine (see
// [Conn]), so a slow or silent client never delays the next Accept.
type Listener struct {
	net.Listener
	cfg Config
}

// NewListener wraps l; cfg applies to every accepted connection.
func NewListener(l net.Listener, cfg Config) (*Listener, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return &Listener{Listener: l, cfg: cfg}, nil
}

// Accept waits for the next connection and returns it as a *Conn.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: c, cfg: l.cfg}, nil
}
