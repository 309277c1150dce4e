package container

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// The OCI hooks (config.md, "POSIX-platform Hooks"), by the names
// config.json gives them, and where this runtime runs each:
//
//	prestart         the runtime, during create, before pivot_root (deprecated, still run)
//	createRuntime    the runtime, during create, before pivot_root, after prestart
//	createContainer  init, in the container's namespaces, before pivot_root
//	startContainer   init, in the container, after start opened the FIFO, before the program
//	poststart        the runtime, after the program was executed, before start returns
//	poststop         the runtime, after delete removed the container
//
// Init stops just before pivot_root and sends msgHooks; the parent runs
// prestart and createRuntime and answers msgResume; init then runs
// createContainer itself. A failing hook of any kind but poststop fails
// its operation, and the container is destroyed (runtime.md, lifecycle
// steps 3 to 9 "stop the container, and continue the lifecycle at step
// 12"); a failing poststop hook is a warning.
const (
	hookPrestart        = "prestart"
	hookCreateRuntime   = "createRuntime"
	hookCreateContainer = "createContainer"
	hookStartContainer  = "startContainer"
	hookPoststart       = "poststart"
	hookPoststop        = "poststop"
)

// hookKinds lists the kinds in the order the lifecycle runs them.
var hookKinds = []string{hookPrestart, hookCreateRuntime, hookCreateContainer, hookStartContainer, hookPoststart, hookPoststop}

// hooksOf returns spec's hooks of kind, or nil.
func hooksOf(spec *specs.Spec, kind string) []specs.Hook {
	if spec == nil || spec.Hooks == nil {
		return nil
	}
	h := spec.Hooks
	switch kind {
	case hookPrestart:
		//lint:ignore SA1019 prestart is deprecated, but the specification still requires running it
		return h.Prestart
	case hookCreateRuntime:
		return h.CreateRuntime
	case hookCreateContainer:
		return h.CreateContainer
	case hookStartContainer:
		return h.StartContainer
	case hookPoststart:
		return h.Poststart
	case hookPoststop:
		return h.Poststop
	}
	return nil
}

// validateHooks checks what the specification requires of every hook: an
// absolute path and, when set, a timeout above zero.
func validateHooks(spec *specs.Spec, bad func(string, ...any) error) []error {
	var errs []error
	for _, kind := range hookKinds {
		for i, h := range hooksOf(spec, kind) {
			if !filepath.IsAbs(h.Path) {
				errs = append(errs, bad("hooks.%s[%d]: path %q is not absolute", kind, i, h.Path))
			}
			if h.Timeout != nil && *h.Timeout <= 0 {
				errs = append(errs, bad("hooks.%s[%d]: timeout %d is not above zero", kind, i, *h.Timeout))
			}
		}
	}
	return errs
}

// hookOutputMax bounds how much of a failed hook's output its error keeps.
const hookOutputMax = 4096

// runHooks runs hooks one after the other, each with st as JSON on its
// standard input; the first that fails stops the others.
func runHooks(kind string, hooks []specs.Hook, st specs.State) error {
	if len(hooks) == 0 {
		return nil
	}
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("unable to encode the state for the %s hooks: %w", kind, err)
	}
	for i, h := range hooks {
		tracef("hooks: %s[%d] %s", kind, i, h.Path)
		if err := runHook(h, b); err != nil {
			return fmt.Errorf("unable to run %s hook %d (%s): %w", kind, i, h.Path, err)
		}
	}
	return nil
}

// runHook runs one hook: h.Path with argv h.Args (h.Path alone when
// empty) and exactly the environment h.Env, the state on its standard
// input, its output kept (in a memfd, so that a child it leaves behind
// holding stdout cannot make the wait hang) for the error. In a process
// group of its own, so that h.Timeout kills the hook and what it started.
func runHook(h specs.Hook, state []byte) error {
	ctx := context.Background()
	if h.Timeout != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(*h.Timeout)*time.Second)
		defer cancel()
	}
	out, err := memfdFile("hook-output")
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.CommandContext(ctx, h.Path)
	cmd.Args = h.Args
	if len(cmd.Args) == 0 {
		cmd.Args = []string{h.Path}
	}
	cmd.Env = h.Env
	if cmd.Env == nil {
		cmd.Env = []string{} // nil would hand the hook the runtime's environment
	}
	cmd.Stdin = bytes.NewReader(state)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return unix.Kill(-cmd.Process.Pid, unix.SIGKILL) }
	cmd.WaitDelay = time.Second // a child that keeps stdin from being written
	err = cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil // the hook itself succeeded
	}
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		err = fmt.Errorf("killed after its timeout of %ds", *h.Timeout)
	}
	if text := hookOutput(out); text != "" {
		return fmt.Errorf("%w: %s", err, text)
	}
	return err
}

