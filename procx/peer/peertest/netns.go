// Package peertest builds real network topologies for tests, lessons and
// demos of package peer: network namespaces joined by veth pairs, iptables
// rules inside them, and a small TCP proxy that can send PROXY headers.
//
// Everything it creates is named with the prefix "dfpeer-" and a
// per-process counter, lives inside namespaces it created, and is removed
// by Close. It needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and the ip
// command; iptables rules need Debian's iptables package.
package peertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

var counter atomic.Int64

// uniqueName returns "dfpeer-<pid>-<n>-<role>", unique on this machine
// while the process lives.
func uniqueName(role string) string {
	return fmt.Sprintf("dfpeer-%d-%d-%s", os.Getpid(), counter.Add(1), role)
}

// A Netns is a named network namespace ("ip netns add").
type Netns struct {
	// Name is the namespace's name under /run/netns.
	Name string
}

// RemoveStale deletes namespaces named "dfpeer-<pid>-..." whose process
// is gone: leftovers of a run that was killed before its cleanup. Those
// of live processes are left alone, except ones that carry this
// process's own PID but were not made by it (the PID was reused). It
// returns the names it removed.
//
// Processes that call it at the same time (go test runs packages in
// parallel) take turns: each holds an exclusive flock(2) on
// /run/lock/dfpeer-netns.lock while it scans and deletes, so no two try
// to delete the same namespace. (Not on /run/netns itself: ip netns add
// locks that directory, and RemoveStale runs ip.) A namespace that
// disappears anyway between the scan and the deletion is not an error.
func RemoveStale() ([]string, error) {
	unlock, err := lockStale()
	if err != nil {
		return nil, err
	}
	defer unlock()
	return removeStaleLocked()
}

// netnsDir is where "ip netns add" puts its namespaces.
const netnsDir = "/run/netns"

// staleLock is the lock file of RemoveStale, in the directory meant for
// lock files (a tmpfs, emptied at boot).
const staleLock = "/run/lock/dfpeer-netns.lock"

// lockStale takes the exclusive lock of RemoveStale and returns the
// function that releases it.
func lockStale() (func(), error) {
	if err := os.MkdirAll("/run/lock", 0o1777); err != nil {
		return nil, fmt.Errorf("unable to create /run/lock: %w", err)
	}
	fd, err := unix.Open(staleLock, unix.O_RDONLY|unix.O_CREAT|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("unable to open %s: %w", staleLock, err)
	}
	for {
		err = unix.Flock(fd, unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("unable to lock %s: %w", staleLock, err)
	}
	return func() { unix.Close(fd) }, nil
}

// removeStaleLocked is RemoveStale for a caller that holds the lock.
func removeStaleLocked() ([]string, error) {
	entries, err := os.ReadDir(netnsDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unable to list network namespaces: %w", err)
	}
	var removed []string
	var errs []error
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "dfpeer-%d-", &pid); err != nil || pid <= 0 {
			continue
		}
		if pid == os.Getpid() {
			if _, ours := created.Load(e.Name()); ours {
				continue
			}
			// Our PID, but not made by us: a dead process had this PID.
		} else if err := unix.Kill(pid, 0); err == nil || errors.Is(err, unix.EPERM) {
			continue // the process lives
		}
		if _, err := run("ip", "netns", "del", e.Name()); err != nil {
			if _, serr := os.Stat(netnsDir + "/" + e.Name()); errors.Is(serr, os.ErrNotExist) {
				continue // gone meanwhile: nothing left to remove
			}
			errs = append(errs, err)
			continue
		}
		removed = append(removed, e.Name())
	}
	return removed, errors.Join(errs...)
}

var (
	staleOnce sync.Once
	// created holds the names of the namespaces this process made and
	// has not closed: a leftover that carries our PID (a dead process
	// had it before us) is not among them.
	created sync.Map
)

