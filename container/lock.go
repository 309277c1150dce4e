package container

import (
	"errors"
	"fmt"
	"io/fs"

	"golang.org/x/sys/unix"
)

// Each container has a lock: an exclusive flock(2) on its state directory.
// [Create] (from the moment the directory exists), [Container.Start],
// [Container.Launch], [Container.Run], [Container.Destroy] and
// [Container.ForceDestroy] hold it for their whole work, so that runtime
// processes working on one container (a `delete --force` while `create`
// or `start` runs, two `create`s of one ID) take turns, and each one sees
// what the one before finished. The lock lives on the directory itself,
// not in a file of the state root: the root holds nothing but container
// directories, and a directory removed by delete takes its lock with it.
// A runtime killed while holding the lock releases it with its last
// descriptor; the descriptor is close-on-exec and never given to init, a
// hook or the port forwarder.

// errGone reports a container whose directory was removed (by another
// runtime process, or by a failed Start) while this handle waited.
func (c *Container) errGone() error {
	return fmt.Errorf("unable to use container %s: it was deleted meanwhile: %w", c.ID(), ErrNotExist)
}

// recordDir remembers which directory c is, so that lock can tell it from
// a later container of the same ID.
func (c *Container) recordDir() error {
	var st unix.Stat_t
	if err := unix.Stat(c.dir, &st); err != nil {
		return fmt.Errorf("unable to read the state directory of %s: %w", c.ID(), err)
	}
	c.dirDev, c.dirIno = st.Dev, st.Ino
	return nil
}

// lock takes the container's lock, waiting for another holder, unless
// this handle holds it already; the returned function releases what this
// call took. Once it holds the lock, it re-reads state.json (another
// process may have changed it meanwhile) unless this handle started
// init, whose record it wrote itself. It fails with an error wrapping
// [ErrNotExist] when the directory was removed, or replaced by another
// container's, meanwhile.
func (c *Container) lock() (unlock func(), err error) {
	if c.locked {
		return func() {}, nil
	}
	fd, err := unix.Open(c.dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		return nil, c.errGone()
	}
	if err != nil {
		return nil, fmt.Errorf("unable to lock container %s: %w", c.ID(), err)
	}
	for {
		err = unix.Flock(fd, unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("unable to lock container %s: %w", c.ID(), err)
	}
	var held, now unix.Stat_t
	if err := unix.Fstat(fd, &held); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("unable to lock container %s: %w", c.ID(), err)
	}
	// The directory locked must still be the one at the path (delete
	// removes it while holding the lock) and the one this handle knows.
	if unix.Stat(c.dir, &now) != nil || now.Dev != held.Dev || now.Ino != held.Ino ||
		(c.dirIno != 0 && (held.Dev != c.dirDev || held.Ino != c.dirIno)) {
		unix.Close(fd)
		return nil, c.errGone()
	}
	c.dirDev, c.dirIno = held.Dev, held.Ino
	c.lockFd, c.locked = fd, true
	unlock = func() {
		unix.Close(c.lockFd)
		c.lockFd, c.locked = -1, false
	}
	if c.initProc == nil {
		st, err := readState(c.dir)
		switch {
		case err == nil:
			c.state = st
		case errors.Is(err, fs.ErrNotExist):
			// Still being created (or its creator was killed before
			// the first write): keep what Load saw.
		default:
			unlock()
			return nil, fmt.Errorf("unable to load container %s: %w", c.ID(), err)
		}
	}
	return unlock, nil
}