// memfdFile returns an anonymous file in memory.
func memfdFile(name string) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("unable to create a memfd for %s: %w", name, err)
	}
	return os.NewFile(uintptr(fd), name), nil
}

// hookOutput returns the start of what a hook wrote, on one line.
func hookOutput(f *os.File) string {
	b, _ := io.ReadAll(io.NewSectionReader(f, 0, hookOutputMax))
	return strings.Join(strings.Fields(string(b)), " ")
}

// hookState is the OCI state a hook run by the runtime gets: status, and
// init's pid as the runtime sees it (none once stopped).
func (c *Container) hookState(status Status) specs.State {
	return c.state.OCI(status)
}

// runCreateHooks runs the prestart, then the createRuntime hooks, in the
// runtime's namespaces, while init waits before pivot_root.
func (c *Container) runCreateHooks() error {
	st := c.hookState(Creating)
	spec := c.state.Config.Spec
	if err := runHooks(hookPrestart, hooksOf(spec, hookPrestart), st); err != nil {
		return err
	}
	return runHooks(hookCreateRuntime, hooksOf(spec, hookCreateRuntime), st)
}

// initHookState is the OCI state a hook run by init gets: the pid is
// init's as the container sees it.
func initHookState(cfg *initConfig, status Status) specs.State {
	return specs.State{
		Version: specs.Version, ID: cfg.ID, Status: specs.ContainerState(status),
		Pid: os.Getpid(), Bundle: cfg.Bundle, Annotations: cfg.Spec.Annotations,
	}
}

// createHooks is init's step just before pivot_root, when the namespaces
// and the mounts exist: when the configuration has prestart or
// createRuntime hooks, init asks the parent to run them and waits for its
// answer; then it runs the createContainer hooks itself, so that they run
// in the container's namespaces (with a umask of 022, not the 0 that
// setup uses).
func createHooks(sock *os.File, cfg *initConfig) error {
	if len(hooksOf(cfg.Spec, hookPrestart))+len(hooksOf(cfg.Spec, hookCreateRuntime)) > 0 {
		if err := sendMsg(sock, message{Kind: msgHooks}); err != nil {
			return err
		}
		m, _, err := recvMsg(sock)
		if err != nil {
			return err
		}
		if m.Kind != msgResume {
			return fmt.Errorf("unable to go on after the createRuntime hooks: expected a resume message, got %q", m.Kind)
		}
	}
	hooks := hooksOf(cfg.Spec, hookCreateContainer)
	if len(hooks) == 0 {
		return nil
	}
	old := unix.Umask(0o022)
	defer unix.Umask(old)
	return runHooks(hookCreateContainer, hooks, initHookState(cfg, Creating))
}

var (
	warnMu sync.Mutex
	warnW  io.Writer = os.Stderr
)

// WarnTo sets where the runtime writes its warnings, one line each: a
// failed poststop hook, which the specification makes a warning and not
// an error. They go to os.Stderr unless WarnTo is called; nil discards
// them.
func WarnTo(w io.Writer) {
	warnMu.Lock()
	defer warnMu.Unlock()
	warnW = w
}

func warnf(format string, args ...any) {
	warnMu.Lock()
	defer warnMu.Unlock()
	if warnW != nil {
		fmt.Fprintf(warnW, "warning: "+format+"\n", args...)
	}
}

// runPoststopHooks runs the poststop hooks after the container was
// removed; a failure is a warning and the other hooks still run.
func runPoststopHooks(spec *specs.Spec, st specs.State) {
	hooks := hooksOf(spec, hookPoststop)
	if len(hooks) == 0 {
		return
	}
	b, err := json.Marshal(st)
	if err != nil {
		warnf("container %s: unable to encode the state for the poststop hooks: %v", st.ID, err)
		return
	}
	for i, h := range hooks {
		tracef("hooks: %s[%d] %s", hookPoststop, i, h.Path)
		if err := runHook(h, b); err != nil {
			warnf("container %s: poststop hook %d (%s) failed: %v", st.ID, i, h.Path, err)
		}
	}
}
