package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"

	"github.com/deferio/deferio/container/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// ErrNoInit is returned by Start and Exec in a program whose main does not
// call [Init] first: re-executed as a container's init, it would run its
// own main instead.
var ErrNoInit = errors.New("this program does not call container.Init() first thing in main, so it cannot re-execute itself as a container's init")

// Start creates the container's init process and waits until it has set
// up the namespaces, the root filesystem and the process and is blocked on
// the exec FIFO: the OCI "create". The container is then "created".
//
// The steps, each undone by a deferred cleanup if a later one fails (so a
// failed Start leaves no process, cgroup or state directory: the
// container is gone): the FIFO is made; the runtime binary is sealed (see
// sealedSelf) and executed from there as "init" in new namespaces (with
// uid and gid maps written by the parent); its pid and the cgroup paths
// are recorded; it is put in its cgroup; only then is it sent its
// configuration, so no code of the container runs outside the cgroup. A
// setup error inside init comes back over the socket with its context.
//
// Just before pivot_root, init stops and the prestart and createRuntime
// hooks run here, then init runs the createContainer hooks in the
// container's namespaces; a failing one fails Start, which removes the
// container (and runs the poststop hooks). Start holds the container's
// lock throughout.
func (c *Container) Start(p *Process) error {
	return c.StartContext(context.Background(), p)
}

// StartContext is [Container.Start] bounded by ctx: when ctx is done
// before init is ready, init is killed and the container removed, and the
// error wraps ctx's.
func (c *Container) StartContext(ctx context.Context, p *Process) error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return c.start(ctx, p, false)
}

// start does Start's work; with launching (Run, which holds the lock
// until the container runs) it does not record the "created" status that
// launch replaces at once: no other runtime process could act on it.
func (c *Container) start(ctx context.Context, p *Process, launching bool) (err error) {
	if err := need(c.ID(), "start", c.Status(), Creating); err != nil {
		return err
	}
	if c.state.Pid != 0 {
		return fmt.Errorf("unable to start container %s: an init (pid %d) was already started; delete it with force", c.ID(), c.state.Pid)
	}
	if c.state.Config.Spec == nil {
		return fmt.Errorf("unable to start container %s: it has no state.json yet (another runtime process is creating it, or died doing so; delete it with force)", c.ID())
	}
	if p == nil {
		p = &Process{}
	}
	cfg := c.state.Config
	if p.Spec == nil {
		p.Spec = cfg.Spec.Process
	}
	// A cgroup that already holds processes belongs to someone else (the
	// same id under another state root, or linux.cgroupsPath shared with
	// another container): using it would let this container's delete
	// kill them. Refuse before the deferred cleanup below, which empties
	// and removes the cgroup; remove only the state directory.
	if err := c.refuseBusyCgroup(); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			if derr := c.destroy(); derr != nil {
				err = fmt.Errorf("%w (and cleaning up: %w)", err, derr)
			}
		}
	}()

	tracef("start: begin")
	cg, err := newCgroup(c.state.CgroupPath)
	if err != nil {
		return fmt.Errorf("unable to prepare the cgroup of %s: %w", c.ID(), err)
	}
	// Recorded on disk with init's pid (recordInit), before the first
	// cgroup directory is made.
	c.state.CgroupPaths = cg.Paths()

	fifoPath := filepath.Join(c.dir, fifoName)
	if err := unix.Mkfifo(fifoPath, 0o622); err != nil {
		return fmt.Errorf("unable to create the exec FIFO: %w", err)
	}
	// Mkfifo applied the umask: init, maybe an unmapped uid in a user
	// namespace, must be able to open it for writing.
	if err := os.Chmod(fifoPath, 0o622); err != nil {
		return fmt.Errorf("unable to set the mode of the exec FIFO: %w", err)
	}
	fifoFd, err := unix.Open(fifoPath, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("unable to open the exec FIFO: %w", err)
	}
	fifo := os.NewFile(uintptr(fifoFd), fifoName)
	defer fifo.Close()

	etc := map[string]string{}
	for name, content := range etcFiles(cfg.Spec.Hostname) {
		host := filepath.Join(c.dir, "etc-"+filepath.Base(name))
		if err := os.WriteFile(host, []byte(content), 0o644); err != nil {
			return fmt.Errorf("unable to write %s for the container: %w", name, err)
		}
		etc[name] = host
	}

	ic, attr, joins := c.initFor(p, etc)
	lp, err := c.launchInit(ctx, ic, p, attr, joins, cg, fifo)
	if err != nil {
		return err
	}
	c.initProc, c.sock = p, lp
	c.state.Status = Created
	if launching {
		return nil
	}
	return writeState(c.dir, c.state)
}

