package main

import (
	"fmt"
	"io"
	"os"

	"github.com/deferio/deferio/iox"
	"golang.org/x/sys/unix"
)

// relayConsole copies standard input to the container's terminal and the
// terminal to standard output, through iox counting writers. When standard
// input is a terminal it is put in raw mode (the container's pty does the
// line editing and echo) and its size is copied. The returned function
// waits for the output to end, restores the terminal and returns the bytes
// relayed in (to the container) and out.
//
// The input goes through iox.OnlyWriter so that its count grows with each
// write: that copy is still blocked reading our terminal when the
// program exits. The output keeps io.Copy's fast paths; its count is
// added when the copy ends, which the returned function waits for.
func relayConsole(console *os.File) (func() (in, out int64), error) {
	restore := func() {}
	if old, err := unix.IoctlGetTermios(0, unix.TCGETS); err == nil {
		raw := *old
		raw.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		raw.Oflag &^= unix.OPOST
		raw.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		raw.Cflag &^= unix.CSIZE | unix.PARENB
		raw.Cflag |= unix.CS8
		raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 1, 0
		if err := unix.IoctlSetTermios(0, unix.TCSETS, &raw); err != nil {
			return nil, fmt.Errorf("unable to put the terminal in raw mode: %w", err)
		}
		restore = func() { unix.IoctlSetTermios(0, unix.TCSETS, old) }
		copyWinsize(console)
	}
	in, out := iox.NewCountingWriter(console), iox.NewCountingWriter(os.Stdout)
	go io.Copy(iox.OnlyWriter(in), os.Stdin)
	done := make(chan struct{})
	go func() {
		io.Copy(out, console) // ends with EIO when the last slave closes
		close(done)
	}()
	return func() (int64, int64) {
		<-done
		restore()
		console.Close()
		return in.N(), out.N()
	}, nil
}

// copyWinsize gives the container's terminal the size of ours.
func copyWinsize(console *os.File) {
	if ws, err := unix.IoctlGetWinsize(0, unix.TIOCGWINSZ); err == nil {
		unix.IoctlSetWinsize(int(console.Fd()), unix.TIOCSWINSZ, ws)
	}
}
