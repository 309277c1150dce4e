package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/container/bundle"
	"golang.org/x/sys/unix"
)

// loadBundle reads DIR/config.json into a container configuration.
func loadBundle(dir string) (container.Config, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return container.Config{}, fmt.Errorf("unable to use bundle %q: %w", dir, err)
	}
	spec, err := bundle.ReadSpec(abs)
	if err != nil {
		return container.Config{}, err
	}
	cfg := container.Config{Bundle: abs, Spec: spec}
	if err := cfg.ApplyAnnotations(); err != nil {
		return container.Config{}, err
	}
	return cfg, nil
}

func cmdCreate(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("create", g.stderr)
	pidFile := fs.String("pid-file", "", "write the init's pid to this file (atomically, once it is known)")
	consoleSocket := fs.String("console-socket", "", "a unix socket that receives the pty master (SCM_RIGHTS) when process.terminal is set")
	id, cfg, err := containerFlags(fs)(args)
	if err != nil {
		return err
	}
	terminal := cfg.Spec.Process != nil && cfg.Spec.Process.Terminal
	if terminal && *consoleSocket == "" {
		return usagef("process.terminal is set: a detached container needs --console-socket (or use nsinit run -t)")
	}
	if !terminal && *consoleSocket != "" {
		return usagef("--console-socket is only for a process with a terminal (process.terminal)")
	}
	c, err := container.Create(g.root, id, cfg)
	if err != nil {
		return err
	}
	p := &container.Process{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	if err := c.StartContext(ctx, p); err != nil {
		return err
	}
	if terminal {
		err := sendConsole(*consoleSocket, p.Console)
		p.Console.Close()
		if err != nil {
			if derr := c.ForceDestroy(); derr != nil {
				return errors.Join(err, derr)
			}
			return err
		}
	}
	return writePidFile(c, *pidFile)
}

// containerFlags adds the flags create and run share (--bundle, --no-pivot,
// the network and ports, --init) to fs and returns what parses a command
// line into the container's ID and configuration.
func containerFlags(fs *flag.FlagSet) func(args []string) (string, container.Config, error) {
	dir := fs.String("bundle", ".", "bundle directory (config.json and rootfs)")
	fs.StringVar(dir, "b", ".", "short for --bundle")
	noPivot := fs.Bool("no-pivot", false, "use MS_MOVE and chroot instead of pivot_root")
	applyNet, applyInit := netFlags(fs), initFlag(fs)
	return func(args []string) (string, container.Config, error) {
		if err := parse(fs, args); err != nil {
			return "", container.Config{}, err
		}
		id, err := oneID(fs.Args())
		if err != nil {
			return "", container.Config{}, err
		}
		cfg, err := loadBundle(*dir)
		if err != nil {
			return "", container.Config{}, err
		}
		cfg.NoPivotRoot = *noPivot
		if err := applyNet(&cfg); err != nil {
			return "", container.Config{}, err
		}
		applyInit(&cfg)
		return id, cfg, nil
	}
}

// writePidFile writes the container's init pid to path, when path is not
// empty. A container whose pid file cannot be written is removed: its
// caller would not find it.
func writePidFile(c *container.Container, path string) error {
	if path == "" {
		return nil
	}
	if err := writeFileAtomic(path, strconv.Itoa(c.State().Pid)); err != nil {
		if derr := c.ForceDestroy(); derr != nil {
			return errors.Join(err, derr)
		}
		return err
	}
	return nil
}

// writeFileAtomic writes content to path through a temporary file in the
// same directory, renamed over path: a reader sees no file or the whole
// content, never a part of it.
func writeFileAtomic(path, content string) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("unable to write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.WriteString(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("unable to write %s: %w", path, err)
	}
	return nil
}

func load(g *globals, args []string) (*container.Container, error) {
	id, err := oneID(args)
	if err != nil {
		return nil, err
	}
	return container.Load(g.root, id)
}