// initFor returns what init is started with: its configuration, the
// clone flags with the uid and gid maps of a new user namespace, and the
// namespaces to join by path.
func (c *Container) initFor(p *Process, etc map[string]string) (*initConfig, *syscall.SysProcAttr, map[specs.LinuxNamespaceType]string) {
	cfg := c.state.Config
	joins := map[specs.LinuxNamespaceType]string{}
	for _, ns := range cfg.Spec.Linux.Namespaces {
		if ns.Path != "" {
			joins[ns.Type] = ns.Path
		}
	}
	ic := &initConfig{
		Role: roleInit, ID: c.ID(), Bundle: cfg.Bundle, Rootfs: cfg.Rootfs(), Spec: cfg.Spec,
		Process: p.Spec, NoPivotRoot: cfg.NoPivotRoot, ParentDeathSignal: int(cfg.ParentDeathSignal),
		EtcFiles: etc, NewUserNS: cfg.newNamespace(specs.UserNamespace),
		NewNetNS: cfg.newNamespace(specs.NetworkNamespace), NewUTSNS: cfg.newNamespace(specs.UTSNamespace),
		NewCgroupNS: cfg.newNamespace(specs.CgroupNamespace), WaitFifo: true, Reap: cfg.Init,
	}
	attr := &syscall.SysProcAttr{Cloneflags: cloneFlags(cfg)}
	if ic.NewUserNS {
		attr.UidMappings = idMaps(cfg.Spec.Linux.UIDMappings)
		attr.GidMappings = idMaps(cfg.Spec.Linux.GIDMappings)
		attr.GidMappingsEnableSetgroups = true
		// Become root of the new namespace before execve: the host's uid 0
		// is not mapped inside, and an unmapped uid loses every
		// capability at execve.
		attr.Credential = &syscall.Credential{Uid: 0, Gid: 0, NoSetGroups: true}
	}
	return ic, attr, joins
}

// refuseBusyCgroup fails when the container's cgroup already holds
// processes, and then removes only the state directory.
func (c *Container) refuseBusyCgroup() error {
	busy, err := cgroupInUse(c.state.CgroupPath)
	if err == nil && busy == "" {
		return nil
	}
	if err == nil {
		err = fmt.Errorf("unable to start container %s: its cgroup %s is in use (%s); another container has the same id or cgroups path: %w", c.ID(), c.state.CgroupPath, busy, ErrExist)
	}
	if rerr := os.RemoveAll(c.dir); rerr != nil {
		err = fmt.Errorf("%w (and cleaning up: %w)", err, rerr)
	}
	// The cgroup is not this container's: a later ForceDestroy on this
	// handle must not empty and remove it.
	c.state.CgroupPath, c.state.CgroupPaths = "", nil
	return err
}

func idMaps(ms []specs.LinuxIDMapping) []syscall.SysProcIDMap {
	out := make([]syscall.SysProcIDMap, len(ms))
	for i, m := range ms {
		out[i] = syscall.SysProcIDMap{ContainerID: int(m.ContainerID), HostID: int(m.HostID), Size: int(m.Size)}
	}
	return out
}

