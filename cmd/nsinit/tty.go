package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// relayConsole copies standard input to the container's terminal and the
// terminal to standard output. When standard input is a terminal it is put
// in raw mode (the container's pty does the line editing and echo) and
// its size is copied. The returned function restores the terminal.
func relayConsole(console *os.File) (func(), error) {
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
	go io.Copy(console, os.Stdin)
	out := make(chan struct{})
	go func() {
		io.Copy(os.Stdout, console) // ends with EIO when the last slave closes
		close(out)
	}()
	return func() {
		<-out
		restore()
		console.Close()
	}, nil
}

// copyWinsize gives the container's terminal the size of ours.
func copyWinsize(console *os.File) {
	if ws, err := unix.IoctlGetWinsize(0, unix.TIOCGWINSZ); err == nil {
		unix.IoctlSetWinsize(int(console.Fd()), unix.TIOCSWINSZ, ws)
	}
}
