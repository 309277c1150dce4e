package container

import (
	"fmt"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// setupConsole gives the process a terminal when it asks for one: a new
// pty from the container's own /dev/pts, whose master travels to the
// runtime over the init socket (SCM_RIGHTS) and whose slave becomes the
// process's controlling terminal and stdio. For a container's init the
// slave is also bound onto /dev/console.
func setupConsole(sock *os.File, p *specs.Process, console bool) error {
	if !p.Terminal {
		return nil
	}
	master, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("unable to open /dev/ptmx: %w", err)
	}
	defer unix.Close(master)
	if err := unix.IoctlSetPointerInt(master, unix.TIOCSPTLCK, 0); err != nil {
		return fmt.Errorf("unable to unlock the pty: %w", err)
	}
	// TIOCGPTPEER opens the slave from the master itself, never by a
	// path that the container could have replaced.
	slave, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(master), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
	if errno != 0 {
		return fmt.Errorf("unable to open the pty slave: %w", errno)
	}
	defer unix.Close(int(slave))
	if p.ConsoleSize != nil {
		ws := &unix.Winsize{Row: uint16(p.ConsoleSize.Height), Col: uint16(p.ConsoleSize.Width)}
		if err := unix.IoctlSetWinsize(int(slave), unix.TIOCSWINSZ, ws); err != nil {
			return fmt.Errorf("unable to size the pty: %w", err)
		}
	}
	if console {
		// makeTarget creates /dev/console with O_NOFOLLOW: a symbolic
		// link there (an image's /dev) fails the start instead of
		// carrying the bind mount elsewhere (CVE-2025-52565).
		if _, err := os.Stat("/dev/console"); err == nil && defenceOff("consoletarget") {
			// Whatever /dev/console leads to, as runc before 1.2.8.
		} else if err := makeTarget("/dev/console", false); err != nil {
			return err
		}
		if err := unix.Mount(fmt.Sprintf("/proc/self/fd/%d", slave), "/dev/console", "", unix.MS_BIND, ""); err != nil {
			return fmt.Errorf("unable to bind the pty onto /dev/console: %w", err)
		}
	}
	if err := sendMsg(sock, message{Kind: msgPty}, master); err != nil {
		return err
	}
	if _, err := unix.Setsid(); err != nil {
		return fmt.Errorf("unable to start a session for the terminal: %w", err)
	}
	if err := unix.IoctlSetInt(int(slave), unix.TIOCSCTTY, 0); err != nil {
		return fmt.Errorf("unable to make the pty the controlling terminal: %w", err)
	}
	for fd := 0; fd < 3; fd++ {
		if err := unix.Dup3(int(slave), fd, 0); err != nil {
			return fmt.Errorf("unable to use the pty as descriptor %d: %w", fd, err)
		}
	}
	return nil
}