// launchInit runs the shared part of Start and Exec: re-execute the
// sealed binary, learn the final pid (nsenter reports it when it forked),
// join the cgroup, send the configuration and wait for "ready". It returns
// the parent's end of the socket.
func (c *Container) launchInit(ctx context.Context, ic *initConfig, p *Process, attr *syscall.SysProcAttr, joins map[specs.LinuxNamespaceType]string, cg cgroups.Manager, fifo *os.File) (sock *os.File, err error) {
	if !InitCalled() {
		return nil, ErrNoInit
	}
	tracef("start: state recorded, FIFO and /etc files made")
	self, err := sealedSelf()
	if err != nil {
		return nil, err
	}
	defer self.Close()
	tracef("start: sealed binary ready")
	parent, child, err := socketPair()
	if err != nil {
		return nil, err
	}
	defer child.Close()
	defer func() {
		if err != nil {
			parent.Close()
		}
	}()
	cmd := initCommand(self, child, attr)
	if !p.Spec.Terminal {
		var stdioStarted func(error)
		if stdioStarted, err = p.attachStdio(cmd); err != nil {
			return nil, err
		}
		defer func() { stdioStarted(err) }()
	}
	var syncW, reportR *os.File
	var childEnds []*os.File // closed in the parent once the child has them
	if len(joins) > 0 {
		var pipes [4]*os.File
		if pipes, err = nsenterPipes(cmd, joins); err != nil {
			return nil, err
		}
		for _, f := range pipes {
			defer f.Close()
		}
		syncW, reportR, childEnds = pipes[1], pipes[2], []*os.File{pipes[0], pipes[3]}
	}
	if fifo != nil {
		// After nsenter's pipes: the FIFO's descriptor is the last one.
		cmd.Env = append(cmd.Env, envFifo+"="+strconv.Itoa(len(cmd.ExtraFiles)+3))
		cmd.ExtraFiles = append(cmd.ExtraFiles, fifo)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("unable to start init for %s: %w", c.ID(), err)
	}
	p.cmd = cmd
	p.Pid = cmd.Process.Pid
	tracef("start: init forked and executed")
	defer func() {
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	var forked atomic.Int64 // nsenter's child, once it forked
	defer killWhenDone(ctx, c.ID(), cmd, &forked)(&err)
	child.Close()
	for _, f := range childEnds {
		f.Close() // or EOF would never come
	}
	if ic.Role == roleInit {
		if err := c.recordInit(p.Pid); err != nil {
			return nil, err
		}
	}
	if err := c.joinCgroup(cg, p.Pid, ic.Role == roleInit); err != nil {
		return nil, err
	}
	if syncW != nil {
		if err := c.releaseNsenter(syncW, reportR, p, ic.Role == roleInit); err != nil {
			return nil, err
		}
		forked.Store(int64(p.Pid))
	}
	tracef("start: init in its cgroup, resources set")
	if ic.Role == roleInit {
		// Before init is sent its configuration, so that the program
		// finds its interfaces up and its ports published.
		if err := c.setupNetwork(p.Pid); err != nil {
			return nil, err
		}
		if err := c.startForwarder(p.Pid); err != nil {
			return nil, err
		}
	}
	if err := sendMsg(parent, message{Kind: msgConfig, Config: ic}); err != nil {
		return nil, err
	}
	if err := c.waitReady(parent, p); err != nil {
		return nil, err
	}
	return parent, nil
}

// initCommand is the re-execution of the sealed binary as init, with
// the init socket as descriptor 3.
func initCommand(self, sock *os.File, attr *syscall.SysProcAttr) *exec.Cmd {
	return &exec.Cmd{
		Path:        fmt.Sprintf("/proc/self/fd/%d", self.Fd()),
		Args:        []string{"nsinit", "init"},
		Env:         []string{envInitSock + "=3"},
		ExtraFiles:  []*os.File{sock},
		SysProcAttr: attr,
	}
}

// killWhenDone kills the started process, and nsenter's child once
// forked holds its pid, when ctx is done first: the init socket then
// reaches EOF and the wait for init ends. The returned function, deferred
// with the launch's error, stops watching and makes that error wrap ctx's.
func killWhenDone(ctx context.Context, id string, cmd *exec.Cmd, forked *atomic.Int64) func(*error) {
	stop := context.AfterFunc(ctx, func() {
		cmd.Process.Kill()
		if pid := forked.Load(); pid > 0 {
			unix.Kill(int(pid), unix.SIGKILL)
		}
	})
	return func(errp *error) {
		if !stop() && *errp == nil {
			*errp = errors.New("killed") // ctx ended as init got ready
		}
		if *errp != nil && ctx.Err() != nil {
			*errp = fmt.Errorf("unable to start a process in %s: %w (%w)", id, ctx.Err(), *errp)
		}
	}
}

// releaseNsenter lets the nsenter constructor go on (the process is in
// its cgroup) and reads its report: when it forked, the child's pid is
// the process's (and, for init, is recorded).
func (c *Container) releaseNsenter(syncW, reportR *os.File, p *Process, init bool) error {
	if _, err := syncW.Write([]byte{1}); err != nil {
		return fmt.Errorf("unable to let nsenter go on: %w", err)
	}
	syncW.Close()
	pid, err := readReport(reportR)
	if err != nil {
		return err
	}
	if pid != 0 {
		p.Pid = pid
		if init {
			return c.recordInit(pid)
		}
	}
	return nil
}

// joinCgroup puts pid in the container's cgroup and, for init, sets the
// configuration's resources and device rules.
func (c *Container) joinCgroup(cg cgroups.Manager, pid int, init bool) error {
	if err := cg.Apply(pid); err != nil {
		return fmt.Errorf("unable to put init in its cgroup: %w", err)
	}
	if r := c.state.Config.Spec.Linux.Resources; init && r != nil {
		if err := cg.Set(withDeviceRules(r, c.state.Config.Spec.Linux.Devices)); err != nil {
			return fmt.Errorf("unable to set the resources of %s: %w", c.ID(), err)
		}
	}
	return nil
}

// recordInit records init's pid and start time in the state, before
// anything else can happen to it: a later delete finds and checks it.
func (c *Container) recordInit(pid int) error {
	c.state.Pid = pid
	var err error
	if c.state.PidStartTime, _, err = procStartTime(pid); err != nil {
		return fmt.Errorf("unable to read the start time of init: %w", err)
	}
	return writeState(c.dir, c.state)
}

// waitReady reads init's messages until it is ready: the pty master if it
// sends one, or the error that stopped its setup.
func (c *Container) waitReady(parent *os.File, p *Process) error {
	for {
		m, fds, err := recvMsg(parent)
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("unable to start %s: init exited before it was ready", c.ID())
		}
		if err != nil {
			return err
		}
		switch m.Kind {
		case msgPty:
			if len(fds) != 1 {
				return fmt.Errorf("unable to get the pty of %s: %d descriptors came", c.ID(), len(fds))
			}
			p.Console = os.NewFile(uintptr(fds[0]), "pty-master")
		case msgError:
			return fmt.Errorf("container %s init: %s", c.ID(), m.Error)
		case msgHooks:
			if err := c.runCreateHooks(); err != nil {
				return err
			}
			if err := sendMsg(parent, message{Kind: msgResume}); err != nil {
				return err
			}
		case msgReady:
			tracef("start: init ready (namespaces, rootfs, pivot_root done)")
			return nil
		default:
			return fmt.Errorf("unable to start %s: unexpected %q message", c.ID(), m.Kind)
		}
	}
}

