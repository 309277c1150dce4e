package criu

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	gocriu "github.com/checkpoint-restore/go-criu/v8"
	"github.com/checkpoint-restore/go-criu/v8/rpc"
)

// Log file names CRIU writes into the image directory.
const (
	dumpLog    = "dump.log"
	restoreLog = "restore.log"
)

func ptr[T any](v T) *T { return &v }

// Checkpoint dumps the process tree rooted at pid into imagePath, which is
// created if missing (mode 0700). Unless opts.LeaveRunning is set, CRIU
// kills the tree once the images are complete; if the dump fails, the
// tree is left running. CRIU's log is imagePath/dump.log; on failure the
// error quotes its error lines, and CRIU's `criu check` output if that
// fails too (the error then wraps [ErrCheckFailed]).
func Checkpoint(pid int, imagePath string, opts Options) error {
	if pid <= 0 {
		return fmt.Errorf("unable to checkpoint: invalid pid %d", pid)
	}
	if imagePath == "" {
		return errors.New("unable to checkpoint: empty image path")
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
		return fmt.Errorf("unable to checkpoint process %d: no such process", pid)
	}
	if err := os.MkdirAll(imagePath, 0o700); err != nil {
		return fmt.Errorf("unable to checkpoint process %d: unable to create the image directory: %w", pid, err)
	}
	dir, err := os.Open(imagePath)
	if err != nil {
		return fmt.Errorf("unable to checkpoint process %d: %w", pid, err)
	}
	defer dir.Close()
	req := baseOpts(dir, opts, dumpLog)
	req.Pid = ptr(int32(pid))
	req.LeaveRunning = ptr(opts.LeaveRunning)
	if opts.FreezeCgroup != "" {
		req.FreezeCgroup = ptr(opts.FreezeCgroup)
	}
	c := gocriu.MakeCriu()
	c.SetCriuPath(opts.criu())
	if err := c.Dump(req, nil); err != nil {
		return failure(fmt.Sprintf("checkpoint process %d", pid), err, filepath.Join(imagePath, dumpLog), opts)
	}
	return nil
}

// Restore rebuilds the process tree saved in imagePath and returns the
// pid of its root. The restored root is a child of the calling process
// (CRIU's rst_sibling), so the caller must wait for it. The pid is the
// one it had when dumped: restore fails if that pid is taken. CRIU's log
// is imagePath/restore.log, quoted in the error on failure.
func Restore(imagePath string, opts Options) (int, error) {
	if imagePath == "" {
		return 0, errors.New("unable to restore: empty image path")
	}
	if _, err := os.Stat(filepath.Join(imagePath, "inventory.img")); err != nil {
		return 0, fmt.Errorf("unable to restore from %s: not a CRIU image directory (no inventory.img): %w", imagePath, err)
	}
	dir, err := os.Open(imagePath)
	if err != nil {
		return 0, fmt.Errorf("unable to restore from %s: %w", imagePath, err)
	}
	defer dir.Close()
	req := baseOpts(dir, opts, restoreLog)
	req.RstSibling = ptr(true)
	if opts.ManageCgroups && opts.CgroupRoot != "" {
		req.CgRoot = []*rpc.CgroupRoot{{Path: ptr(opts.CgroupRoot)}}
	}
	n := &restoreNotify{}
	c := gocriu.MakeCriu()
	c.SetCriuPath(opts.criu())
	if err := c.Restore(req, n); err != nil {
		return 0, failure("restore from "+imagePath, err, filepath.Join(imagePath, restoreLog), opts)
	}
	if n.pid <= 0 {
		return 0, fmt.Errorf("unable to restore from %s: CRIU reported success but no pid", imagePath)
	}
	return int(n.pid), nil
}

// baseOpts are the request options both directions share. CRIU opens the
// image directory through /proc/<our pid>/fd/<fd>, so the descriptor must
// stay open until the request is answered.
func baseOpts(dir *os.File, opts Options, log string) *rpc.CriuOpts {
	level := opts.LogLevel
	if level <= 0 || level > 4 {
		level = 4
	}
	req := &rpc.CriuOpts{
		ImagesDirFd:    ptr(int32(dir.Fd())),
		LogLevel:       ptr(int32(level)),
		LogFile:        ptr(log),
		ShellJob:       ptr(opts.ShellJob),
		TcpEstablished: ptr(opts.TCPEstablished),
		ExtUnixSk:      ptr(opts.ExternalUnixSockets),
		ManageCgroups:  ptr(opts.ManageCgroups),
	}
	if opts.Root != "" {
		req.Root = ptr(opts.Root)
	}
	for _, k := range slices.Sorted(maps.Keys(opts.ExternalMounts)) {
		req.ExtMnt = append(req.ExtMnt, &rpc.ExtMountMap{Key: ptr(k), Val: ptr(opts.ExternalMounts[k])})
	}
	return req
}

// restoreNotify learns the restored root's pid from CRIU's post-restore
// notification.
type restoreNotify struct {
	gocriu.NoNotify
	pid int32
}

func (n *restoreNotify) PostRestore(pid int32) error {
	n.pid = pid
	return nil
}

// failure builds the error of a failed dump or restore: go-criu's error
// (often only "operation failed" or an EOF when criu died), CRIU's log,
// and `criu check` when it fails.
func failure(op string, err error, logPath string, opts Options) error {
	log := fmt.Sprintf("\nCRIU wrote no log at %s", logPath)
	if lines := logErrors(logPath, 12); lines != "" {
		log = fmt.Sprintf("\nCRIU's log (%s):\n%s", logPath, indent(lines))
	}
	if cerr := CheckContext(context.Background(), opts); cerr != nil {
		return fmt.Errorf("unable to %s: criu swrk: %w%s\n%w", op, err, log, cerr)
	}
	return fmt.Errorf("unable to %s: criu swrk: %w%s", op, err, log)
}
