package execlessons

import (
	"context"
	"fmt"
	"syscall"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/procx"
)

// pid1 runs programs/pid1.go as PID 1 of a new PID and mount namespace.
func pid1(ctx context.Context, p *lesson.Page) error {
	src, err := source("pid1.go")
	if err != nil {
		return err
	}
	p.Code("pid1.go", string(src))
	m, bin, err := build(ctx, "pid1.go")
	if err != nil {
		return err
	}
	defer m.Close()
	cmd, err := procx.Command(ctx, []string{bin})
	if err != nil {
		return err
	}
	cmd.SysProcAttr.Cloneflags = syscall.CLONE_NEWPID | syscall.CLONE_NEWNS
	out := procx.NewCapture(64 << 10)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("unable to run pid1.go in a new PID namespace: %w\n%s", err, out)
	}
	p.Output("pid1 (started with CLONE_NEWPID|CLONE_NEWNS)", out.String())
	return nil
}