// NewNetns creates a network namespace whose name ends in role, with its
// loopback interface up. Close removes it. The first call in a process
// also removes stale namespaces (see [RemoveStale]).
func NewNetns(role string) (*Netns, error) {
	staleOnce.Do(func() { RemoveStale() })
	n := &Netns{Name: uniqueName(role)}
	if _, err := run("ip", "netns", "add", n.Name); err != nil {
		return nil, fmt.Errorf("unable to create network namespace %s: %w", n.Name, err)
	}
	created.Store(n.Name, true)
	if _, err := n.Run("ip", "link", "set", "lo", "up"); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

// Close deletes the namespace; interfaces and iptables rules inside it
// go with it.
func (n *Netns) Close() error {
	if _, err := run("ip", "netns", "del", n.Name); err != nil {
		return fmt.Errorf("unable to delete network namespace %s: %w", n.Name, err)
	}
	created.Delete(n.Name)
	return nil
}

// Run runs a command inside the namespace ("ip netns exec") and returns
// its standard output.
func (n *Netns) Run(args ...string) (string, error) {
	return run("ip", append([]string{"netns", "exec", n.Name}, args...)...)
}

// Do runs fn on an OS thread that has joined the namespace. Sockets fn
// creates belong to the namespace for their whole life, whichever thread
// uses them later. The thread is never given back to the Go scheduler:
// it stays locked and exits with its goroutine, so no other goroutine
// ever runs inside the namespace by accident.
func (n *Netns) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with this goroutine
		fd, err := unix.Open("/run/netns/"+n.Name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- fmt.Errorf("unable to open network namespace %s: %w", n.Name, err)
			return
		}
		err = unix.Setns(fd, unix.CLONE_NEWNET)
		unix.Close(fd)
		if err != nil {
			errc <- fmt.Errorf("unable to enter network namespace %s: %w", n.Name, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// Veth joins a and b with a veth pair, the end in a named aName with
// address aAddr, the end in b named bName with bAddr, both up. IPv6
// addresses are added without duplicate address detection, so they are
// usable at once. The pair is created directly inside the namespaces, so
// nothing appears in the caller's namespace even for a moment.
func Veth(a *Netns, aName string, aAddr netip.Prefix, b *Netns, bName string, bAddr netip.Prefix) error {
	if _, err := run("ip", "link", "add", aName, "netns", a.Name, "type", "veth", "peer", "name", bName, "netns", b.Name); err != nil {
		return fmt.Errorf("unable to create veth pair %s/%s: %w", aName, bName, err)
	}
	for _, end := range []struct {
		ns   *Netns
		name string
		addr netip.Prefix
	}{{a, aName, aAddr}, {b, bName, bAddr}} {
		if err := end.ns.AddAddr(end.name, end.addr); err != nil {
			return err
		}
		if _, err := end.ns.Run("ip", "link", "set", end.name, "up"); err != nil {
			return err
		}
	}
	return nil
}

// AddAddr adds an address to an interface of the namespace (IPv6 without
// duplicate address detection).
func (n *Netns) AddAddr(dev string, p netip.Prefix) error {
	args := []string{"ip", "addr", "add", p.String(), "dev", dev}
	if p.Addr().Is6() {
		args = append(args, "nodad")
	}
	_, err := n.Run(args...)
	return err
}

// commandTimeout bounds each ip or iptables command: one that hangs (ip
// netns add waits for a lock on /run/netns that another process holds)
// becomes an error that names it, not a test binary timing out.
const commandTimeout = 2 * time.Minute

func run(name string, args ...string) (string, error) {
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w after %v", ctx.Err(), commandTimeout)
		}
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = strings.TrimSpace(out.String())
		}
		return "", fmt.Errorf("%s %s failed: %w: %s", name, strings.Join(args, " "), err, msg)
	}
	return out.String(), nil
}

// Missing says what this machine lacks to build topologies: root, the ip
// command, or (when iptables is true) the iptables and ip6tables commands.
// It returns nil when nothing is missing.
func Missing(iptables bool) error {
	var errs []error
	if os.Geteuid() != 0 {
		errs = append(errs, errors.New("not root (network namespaces need CAP_SYS_ADMIN)"))
	}
	tools := []string{"ip"}
	if iptables {
		tools = append(tools, "iptables", "ip6tables")
	}
	for _, t := range tools {
		if _, err := exec.LookPath(t); err != nil {
			pkg := "iproute2"
			if t != "ip" {
				pkg = "iptables"
			}
			errs = append(errs, fmt.Errorf("%s not found (Debian package %s): %w", t, pkg, err))
		}
	}
	return errors.Join(errs...)
}
