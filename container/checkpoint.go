package container

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/deferio/deferio/container/bundle"
	"github.com/deferio/deferio/container/criu"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Checkpoint saves the container's init and every process below it into
// the directory imagePath, through CRIU (package container/criu): their
// memory, registers, files and namespaces. The container must be running
// or paused. With opts.LeaveRunning the container goes on as it was
// (running, or still paused); otherwise CRIU kills the processes once the
// images are complete, and the container is then stopped, which its state
// records: [Container.Destroy] removes it, and [Restore] brings it back
// from the images, under the same ID or another.
//
// The first thing Checkpoint does, after checking the status, is run
// `criu check`. When that fails (CRIU cannot work on this kernel or
// without these privileges), Checkpoint returns an error that wraps
// [criu.ErrCheckFailed] and carries CRIU's own output, and it has changed
// nothing: the processes run on untouched, the state is not written and
// imagePath is not created. A dump that fails later leaves the processes
// running and the status unchanged; imagePath (created with mode 0700 if
// missing) then holds CRIU's dump.log, which the error quotes.
//
// Checkpoint fills in the options that a container needs itself, over
// what opts says: the rootfs as CRIU's root, the bind mounts from the
// host (the spec's bind mounts, /etc/hosts, /etc/hostname and
// /etc/resolv.conf, and the device nodes a user namespace binds) as
// external mounts, the cgroups, the v1 freezer of a paused container, and
// ShellJob (init shares the session of the runtime that started it).
func (c *Container) Checkpoint(ctx context.Context, imagePath string, opts criu.Options) error {
	if err := need(c.ID(), "checkpoint", c.Status(), Running, Paused); err != nil {
		return err
	}
	if imagePath == "" {
		return fmt.Errorf("unable to checkpoint container %s: empty image path", c.ID())
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("unable to checkpoint container %s: %w", c.ID(), err)
	}
	if err := criu.CheckContext(ctx, opts); err != nil {
		return fmt.Errorf("unable to checkpoint container %s: %w", c.ID(), err)
	}
	cfg := c.state.Config
	opts.Root = cfg.Rootfs()
	opts.ShellJob = true
	opts.ManageCgroups = true
	opts.ExternalMounts = map[string]string{}
	for dest := range c.externalMounts() {
		opts.ExternalMounts[dest] = dest
	}
	if dir := c.state.CgroupPaths["freezer"]; dir != "" {
		opts.FreezeCgroup = dir
	}
	pid, start := c.state.Pid, c.state.PidStartTime
	tracef("checkpoint: criu check passed, dumping")
	if err := criu.Checkpoint(pid, imagePath, opts); err != nil {
		return fmt.Errorf("unable to checkpoint container %s: %w", c.ID(), err)
	}
	tracef("checkpoint: images written")
	if opts.LeaveRunning {
		return nil
	}
	if c.initProc != nil && c.initProc.cmd != nil && c.initProc.cmd.ProcessState == nil {
		c.initProc.cmd.Wait() // our child, killed by CRIU: reap it
	}
	if err := waitGone(pid, start, cgroupRemoveTimeout); err != nil {
		return fmt.Errorf("unable to checkpoint container %s: the images are written, but: %w", c.ID(), err)
	}
	c.state.Status = Stopped
	return writeState(c.dir, c.state)
}

