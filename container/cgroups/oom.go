package cgroups

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// OOM notifications, two ways.
//
// v1 (Documentation/admin-guide/cgroup-v1/memory.rst, "OOM Control"): make
// an eventfd, open memory.oom_control, and write "<eventfd> <fd>" to
// cgroup.event_control. The kernel then adds to the eventfd's counter each
// time the cgroup hits OOM, and once more when the cgroup is removed.
//
// v2 (Documentation/admin-guide/cgroup-v2.rst, memory.events): the file's
// counters (oom, oom_kill ...) change and the kernel sends a file-modified
// event, which inotify delivers. There is no event per OOM, only a
// counter to compare with the last one seen.
//
// Both descriptors are non-blocking and handed to os.NewFile, so Go's
// poller waits on them and closing the file wakes a blocked Read: that is
// how a cancelled ctx stops the goroutine.

func notifyOOMV1(ctx context.Context, dir string) (<-chan OOMEvent, error) {
	ctl := filepath.Join(dir, "memory.oom_control")
	ofd, err := unix.Open(ctl, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("unable to open %s: %w", ctl, err)
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(ofd)
		return nil, fmt.Errorf("unable to create an eventfd: %w", err)
	}
	if err := writeFile(dir, "cgroup.event_control", fmt.Sprintf("%d %d", efd, ofd)); err != nil {
		unix.Close(ofd)
		unix.Close(efd)
		return nil, fmt.Errorf("unable to register for OOM events: %w", err)
	}
	ev := os.NewFile(uintptr(efd), "eventfd:"+ctl)
	ch := make(chan OOMEvent)
	go func() {
		defer close(ch)
		defer unix.Close(ofd)
		defer ev.Close()
		stop := context.AfterFunc(ctx, func() { ev.Close() })
		defer stop()
		var buf [8]byte
		for {
			if _, err := ev.Read(buf[:]); err != nil {
				return // closed by ctx, or a broken eventfd
			}
			_ = binary.NativeEndian.Uint64(buf[:]) // how many signals were folded into this read
			if !exists(dir, "memory.oom_control") {
				return // the kernel signals once more when the cgroup goes
			}
			kv, _ := readKeyValues(dir, "memory.oom_control")
			select {
			case ch <- OOMEvent{Time: time.Now(), OOMKills: kv["oom_kill"]}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}

// watchCounter watches dir/file, a "key value" file of the cgroup2
// hierarchy such as memory.events or cgroup.events, and sends the new
// value of key each time it grows. The channel closes when ctx is done or
// the file goes away (the cgroup was removed).
func watchCounter(ctx context.Context, dir, file, key string) (<-chan uint64, error) {
	p := filepath.Join(dir, file)
	kv, err := readKeyValues(dir, file)
	if err != nil {
		return nil, err
	}
	last := kv[key]
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("unable to create an inotify instance: %w", err)
	}
	if _, err := unix.InotifyAddWatch(fd, p, unix.IN_MODIFY); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("unable to watch %s: %w", p, err)
	}
	// Neither the file's watch nor one on the cgroup's directory hears
	// the cgroup's removal (kernfs inodes keep their links, so no
	// IN_DELETE_SELF); rmdir(2) does send IN_DELETE to the parent.
	parent := filepath.Dir(dir)
	if _, err := unix.InotifyAddWatch(fd, parent, unix.IN_DELETE|unix.IN_ONLYDIR); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("unable to watch %s: %w", parent, err)
	}
	in := os.NewFile(uintptr(fd), "inotify:"+p)
	ch := make(chan uint64)
	go func() {
		defer close(ch)
		defer in.Close()
		stop := context.AfterFunc(ctx, func() { in.Close() })
		defer stop()
		buf := make([]byte, 4096)
		for {
			// Any event: the counter file changed, or an entry of
			// the parent went away, perhaps this cgroup.
			if _, err := in.Read(buf); err != nil {
				return
			}
			kv, err := readKeyValues(dir, file)
			if err != nil {
				return // the cgroup is gone
			}
			if kv[key] > last {
				last = kv[key]
				select {
				case ch <- last:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return ch, nil
}

// notifyOOMV2 turns increases of memory.events' oom_kill into OOMEvents.
func notifyOOMV2(ctx context.Context, dir string) (<-chan OOMEvent, error) {
	if !exists(dir, "memory.events") {
		return nil, fmt.Errorf("unable to watch %s for OOM kills: no memory.events (the memory controller is not enabled for it): %w", dir, ErrNoController)
	}
	counts, err := watchCounter(ctx, dir, "memory.events", "oom_kill")
	if err != nil {
		return nil, fmt.Errorf("unable to watch %s for OOM kills: %w", dir, err)
	}
	ch := make(chan OOMEvent)
	go func() {
		defer close(ch)
		for n := range counts {
			select {
			case ch <- OOMEvent{Time: time.Now(), OOMKills: n}:
			case <-ctx.Done():
				for range counts {
				}
				return
			}
		}
	}()
	return ch, nil
}
