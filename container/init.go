package container

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Environment variables of a re-executed init.
const (
	envInitSock = "_DEFERIO_INIT"      // descriptor of the init socket
	envFifo     = "_DEFERIO_INIT_FIFO" // descriptor of the FIFO (O_PATH)
)

// Roles of a re-executed init.
const (
	roleInit = "init" // a container's first process
	roleExec = "exec" // one more process in a running container
)

// initConfig is what the parent sends to init over the socket.
type initConfig struct {
	Role              string            `json:"role"`
	ID                string            `json:"id"`
	Bundle            string            `json:"bundle"`
	Rootfs            string            `json:"rootfs"`
	Spec              *specs.Spec       `json:"spec,omitempty"`
	Process           *specs.Process    `json:"process"`
	NoPivotRoot       bool              `json:"noPivotRoot,omitempty"`
	ParentDeathSignal int               `json:"parentDeathSignal,omitempty"`
	EtcFiles          map[string]string `json:"etcFiles,omitempty"`
	NewUserNS         bool              `json:"newUserNS,omitempty"`
	NewNetNS          bool              `json:"newNetNS,omitempty"`
	NewUTSNS          bool              `json:"newUTSNS,omitempty"`
	NewCgroupNS       bool              `json:"newCgroupNS,omitempty"`
	WaitFifo          bool              `json:"waitFifo,omitempty"`
	Reap              bool              `json:"reap,omitempty"` // Config.Init: stay as a reaping PID 1
}

var initCalled atomic.Bool

// InitCalled reports whether this program called [Init]. A program that
// did not cannot start containers: its re-executed init would run main.
func InitCalled() bool { return initCalled.Load() }

// IsInit reports whether this process is a re-executed container init.
func IsInit() bool { return os.Getenv(envInitSock) != "" }

// Init does a re-executed init's work when this process is one, and
// returns at once otherwise. Call it first thing in main (before flags are
// parsed or goroutines started) in every binary that creates containers:
// the runtime re-executes its own binary with "init" as argument and the
// init socket in the environment. When this process is an init, Init never
// returns: it executes the container's program (or, with [Config.Init],
// runs it as its child and exits with its status), or reports an error to
// the runtime over the socket and exits with status 1.
func Init() {
	if v := os.Getenv(envForward); v != "" {
		runForwarder(v) // a container's port forwarder: never returns
	}
	if !IsInit() {
		initCalled.Store(true)
		return
	}
	// Credentials, capabilities and the cgroup namespace are set per
	// thread, and execve(2) keeps the calling thread's: every step from
	// here to execve runs on this one thread.
	runtime.LockOSThread()
	sock, err := fdFromEnv(envInitSock)
	if err != nil {
		fmt.Fprintf(os.Stderr, "init: %v\n", err)
		os.Exit(1)
	}
	err = runInit(sock)
	if errors.Is(err, io.EOF) {
		os.Exit(1) // the runtime went away before sending the config
	}
	if err != nil {
		if sendErr := sendMsg(sock, message{Kind: msgError, Error: err.Error()}); sendErr != nil {
			fmt.Fprintf(os.Stderr, "init: %v\n", err)
		}
	}
	os.Exit(1)
}

func fdFromEnv(name string) (*os.File, error) {
	v := os.Getenv(name)
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 3 {
		return nil, fmt.Errorf("unable to use %s=%q: not a descriptor above stdio", name, v)
	}
	os.Unsetenv(name)
	unix.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), name), nil
}

// runInit receives the configuration and runs the child's side of setup.
func runInit(sock *os.File) (err error) {
	var fifo *os.File
	if os.Getenv(envFifo) != "" {
		f, err := fdFromEnv(envFifo)
		if err != nil {
			return err
		}
		fifo = f
	}
	m, _, err := recvMsg(sock)
	if err != nil {
		return err
	}
	if m.Kind != msgConfig || m.Config == nil || m.Config.Process == nil {
		return fmt.Errorf("unable to start: expected a config message, got %q", m.Kind)
	}
	cfg := m.Config
	if err := checkHeldCapabilities(cfg.Process.Capabilities); err != nil {
		return err
	}
	if err := setEarlyProcess(cfg.Process); err != nil {
		return err
	}
	if defenceOff("fdhygiene") {
		leakHostDir()
	}
	// procFd reaches the FIFO after pivot_root, through the host's
	// /proc (closed before exec).
	var procFd int = -1
	if cfg.Role == roleInit {
		if cfg.NewCgroupNS {
			// After the parent put us in the container's cgroup, so that
			// the namespace's root is that cgroup.
			if err := unix.Unshare(unix.CLONE_NEWCGROUP); err != nil {
				return fmt.Errorf("unable to create the cgroup namespace: %w", err)
			}
		}
		if cfg.NewNetNS {
			if err := loopbackUp(); err != nil {
				return err
			}
		}
		if fifo != nil {
			procFd, err = unix.Open("/proc/self/fd", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
			if err != nil {
				return fmt.Errorf("unable to open /proc/self/fd: %w", err)
			}
			defer func() {
				if procFd >= 0 {
					unix.Close(procFd)
				}
			}()
		}
		// The hostname before the mounts, so that createContainer
		// hooks (run before pivot_root) see it.
		if cfg.NewUTSNS && cfg.Spec.Hostname != "" {
			if err := unix.Sethostname([]byte(cfg.Spec.Hostname)); err != nil {
				return fmt.Errorf("unable to set the hostname to %q: %w", cfg.Spec.Hostname, err)
			}
		}
		if err := setupRootfs(cfg, func() error { return createHooks(sock, cfg) }); err != nil {
			return err
		}
	}
	if err := setupConsole(sock, cfg.Process, cfg.Role == roleInit); err != nil {
		return err
	}
	if cfg.Role == roleInit {
		if err := finishRootfs(cfg.Spec); err != nil {
			return err
		}
	}
	unix.Umask(0o022)
	if err := sendMsg(sock, message{Kind: msgReady}); err != nil {
		return err
	}
	// Block until `start` opens the FIFO, then run the startContainer
	// hooks; from here on, an error goes to start through the FIFO too.
	start, err := awaitStart(procFd, fifo, cfg)
	if err != nil {
		return err
	}
	defer func() { start.fail(err) }()
	if procFd >= 0 {
		unix.Close(procFd)
		procFd = -1
	}
	if err := seccompBeforeCredentials(cfg); err != nil {
		return err
	}
	// Credentials change after the FIFO: a process that changed its uid
	// is no longer dumpable and could not reopen the FIFO through /proc.
	if err := setupProcess(cfg.Process); err != nil {
		return err
	}
	if cfg.Reap && cfg.Role == roleInit {
		return runReaper(sock, start, cfg.Process, cfg.ParentDeathSignal)
	}
	return execProcess(cfg.Process, cfg.ParentDeathSignal)
}