// Restore is the classic Factory.Restore: it makes a container id under
// the state root root from the bundle directory (config.json and the
// rootfs, as for [Create]) and the processes saved by
// [Container.Checkpoint] in imagePath. CRIU rebuilds the process tree
// with its namespaces, in the container's cgroup (linux.cgroupsPath, or
// /deferio/ID), with the rootfs of the bundle as its root; the state
// records the restored init, and the container is running. The restored
// init is a child of the calling process, which should reap it when it
// exits (as a detached container's, it is otherwise reparented when the
// caller exits).
//
// The first thing Restore does, after checking the ID, is run
// `criu check`. When that fails, Restore returns an error that wraps
// [criu.ErrCheckFailed] and carries CRIU's own output, and nothing has
// been made: no state directory, no cgroup. An ID in use, a bad bundle or
// a directory without images is an error that makes nothing either. If
// the restore itself fails, what it made (state directory, cgroup,
// restored processes) is removed; the error quotes CRIU's restore.log
// from imagePath.
//
// opts tunes CRIU as for Checkpoint (TCPEstablished and
// ExternalUnixSockets must match the checkpoint's); Restore fills in the
// root, the external mounts, the cgroups and ShellJob itself.
func Restore(ctx context.Context, root, id, bundleDir, imagePath string, opts criu.Options) (c *Container, err error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("unable to restore container %s: %w", id, err)
	}
	if err := criu.CheckContext(ctx, opts); err != nil {
		return nil, fmt.Errorf("unable to restore container %s: %w", id, err)
	}
	if imagePath == "" {
		return nil, fmt.Errorf("unable to restore container %s: empty image path", id)
	}
	if _, err := os.Stat(filepath.Join(imagePath, "inventory.img")); err != nil {
		return nil, fmt.Errorf("unable to restore container %s: %s is not a CRIU image directory (no inventory.img): %w", id, imagePath, err)
	}
	abs, err := filepath.Abs(bundleDir)
	if err != nil {
		return nil, fmt.Errorf("unable to use bundle %q: %w", bundleDir, err)
	}
	spec, err := bundle.ReadSpec(abs)
	if err != nil {
		return nil, fmt.Errorf("unable to restore container %s: %w", id, err)
	}
	c, err = Create(root, id, Config{Bundle: abs, Spec: spec})
	if err != nil {
		return nil, err
	}
	if err := c.refuseBusyCgroup(); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			if derr := c.destroy(); derr != nil {
				err = fmt.Errorf("%w (and cleaning up: %w)", err, derr)
			}
			c = nil
		}
	}()
	cg, err := newCgroup(c.state.CgroupPath)
	if err != nil {
		return nil, fmt.Errorf("unable to prepare the cgroup of %s: %w", id, err)
	}
	c.state.CgroupPaths = cg.Paths()
	if err := writeState(c.dir, c.state); err != nil {
		return nil, err
	}
	for name, content := range etcFiles(spec.Hostname) {
		host := filepath.Join(c.dir, "etc-"+filepath.Base(name))
		if err := os.WriteFile(host, []byte(content), 0o644); err != nil {
			return nil, fmt.Errorf("unable to write %s for the container: %w", name, err)
		}
	}
	opts.Root = c.state.Config.Rootfs()
	opts.ShellJob = true
	opts.ManageCgroups = true
	opts.CgroupRoot = c.state.CgroupPath
	opts.ExternalMounts = c.externalMounts()
	tracef("restore: criu check passed, state and cgroup prepared")
	pid, err := criu.Restore(imagePath, opts)
	if err != nil {
		return nil, fmt.Errorf("unable to restore container %s: %w", id, err)
	}
	tracef("restore: CRIU restored init")
	if err := c.recordInit(pid); err != nil {
		return nil, err
	}
	if err := c.joinCgroup(cg, pid, true); err != nil {
		return nil, err
	}
	c.state.Status = Running
	if err := writeState(c.dir, c.state); err != nil {
		return nil, err
	}
	return c, nil
}

// externalMounts returns the container's mounts whose source is outside
// its mount namespace, as destination inside the container -> source on
// the host: the spec's bind mounts, the /etc files the runtime binds
// (where the rootfs has them), and the device nodes bound from the host
// in a user namespace. CRIU cannot dump these by itself; it records each
// under its destination, and a restore binds the source there again.
func (c *Container) externalMounts() map[string]string {
	cfg := c.state.Config
	ext := map[string]string{}
	for _, m := range cfg.Spec.Mounts {
		if m.Type != "bind" && !parseMountOptions(m.Options).bind {
			continue
		}
		src := m.Source
		if !filepath.IsAbs(src) {
			src = filepath.Join(cfg.Bundle, src)
		}
		ext[filepath.Clean(m.Destination)] = src
	}
	rootfs := cfg.Rootfs()
	for name := range etcFiles(cfg.Spec.Hostname) {
		dest, err := secureJoin(rootfs, name)
		if err != nil {
			continue
		}
		if fi, err := os.Lstat(dest); err == nil && fi.Mode().IsRegular() {
			ext[name] = filepath.Join(c.dir, "etc-"+filepath.Base(name))
		}
	}
	if cfg.newNamespace(specs.UserNamespace) {
		for _, d := range append(append([]specs.LinuxDevice{}, defaultDevices...), cfg.Spec.Linux.Devices...) {
			ext[d.Path] = d.Path
		}
	}
	return ext
}
