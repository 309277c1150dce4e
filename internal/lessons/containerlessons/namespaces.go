package containerlessons

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/deferio/deferio/internal/lesson"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// nsStep is one container of the namespaces lesson: the mount namespace
// (always: the runtime never mounts in the host's) plus one more.
type nsStep struct {
	ns      specs.LinuxNamespaceType
	command string
	intro   string
}

var nsSteps = []nsStep{
	{"", "hostname; ps", "Only a mount namespace: the container has its own root and mounts, but the host's hostname and every host process (ps shows them all)."},
	{specs.UTSNamespace, "hostname", "A UTS namespace: its own hostname, set by init with sethostname(2)."},
	{specs.PIDNamespace, "ps", "A PID namespace: the program is PID 1 and sees no other process."},
	{specs.NetworkNamespace, "cat /proc/net/dev", "A network namespace: one interface, lo, brought up by init."},
	{specs.IPCNamespace, "ls /dev/mqueue; cat /proc/sysvipc/shm", "An IPC namespace: its own System V segments and POSIX message queues (none yet)."},
	{specs.UserNamespace, "id; cat /proc/self/uid_map", "A user namespace: uid 0 inside is uid 100000 outside (the uid map); root inside is nobody special outside. It comes with PID and IPC namespaces here: only the user namespace that owns them may mount /proc and /dev/mqueue."},
	{specs.CgroupNamespace, "cat /proc/self/cgroup", "A cgroup namespace: the container's cgroup looks like the root (/) from inside."},
}

func runNamespaces(ctx context.Context, p *lesson.Page) error {
	l, err := newLab(ctx)
	if err != nil {
		return err
	}
	defer l.close()
	host := hostNamespaces()
	p.Text("Each container below runs `inspect` (which prints the namespace links of /proc/self/ns) and then a command that shows what its one extra namespace changed. \"new\" lists the namespaces whose link differs from this process's.")
	for i, s := range nsSteps {
		cfg, err := l.bundle("sh", "-c", "inspect; "+s.command)
		if err != nil {
			return err
		}
		spec := cfg.Spec
		spec.Hostname = ""
		switch s.ns {
		case "":
			spec.Linux.Namespaces = namespaces()
		case specs.UserNamespace:
			spec.Linux.Namespaces = namespaces(s.ns, specs.PIDNamespace, specs.IPCNamespace)
		default:
			spec.Linux.Namespaces = namespaces(s.ns)
		}
		if s.ns == specs.UTSNamespace {
			spec.Hostname = "box"
		}
		if s.ns == specs.UserNamespace {
			spec.Linux.UIDMappings = []specs.LinuxIDMapping{{HostID: 100000, Size: 65536}}
			spec.Linux.GIDMappings = []specs.LinuxIDMapping{{HostID: 100000, Size: 65536}}
			if err := chown(filepath.Join(cfg.Bundle, "rootfs"), 100000); err != nil {
				return err
			}
		}
		name := string(s.ns)
		if name == "" {
			name = "mount only"
		}
		p.Heading(name)
		p.Text(s.intro)
		out, code, err := l.run(fmt.Sprintf("ns-%d", i), cfg)
		if err != nil {
			return fmt.Errorf("unable to run the %s container: %w", name, err)
		}
		news := newNamespaces(out, host)
		shown := truncate(strings.TrimRight(withoutInspect(out), "\n"), 8)
		if code != 0 {
			shown += fmt.Sprintf("\nexit status %d", code)
		}
		p.Output(fmt.Sprintf("container.Run   # new: %s; runs: %s", strings.Join(news, ", "), s.command), shown)
	}
	return nil
}

func chown(dir string, id int) error {
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, id, id)
	})
}

// truncate keeps the first n lines of s and says how many it left out.
func truncate(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n+1 {
		return s
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n... and %d more lines", len(lines)-n)
}
