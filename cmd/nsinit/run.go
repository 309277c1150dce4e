package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/deferio/deferio/container"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func cmdRun(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("run", g.stderr)
	tty := fs.Bool("tty", false, "give the process a terminal")
	fs.BoolVar(tty, "t", false, "short for --tty")
	detach := fs.Bool("detach", false, "start and return, without waiting or deleting")
	fs.BoolVar(detach, "d", false, "short for --detach")
	pidFile := fs.String("pid-file", "", "write the init's pid to this file (atomically, once the program started)")
	traceIO := traceIOFlag(fs)
	id, cfg, err := containerFlags(fs)(args)
	if err != nil {
		return err
	}
	if *tty {
		cfg.Spec.Process.Terminal = true
	}
	if *detach && cfg.Spec.Process.Terminal {
		return usagef("--detach and a terminal do not go together: nobody would hold the terminal")
	}
	return runNew(ctx, g, id, cfg, runOptions{detach: *detach, trace: traceIO(), pidFile: *pidFile})
}

// runOptions are run's choices: detached or in the foreground, counted
// stdio (--trace-io), a pid file.
type runOptions struct {
	detach  bool
	trace   *ioTrace
	pidFile string
}

// runNew creates and starts a container; unless detached it waits for
// its process, deletes the container and returns the process's status.
// With a trace (--trace-io) it counts the process's stdio and prints the
// counts; with a pid file it writes init's pid there once the program
// started.
func runNew(ctx context.Context, g *globals, id string, cfg container.Config, o runOptions) error {
	detach, tr := o.detach, o.trace
	if detach && tr != nil {
		return usagef("--trace-io needs the foreground: a detached container's stdio is not relayed")
	}
	if !detach {
		cfg.ParentDeathSignal = syscall.SIGKILL
	}
	c, err := container.Create(g.root, id, cfg)
	if err != nil {
		return err
	}
	p := &container.Process{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, CountIO: tr != nil}
	if err := c.RunContext(ctx, p); err != nil {
		return err // Run removed what it made
	}
	if err := writePidFile(c, o.pidFile); err != nil {
		return err
	}
	if detach {
		return nil
	}
	code, err := waitForeground(ctx, p, tr)
	if err == nil {
		tr.print(g.stderr, p)
	}
	if derr := c.ForceDestroy(); derr != nil {
		return errors.Join(err, derr)
	}
	if err != nil {
		return err
	}
	return exitStatus(code)
}

// waitForeground relays the terminal (when there is one) and signals to
// the process, and waits for it. With tr it records the terminal's counts.
func waitForeground(ctx context.Context, p *container.Process, tr *ioTrace) (int, error) {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH)
	defer signal.Stop(sigs)
	stopRelay := func() (int64, int64) { return 0, 0 }
	if p.Console != nil {
		var err error
		if stopRelay, err = relayConsole(p.Console); err != nil {
			return -1, err
		}
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				p.Signal(syscall.SIGKILL)
				return
			case s := <-sigs:
				if s == syscall.SIGWINCH {
					if p.Console != nil {
						copyWinsize(p.Console)
					}
					continue
				}
				p.Signal(s)
			}
		}
	}()
	code, err := p.Wait()
	close(done)
	in, out := stopRelay()
	if tr != nil && p.Console != nil {
		tr.console, tr.consoleIn, tr.consoleOut = true, in, out
	}
	return code, err
}

// envList is a repeatable --env K=V flag.
type envList []string

func (e *envList) String() string { return strings.Join(*e, ",") }

func (e *envList) Set(v string) error {
	if !strings.Contains(v, "=") || strings.HasPrefix(v, "=") {
		return fmt.Errorf("%q is not KEY=VALUE", v)
	}
	*e = append(*e, v)
	return nil
}

// parseUser parses UID or UID:GID.
func parseUser(s string) (specs.User, error) {
	uidS, gidS, hasGid := strings.Cut(s, ":")
	uid, err := strconv.ParseUint(uidS, 10, 32)
	if err != nil {
		return specs.User{}, usagef("--user %q: the uid is not a number", s)
	}
	gid := uid
	if hasGid {
		if gid, err = strconv.ParseUint(gidS, 10, 32); err != nil {
			return specs.User{}, usagef("--user %q: the gid is not a number", s)
		}
	}
	return specs.User{UID: uint32(uid), GID: uint32(gid)}, nil
}

// mergeEnv sets each KEY=VALUE of over in env, replacing the same key.
func mergeEnv(env, over []string) []string {
	out := append([]string(nil), env...)
	for _, kv := range over {
		k, _, _ := strings.Cut(kv, "=")
		replaced := false
		for i, e := range out {
			if strings.HasPrefix(e, k+"=") {
				out[i], replaced = kv, true
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}

// cmdExec is the classic nsinit exec: run a command in container ID when
// it is running, or run a new container from a config file.
func cmdExec(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("exec", g.stderr)
	tty := fs.Bool("tty", false, "give the process a terminal")
	fs.BoolVar(tty, "t", false, "short for --tty")
	config := fs.String("config", "config.json", "the configuration of a new container (its directory is the bundle)")
	id := fs.String("id", "nsinit", "the container")
	user := fs.String("user", "", "UID[:GID] to run as")
	cwd := fs.String("cwd", "", "working directory inside the container")
	var env envList
	fs.Var(&env, "env", "KEY=VALUE to set (repeatable)")
	traceIO := traceIOFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := container.ValidateID(*id); err != nil {
		return usageError{err.Error()}
	}
	if *cwd != "" && !filepath.IsAbs(*cwd) {
		return usagef("--cwd %q is not absolute", *cwd)
	}
	apply := func(p *specs.Process) error {
		if fs.NArg() > 0 {
			p.Args = fs.Args()
		}
		if *user != "" {
			u, err := parseUser(*user)
			if err != nil {
				return err
			}
			p.User.UID, p.User.GID, p.User.AdditionalGids = u.UID, u.GID, nil
		}
		if *cwd != "" {
			p.Cwd = *cwd
		}
		p.Env = mergeEnv(p.Env, env)
		p.Terminal = *tty
		return nil
	}
	if c, err := container.Load(g.root, *id); err == nil {
		if st := c.Status(); st != container.Running {
			return fmt.Errorf("container %s exists and is %s: exec needs it running (or delete it)", *id, st)
		}
		if fs.NArg() == 0 {
			return usagef("exec into running container %s needs a command", *id)
		}
		base := *c.Config().Spec.Process
		ps := &base
		if err := apply(ps); err != nil {
			return err
		}
		tr := traceIO()
		p := &container.Process{Spec: ps, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, CountIO: tr != nil}
		if err := c.ExecContext(ctx, p); err != nil {
			return err
		}
		code, err := waitForeground(ctx, p, tr)
		if err != nil {
			return err
		}
		tr.print(g.stderr, p)
		return exitStatus(code)
	} else if !errors.Is(err, container.ErrNotExist) {
		return err
	}
	cfg, err := loadBundle(filepath.Dir(*config))
	if err != nil {
		return err
	}
	if filepath.Base(*config) != "config.json" {
		return usagef("--config %q: the file must be a bundle's config.json", *config)
	}
	if err := apply(cfg.Spec.Process); err != nil {
		return err
	}
	return runNew(ctx, g, *id, cfg, runOptions{trace: traceIO()})
}
