package containerlessons

import (
	"context"
	"embed"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/internal/gorun"
	"github.com/deferio/deferio/internal/lesson"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

//go:embed testdata/programs/*.go
var programs embed.FS

func showProgram(ctx context.Context, p *lesson.Page, name string, src []byte) error {
	p.Code(name, string(src))
	res, err := gorun.Run(ctx, src)
	if err != nil {
		return fmt.Errorf("unable to run %s: %w", name, err)
	}
	out := res.Stdout + res.Stderr
	if res.ExitCode != 0 {
		out += fmt.Sprintf("exit status %d\n", res.ExitCode)
	}
	p.Output("go run "+name, out)
	return nil
}

func runInitPipe(ctx context.Context, p *lesson.Page) error {
	src, err := programs.ReadFile("testdata/programs/eof.go")
	if err != nil {
		return err
	}
	p.Heading("The trick, in twenty lines")
	p.Text("The parent gives the child the write end of a pipe; the child marks it close-on-exec and calls execve. If execve succeeds the kernel closes it and the parent reads EOF; if it fails, the child can still write why.")
	if err := showProgram(ctx, p, "eof.go", src); err != nil {
		return err
	}
	p.Heading("The same signal in the runtime")
	l, err := newLab(ctx)
	if err != nil {
		return err
	}
	defer l.close()
	c, err := l.create("init-pipe", "sleep", "30")
	if err != nil {
		return err
	}
	defer c.ForceDestroy()
	var steps []string
	exe := func() string {
		t, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", c.State().Pid))
		if err != nil {
			return err.Error()
		}
		var fs unix.Statfs_t
		switch {
		case strings.HasPrefix(t, "/memfd:"):
			return t + ", the runtime's binary copied into a sealed memfd"
		case unix.Statfs(fmt.Sprintf("/proc/%d/exe", c.State().Pid), &fs) == nil && fs.Type == unix.OVERLAYFS_SUPER_MAGIC && fs.Flags&unix.ST_RDONLY != 0:
			return t + ", the runtime's binary on a detached read-only overlay"
		}
		return t
	}
	steps = append(steps, fmt.Sprintf("after Create: status %s, no process yet", c.Status()))
	if err := c.Start(nil); err != nil {
		return err
	}
	steps = append(steps, fmt.Sprintf("after Start:  status %s, init runs %s, blocked opening %s", c.Status(), exe(), "exec.fifo"))
	if err := c.Launch(); err != nil {
		return err
	}
	steps = append(steps, fmt.Sprintf("after Launch: status %s, init runs %s (the socket gave EOF: execve succeeded)", c.Status(), exe()))
	if err := c.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	if err := c.ForceDestroy(); err != nil {
		return err
	}
	steps = append(steps, "after SIGKILL and Destroy: the state directory and the cgroup are gone")
	p.Output("container.Create, Start, Launch, Signal, Destroy", strings.Join(steps, "\n"))
	return nil
}

func runExecNsenter(ctx context.Context, p *lesson.Page) error {
	l, err := newLab(ctx)
	if err != nil {
		return err
	}
	defer l.close()
	c, err := l.create("exec-nsenter", "sleep", "30")
	if err != nil {
		return err
	}
	defer c.ForceDestroy()
	if err := c.Run(nil); err != nil {
		return err
	}
	pid := c.State().Pid
	src, err := programs.ReadFile("testdata/programs/setns.go")
	if err != nil {
		return err
	}
	src = []byte(strings.Replace(string(src), "const pid = 0 ", fmt.Sprintf("const pid = %d ", pid), 1))
	p.Heading("A Go program calls setns(2)")
	p.Textf("A container runs `sleep 30` (its init is pid %d on the host). This program tries to join three of its namespaces.", pid)
	if err := showProgram(ctx, p, "setns.go", src); err != nil {
		return err
	}
	p.Heading("container.Exec: nsenter joins before Go starts")
	out, err := os.CreateTemp(l.dir, "exec")
	if err != nil {
		return err
	}
	defer out.Close()
	proc := &container.Process{Spec: &specs.Process{Args: []string{"inspect"}, Cwd: "/", Env: []string{"PATH=/bin"}}, Stdout: out, Stderr: out}
	if err := c.Exec(proc); err != nil {
		return err
	}
	if _, err := proc.Wait(); err != nil {
		return err
	}
	b, err := os.ReadFile(out.Name())
	if err != nil {
		return err
	}
	var lines []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "ns" {
			continue
		}
		initNs, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, f[1]))
		same := "same as init"
		if initNs != f[2] {
			same = "DIFFERENT from init " + initNs
		}
		lines = append(lines, fmt.Sprintf("%-6s %s", f[1], same))
	}
	p.Output("container.Exec(inspect): each namespace of the new process", strings.Join(lines, "\n"))
	return c.Signal(syscall.SIGKILL)
}