func cmdStart(_ context.Context, g *globals, args []string) error {
	fs := newFlags("start", g.stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := load(g, fs.Args())
	if err != nil {
		return err
	}
	return c.Launch()
}

func cmdState(_ context.Context, g *globals, args []string) error {
	fs := newFlags("state", g.stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	if fs.NArg() == 0 {
		cs, err := container.List(g.root)
		if err != nil {
			return err
		}
		all := make([]any, 0, len(cs))
		for _, c := range cs {
			s := c.State()
			all = append(all, s.OCI(s.Status))
		}
		return enc.Encode(all)
	}
	c, err := load(g, fs.Args())
	if err != nil {
		return err
	}
	s := c.State()
	return enc.Encode(s.OCI(s.Status))
}

// parseSignal accepts SIGKILL, KILL, kill or 9.
func parseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, usagef("signal %d is out of range 1..64", n)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, usagef("unknown signal %q", s)
}

func cmdKill(_ context.Context, g *globals, args []string) error {
	fs := newFlags("kill", g.stderr)
	all := fs.Bool("all", false, "signal every process in the container's cgroup")
	fs.BoolVar(all, "a", false, "short for --all")
	if err := parse(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) < 1 || len(rest) > 2 {
		return usagef("want ID [SIGNAL], got %d arguments", len(rest))
	}
	sig := syscall.SIGTERM
	if len(rest) == 2 {
		s, err := parseSignal(rest[1])
		if err != nil {
			return err
		}
		sig = s
	}
	c, err := load(g, rest[:1])
	if err != nil {
		return err
	}
	if *all {
		pids, err := c.Processes()
		if err != nil {
			return err
		}
		for _, pid := range pids {
			unix.Kill(pid, sig)
		}
		return nil
	}
	return c.Signal(sig)
}

func cmdDelete(_ context.Context, g *globals, args []string) error {
	fs := newFlags("delete", g.stderr)
	force := fs.Bool("force", false, "kill the container first, whatever its state")
	fs.BoolVar(force, "f", false, "short for --force")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := load(g, fs.Args())
	if err != nil {
		return err
	}
	if *force {
		return c.ForceDestroy()
	}
	return c.Destroy()
}

func cmdList(_ context.Context, g *globals, args []string) error {
	fs := newFlags("list", g.stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("list takes no arguments")
	}
	cs, err := container.List(g.root)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPID\tSTATUS\tBUNDLE\tCREATED")
	for _, c := range cs {
		s := c.State()
		pid := 0
		if s.Status != container.Stopped {
			pid = s.Pid
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", s.ID, pid, s.Status, s.Bundle, s.Created.Format("2006-01-02T15:04:05Z"))
	}
	return tw.Flush()
}

func cmdPs(_ context.Context, g *globals, args []string) error {
	fs := newFlags("ps", g.stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := load(g, fs.Args())
	if err != nil {
		return err
	}
	pids, err := c.Processes()
	if err != nil {
		return err
	}
	for _, p := range pids {
		fmt.Fprintln(g.stdout, p)
	}
	return nil
}

func cmdConfig(_ context.Context, g *globals, args []string) error {
	fs := newFlags("config", g.stderr)
	dir := fs.String("bundle", "", "write DIR/config.json instead of standard output")
	if err := parse(fs, args); err != nil {
		return err
	}
	spec := bundle.DefaultSpec(fs.Args()...)
	if *dir != "" {
		return bundle.WriteSpec(*dir, spec)
	}
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(spec)
}

func cmdBundle(_ context.Context, g *globals, args []string) error {
	fs := newFlags("bundle", g.stderr)
	toybox := fs.String("toybox", "", "a static toybox binary (CGO_ENABLED=0 go build ./cmd/toybox)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *toybox == "" {
		return usagef("--toybox is required")
	}
	if fs.NArg() < 1 {
		return usagef("want the bundle directory")
	}
	return bundle.Build(fs.Arg(0), *toybox, fs.Args()[1:]...)
}

func cmdInit(_ context.Context, _ *globals, _ []string) error {
	return errors.New("init is run by the runtime inside a new container, not by hand")
}

// sendConsole hands the pty master to whoever listens on the unix socket
// at path, as one message with the descriptor in SCM_RIGHTS (runc's
// --console-socket protocol).
func sendConsole(path string, console *os.File) error {
	conn, err := net.Dial("unix", path)
	if err != nil {
		return fmt.Errorf("unable to connect to the console socket %s: %w", path, err)
	}
	defer conn.Close()
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("unable to use the console socket %s: not a unix socket", path)
	}
	if _, _, err := uc.WriteMsgUnix([]byte("pty-master"), unix.UnixRights(int(console.Fd())), nil); err != nil {
		return fmt.Errorf("unable to send the pty to %s: %w", path, err)
	}
	return nil
}
