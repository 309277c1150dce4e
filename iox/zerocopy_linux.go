package iox

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// maxZeroCopyChunk bounds one copy_file_range or sendfile call, as
// internal/poll does (1 GiB).
const maxZeroCopyChunk = 1 << 30

// writeAtTo copies n bytes at off of ra to w with the kernel's zero-copy
// calls, without moving ra's file offset: copy_file_range when ra and w
// are *os.File, sendfile when ra is an *os.File and w a stream socket.
// handled is false when nothing was attempted or the kernel refused the
// first call; the caller then copies another way from off+written.
func writeAtTo(w io.Writer, ra io.ReaderAt, off, n int64) (written int64, handled bool, err error) {
	src, ok := ra.(*os.File)
	if !ok {
		return 0, false, nil
	}
	switch dst := w.(type) {
	case *os.File:
		return zeroCopy(src, dst, off, n, func(dfd, sfd int, off *int64, size int) (int, error) {
			return unix.CopyFileRange(sfd, off, dfd, nil, size, 0)
		}, "copy_file_range")
	case *net.TCPConn:
		return zeroCopy(src, dst, off, n, unix.Sendfile, "sendfile")
	case *net.UnixConn:
		if dst.LocalAddr() == nil || dst.LocalAddr().Network() != "unix" {
			return 0, false, nil
		}
		return zeroCopy(src, dst, off, n, unix.Sendfile, "sendfile")
	}
	return 0, false, nil
}

// fallbackErr reports whether err from the first zero-copy call means
// "this pair of descriptors is not supported", as internal/poll treats it.
func fallbackErr(err error) bool {
	return errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EXDEV) || errors.Is(err, unix.EINVAL) ||
		errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EBADF) || errors.Is(err, unix.EPERM) ||
		errors.Is(err, unix.EIO)
}

func zeroCopy(src *os.File, dst syscall.Conn, off, n int64,
	call func(dfd, sfd int, off *int64, size int) (int, error), name string) (written int64, handled bool, err error) {
	src0, err := src.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	dst0, err := dst.SyscallConn()
	if err != nil {
		return 0, false, nil
	}
	handled = true
	var callErr error
	rerr := src0.Read(func(sfd uintptr) bool {
		werr := dst0.Write(func(dfd uintptr) bool {
			for written < n {
				m, e := call(int(dfd), int(sfd), &off, int(min(n-written, maxZeroCopyChunk)))
				switch {
				case e == unix.EINTR:
					continue
				case e == unix.EAGAIN:
					return false // wait until the socket is writable
				case e != nil:
					if written == 0 && fallbackErr(e) {
						handled = false
					} else {
						callErr = os.NewSyscallError(name, e)
					}
					return true
				case m == 0:
					// End of the source; on the first call some file
					// systems report 0 wrongly, so let the caller check.
					if written == 0 {
						handled = false
					}
					return true
				}
				written += int64(m)
			}
			return true
		})
		if werr != nil && callErr == nil {
			callErr = werr
		}
		return true
	})
	if rerr != nil && callErr == nil {
		callErr = rerr
	}
	if callErr != nil {
		return written, true, callErr
	}
	return written, handled, nil
}

// copyRangeAt copies n bytes at off of src to the same offset of dst with
// copy_file_range when both are *os.File, moving neither file's offset.
// handled is false when nothing was attempted or the kernel refused the
// first call; the caller then copies the rest from off+written.
func copyRangeAt(dst io.WriterAt, src io.ReaderAt, off, n int64) (written int64, handled bool, err error) {
	s, ok1 := src.(*os.File)
	d, ok2 := dst.(*os.File)
	if !ok1 || !ok2 {
		return 0, false, nil
	}
	dstOff := off
	return zeroCopy(s, d, off, n, func(dfd, sfd int, soff *int64, size int) (int, error) {
		return unix.CopyFileRange(sfd, soff, dfd, &dstOff, size, 0)
	}, "copy_file_range")
}