// nsenterPipes gives cmd the pipes and the environment of the nsenter
// constructor, which joins the namespaces of joins before the Go runtime
// starts: the sync pipe's read end and write end, the report pipe's read
// end and write end.
func nsenterPipes(cmd *exec.Cmd, joins map[specs.LinuxNamespaceType]string) ([4]*os.File, error) {
	spec, pidns := joinSpec(joins)
	syncR, syncW, err := os.Pipe()
	if err != nil {
		return [4]*os.File{}, fmt.Errorf("unable to create the nsenter pipes: %w", err)
	}
	reportR, reportW, err := os.Pipe()
	if err != nil {
		syncR.Close()
		syncW.Close()
		return [4]*os.File{}, fmt.Errorf("unable to create the nsenter pipes: %w", err)
	}
	n := len(cmd.ExtraFiles) + 3
	cmd.ExtraFiles = append(cmd.ExtraFiles, syncR, reportW)
	cmd.Env = append(cmd.Env, "_DEFERIO_NSENTER="+spec,
		"_DEFERIO_NSENTER_SYNC="+strconv.Itoa(n), "_DEFERIO_NSENTER_REPORT="+strconv.Itoa(n+1))
	if pidns {
		cmd.Env = append(cmd.Env, "_DEFERIO_NSENTER_FORK=1")
	}
	return [4]*os.File{syncR, syncW, reportR, reportW}, nil
}

// readReport reads nsenter's report: "pid N" after a fork, nothing when
// it did not fork, "error TEXT" when it failed.
func readReport(r *os.File) (int, error) {
	b, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil {
		return 0, fmt.Errorf("unable to read the nsenter report: %w", err)
	}
	line := string(b)
	switch {
	case line == "":
		return 0, nil
	case len(line) > 6 && line[:6] == "error ":
		return 0, errors.New(line[6 : len(line)-1])
	case len(line) > 4 && line[:4] == "pid ":
		n, err := strconv.Atoi(line[4 : len(line)-1])
		if err != nil {
			return 0, fmt.Errorf("unable to parse the nsenter report %q: %w", line, err)
		}
		return n, nil
	}
	return 0, fmt.Errorf("unable to parse the nsenter report %q", line)
}

