package container

import (
	"context"
	"errors"
	"fmt"
	"syscall"

	"github.com/deferio/deferio/container/nsenter"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ErrNoNsenter is returned by [Container.Exec] in a binary built without
// cgo, which lacks the constructor that joins namespaces.
var ErrNoNsenter = errors.New("this binary was built without cgo, so it cannot join a container's namespaces (package container/nsenter)")

// Exec starts one more process in a running container. The process joins
// every namespace of the container's init (/proc/PID/ns/*) and its cgroup,
// then gets p.Spec's identity, capabilities and working directory.
//
// A Go program cannot join a mount or user namespace itself: setns(2)
// refuses both to a multithreaded process, and the Go runtime starts
// threads before main. So Exec re-executes the runtime's sealed binary with
// the namespace paths in its environment, and the C constructor of package
// container/nsenter joins them before the Go runtime starts. Joining a PID
// namespace only moves future children, so nsenter then forks: p.Pid is
// that child, the program's real pid, while p.Wait waits for nsenter's
// first process, which relays the child's exit status and forwards signals.
func (c *Container) Exec(p *Process) error {
	return c.ExecContext(context.Background(), p)
}

// ExecContext is [Container.Exec] bounded by ctx until the process runs:
// when ctx is done before, the process is killed and the error wraps
// ctx's.
func (c *Container) ExecContext(ctx context.Context, p *Process) error {
	if !nsenter.Available {
		return ErrNoNsenter
	}
	if p == nil || p.Spec == nil {
		return errors.New("unable to exec: the process has no spec")
	}
	if len(p.Spec.Args) == 0 {
		return errors.New("unable to exec: the process has no args")
	}
	if err := need(c.ID(), "exec in", c.Status(), Running); err != nil {
		return err
	}
	cfg := c.state.Config
	joins := map[specs.LinuxNamespaceType]string{}
	for _, ns := range cfg.Spec.Linux.Namespaces {
		joins[ns.Type] = fmt.Sprintf("/proc/%d/ns/%s", c.state.Pid, procNsName[ns.Type])
	}
	// Always fork, so the process is a child inside the namespaces even
	// when the container shares the host's PID namespace.
	if _, ok := joins[specs.PIDNamespace]; !ok {
		joins[specs.PIDNamespace] = fmt.Sprintf("/proc/%d/ns/pid", c.state.Pid)
	}
	cg, err := c.cgroup()
	if err != nil {
		return err
	}
	ic := &initConfig{Role: roleExec, ID: c.ID(), Spec: seccompSpec(cfg.Spec), Process: p.Spec, ParentDeathSignal: int(cfg.ParentDeathSignal)}
	sock, err := c.launchInit(ctx, ic, p, &syscall.SysProcAttr{}, joins, cg, nil)
	if err != nil {
		return err
	}
	defer sock.Close()
	return waitExec(sock, c.ID())
}
