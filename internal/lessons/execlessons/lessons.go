// Package execlessons holds the lessons of the exec topic: how a Go
// program starts other programs on Linux, from exec.Command down to
// clone(2), and how to stop, wait for and explain them. Every program a
// lesson shows is compiled with the real toolchain and run, and every
// system call shown was traced from a real run.
package execlessons

import (
	"context"
	"embed"
	"fmt"

	"github.com/deferio/deferio/internal/gorun"
	"github.com/deferio/deferio/internal/lesson"
)

//go:embed testdata/programs/*.go
var programs embed.FS

// Lessons returns the exec lessons in teaching order.
func Lessons() []lesson.Lesson {
	return []lesson.Lesson{
		{ID: "exec-startprocess", Topic: "exec", Title: "os.StartProcess and exec.Command", Run: startProcess},
		{ID: "exec-clone", Topic: "exec", Title: "fork+exec, or one clone(CLONE_VFORK|CLONE_VM)", Run: cloneLesson},
		{ID: "exec-stdio", Topic: "exec", Title: "stdin, stdout, stderr: fields, pipes and the StdoutPipe trap", Run: stdio},
		{ID: "exec-orphans", Topic: "exec", Title: "A timeout that leaves orphans, and one that does not", Run: orphans},
		{ID: "exec-status", Topic: "exec", Title: "How a process ended: exit code, signal, core dump, rusage", Run: status},
		{ID: "exec-lowlevel", Topic: "exec", Title: "Under os/exec: ForkExec, Wait4, LookPath, pidfd, Pdeathsig", Run: lowLevel},
		{ID: "exec-pid1", Topic: "exec", Title: "PID 1 inherits every orphan, and must reap it", NeedsRoot: true, Run: pid1},
	}
}

// progs are the embedded lesson programs.
var progs = gorun.Programs{FS: programs, Dir: "testdata/programs"}

func source(name string) ([]byte, error) { return progs.Source(name) }

func build(ctx context.Context, name string) (*gorun.Module, string, error) {
	return progs.Build(ctx, name)
}

// showAndRun shows an embedded program, compiles it, runs it and shows
// what it printed (stdout, then stderr if any, then a non-zero exit).
func showAndRun(ctx context.Context, p *lesson.Page, name string) (gorun.Result, error) {
	src, err := source(name)
	if err != nil {
		return gorun.Result{}, err
	}
	p.Code(name, string(src))
	m, bin, err := build(ctx, name)
	if err != nil {
		return gorun.Result{}, err
	}
	defer m.Close()
	res, err := gorun.Exec(ctx, bin)
	if err != nil {
		return res, err
	}
	p.Output("go run "+name, res.Stdout)
	if res.Stderr != "" {
		p.Output("stderr", res.Stderr)
	}
	if res.ExitCode != 0 {
		p.Note(fmt.Sprintf("%s exited with code %d", name, res.ExitCode))
	}
	return res, nil
}

func startProcess(ctx context.Context, p *lesson.Page) error {
	_, err := showAndRun(ctx, p, "startprocess.go")
	return err
}

func stdio(ctx context.Context, p *lesson.Page) error {
	_, err := showAndRun(ctx, p, "stdio.go")
	return err
}

func orphans(ctx context.Context, p *lesson.Page) error {
	_, err := showAndRun(ctx, p, "orphans.go")
	return err
}

func lowLevel(ctx context.Context, p *lesson.Page) error {
	_, err := showAndRun(ctx, p, "lowlevel.go")
	return err
}
