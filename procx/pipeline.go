package procx

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// A StageError reports the stages of a pipeline that did not succeed.
type StageError struct {
	Statuses []Status // one per stage, in order
	Failed   []int    // indexes of the stages that did not exit with 0
	Names    []string // argv[0] of every stage
}

// Error names every failed stage and how it ended.
func (e *StageError) Error() string {
	msg := "pipeline failed:"
	for _, i := range e.Failed {
		msg += fmt.Sprintf(" stage %d (%s) %s;", i+1, e.Names[i], e.Statuses[i])
	}
	return msg[:len(msg)-1]
}

// Pipeline runs cmds as the shell runs "a | b | c": the stdout of each
// command is connected to the stdin of the next through an os.Pipe, so the
// data flows from process to process in the kernel, not through this one.
//
// The caller may set the first command's Stdin, the last command's Stdout
// and every command's Stderr; the Stdout of the others and the Stdin of all
// but the first must be nil, since Pipeline sets them. Commands made by
// [Command] take their cancellation with them, so a done context kills
// every stage's process group.
//
// Pipeline waits for every stage and returns all their statuses, in
// order, whether or not they succeeded. The error is nil when every stage
// exited with 0 (what the shell calls pipefail); otherwise it is a
// *[StageError] naming each failed stage. If a stage cannot be started,
// the stages already started are killed and waited for, and the error says
// which stage failed to start.
func Pipeline(cmds ...*exec.Cmd) ([]Status, error) {
	if len(cmds) == 0 {
		return nil, errors.New("unable to run a pipeline: no commands")
	}
	for i, c := range cmds {
		if c == nil {
			return nil, fmt.Errorf("unable to run a pipeline: stage %d is nil", i+1)
		}
		if c.Process != nil {
			return nil, fmt.Errorf("unable to run a pipeline: stage %d (%s) was already started", i+1, c.Path)
		}
		if i < len(cmds)-1 && c.Stdout != nil {
			return nil, fmt.Errorf("unable to run a pipeline: stage %d (%s) has its own Stdout; only the last stage may", i+1, c.Path)
		}
		if i > 0 && c.Stdin != nil {
			return nil, fmt.Errorf("unable to run a pipeline: stage %d (%s) has its own Stdin; only the first stage may", i+1, c.Path)
		}
	}
	// The parent's copies of every pipe end, closed once the children
	// have inherited them (or on failure).
	var ends []*os.File
	closeEnds := func() {
		for _, f := range ends {
			f.Close()
		}
		ends = nil
	}
	for i := 0; i < len(cmds)-1; i++ {
		r, w, err := os.Pipe()
		if err != nil {
			closeEnds()
			return nil, fmt.Errorf("unable to create the pipe after stage %d: %w", i+1, err)
		}
		ends = append(ends, r, w)
		cmds[i].Stdout = w
		cmds[i+1].Stdin = r
	}
	started := 0
	for i, c := range cmds {
		if err := c.Start(); err != nil {
			closeEnds()
			for _, s := range cmds[:started] {
				stop(s)
				_ = s.Wait()
			}
			return nil, fmt.Errorf("unable to start stage %d (%s): %w", i+1, c.Path, err)
		}
		started++
	}
	closeEnds()

	statuses := make([]Status, len(cmds))
	names := make([]string, len(cmds))
	var failed []int
	var waitErrs []error
	for i, c := range cmds {
		err := c.Wait()
		statuses[i] = StatusOf(c.ProcessState)
		names[i] = c.Path
		if len(c.Args) > 0 {
			names[i] = c.Args[0]
		}
		if err == nil {
			continue
		}
		failed = append(failed, i)
		if _, ok := ExitStatus(err); !ok {
			waitErrs = append(waitErrs, fmt.Errorf("stage %d (%s): %w", i+1, names[i], err))
		}
	}
	if len(failed) == 0 {
		return statuses, nil
	}
	se := &StageError{Statuses: statuses, Failed: failed, Names: names}
	if len(waitErrs) > 0 {
		return statuses, errors.Join(append([]error{se}, waitErrs...)...)
	}
	return statuses, se
}

// stop kills a started command with SIGKILL, and its process group when
// it leads one (as commands made by Command do).
func stop(c *exec.Cmd) {
	if a := c.SysProcAttr; a != nil && a.Setpgid && a.Pgid == 0 {
		_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	}
	_ = c.Process.Kill()
}