// Launch lets a created container's init execute the user's program (the
// OCI "start"): it opens the exec FIFO, which init is blocked on, and
// reads the byte init writes; init then runs the startContainer hooks in
// the container and executes the program, and Launch reads EOF on the
// FIFO (or why the program will not run), removes the FIFO, and runs the
// poststart hooks. A failing startContainer or poststart hook fails
// Launch, which then removes the container as the lifecycle requires
// (runtime.md, steps 7 and 9). In the runtime process that called Start,
// it also waits for init's socket to close (execve succeeded) or to carry
// an error. Launch holds the container's lock throughout.
func (c *Container) Launch() error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return c.launch()
}

func (c *Container) launch() error {
	if st := c.Status(); st == Stopped && c.sock != nil {
		if m, _, err := recvMsg(c.sock); err == nil && m.Kind == msgError {
			return fmt.Errorf("unable to start %s: init: %s", c.ID(), m.Error)
		}
	}
	if err := need(c.ID(), "start", c.Status(), Created); err != nil {
		return err
	}
	fifoPath := filepath.Join(c.dir, fifoName)
	fd, err := unix.Open(fifoPath, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("unable to open the exec FIFO of %s: %w", c.ID(), err)
	}
	defer unix.Close(fd)
	if err := c.awaitFifoByte(fd); err != nil {
		return err
	}
	tracef("launch: FIFO read, init runs the startContainer hooks and goes on to execve")
	if err := c.awaitProgram(fd); err != nil {
		var se *startError
		if errors.As(err, &se) && se.hook {
			return c.failStart(err)
		}
		return err
	}
	if err := os.Remove(fifoPath); err != nil {
		return fmt.Errorf("unable to remove the exec FIFO of %s: %w", c.ID(), err)
	}
	c.state.Status = Running
	if err := writeState(c.dir, c.state); err != nil {
		return err
	}
	if c.sock != nil {
		err := waitExec(c.sock, c.ID())
		c.sock.Close()
		c.sock = nil
		tracef("launch: init socket EOF, the program runs")
		if err != nil {
			return err
		}
	}
	if err := runHooks(hookPoststart, hooksOf(c.state.Config.Spec, hookPoststart), c.hookState(Running)); err != nil {
		return c.failStart(err)
	}
	return nil
}

// failStart removes a container whose start failed in a hook: the
// lifecycle then goes on with its destruction (and the poststop hooks).
func (c *Container) failStart(err error) error {
	if derr := c.destroy(); derr != nil {
		return fmt.Errorf("%w (and cleaning up: %w)", err, derr)
	}
	return err
}

// waitExec waits for init's end of the socket to close, which execve does
// (the descriptor is close-on-exec), or a reaping init (Config.Init) once
// its child runs: EOF means the program runs.
func waitExec(sock *os.File, id string) error {
	m, _, err := recvMsg(sock)
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return err
	}
	if m.Kind == msgError {
		return fmt.Errorf("container %s: %s", id, m.Error)
	}
	return fmt.Errorf("container %s: unexpected %q message before exec", id, m.Kind)
}

// Run is Start followed by Launch: the OCI "run". Wait for the process
// with p.Wait. When Launch fails (the last setup steps, such as the
// working directory or the credentials, run after the FIFO), Run removes
// the container as a failed Start does. Run holds the container's lock
// until Launch returns, not while the program runs.
func (c *Container) Run(p *Process) error {
	return c.RunContext(context.Background(), p)
}

// RunContext is [Container.Run] bounded by ctx until the program runs:
// when ctx is done before, init is killed and the container removed, and
// the error wraps ctx's. Once the program runs, ctx no longer matters
// (stop it with [Container.Signal]).
func (c *Container) RunContext(ctx context.Context, p *Process) (err error) {
	if p == nil {
		p = &Process{}
	}
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := c.start(ctx, p, true); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		if derr := c.destroy(); derr != nil {
			return fmt.Errorf("unable to run %s: %w (and cleaning up: %w)", c.ID(), err, derr)
		}
		return fmt.Errorf("unable to run %s: %w", c.ID(), err)
	}
	if err := c.launch(); err != nil {
		if derr := c.destroy(); derr != nil {
			return fmt.Errorf("%w (and cleaning up: %w)", err, derr)
		}
		return err
	}
	return nil
}

// InitProcess returns the container's first process when this runtime process
// started it, or nil.
func (c *Container) InitProcess() *Process { return c.initProc }
