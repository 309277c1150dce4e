package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// The runtime and init talk over a SOCK_SEQPACKET socket pair: one JSON
// message per packet, so message boundaries survive, and descriptors (the
// pty master) travel with a message as SCM_RIGHTS. The child's end is
// close-on-exec: when init executes the user's program, the parent reads
// EOF, which is how it learns that execve succeeded.
const (
	msgConfig = "config" // parent -> child: the initConfig
	msgReady  = "ready"  // child -> parent: set up, about to wait or exec
	msgError  = "error"  // child -> parent: setup failed, Error says why
	msgPty    = "pty"    // child -> parent: the pty master rides along
	msgHooks  = "hooks"  // child -> parent: before pivot_root, run prestart and createRuntime
	msgResume = "resume" // parent -> child: the hooks ran, go on
)

type message struct {
	Kind   string      `json:"kind"`
	Error  string      `json:"error,omitempty"`
	Config *initConfig `json:"config,omitempty"`
}

const maxMessage = 1 << 20

func socketPair() (parent, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("unable to create the init socket pair: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "init-parent"), os.NewFile(uintptr(fds[1]), "init-child"), nil
}

func sendMsg(f *os.File, m message, fds ...int) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("unable to encode the %s message: %w", m.Kind, err)
	}
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	if err := unix.Sendmsg(int(f.Fd()), b, oob, nil, 0); err != nil {
		return fmt.Errorf("unable to send the %s message: %w", m.Kind, err)
	}
	return nil
}

// recvMsg reads one message. It returns io.EOF when the other end closed.
func recvMsg(f *os.File) (message, []int, error) {
	buf := make([]byte, maxMessage)
	oob := make([]byte, unix.CmsgSpace(4*4))
	var n, oobn, flags int
	var err error
	for {
		n, oobn, flags, _, err = unix.Recvmsg(int(f.Fd()), buf, oob, unix.MSG_CMSG_CLOEXEC)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return message{}, nil, fmt.Errorf("unable to read from the init socket: %w", err)
	}
	if n == 0 {
		return message{}, nil, io.EOF
	}
	if flags&unix.MSG_TRUNC != 0 {
		return message{}, nil, fmt.Errorf("a message on the init socket is longer than %d bytes", maxMessage)
	}
	var fds []int
	if oobn > 0 {
		scms, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			return message{}, nil, fmt.Errorf("unable to parse the descriptors on the init socket: %w", err)
		}
		for _, scm := range scms {
			got, err := unix.ParseUnixRights(&scm)
			if err == nil {
				fds = append(fds, got...)
			}
		}
	}
	var m message
	if err := json.Unmarshal(buf[:n], &m); err != nil {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return message{}, nil, fmt.Errorf("unable to decode a message on the init socket: %w", err)
	}
	return m, fds, nil
}
