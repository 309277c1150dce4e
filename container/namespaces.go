package container

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// joinOrder is the order in which namespaces are joined: the user
// namespace first (it gives the capabilities to join the others), the
// mount namespace last (after it, host paths no longer resolve, although
// nsenter opens every path before joining any).
var joinOrder = []specs.LinuxNamespaceType{
	specs.UserNamespace, specs.IPCNamespace, specs.UTSNamespace, specs.NetworkNamespace,
	specs.PIDNamespace, specs.CgroupNamespace, specs.MountNamespace,
}

// procNsName maps OCI types to the file names in /proc/PID/ns.
var procNsName = map[specs.LinuxNamespaceType]string{
	specs.PIDNamespace: "pid", specs.NetworkNamespace: "net", specs.MountNamespace: "mnt",
	specs.IPCNamespace: "ipc", specs.UTSNamespace: "uts", specs.UserNamespace: "user",
	specs.CgroupNamespace: "cgroup",
}

// joinSpec formats namespaces for nsenter: "TYPE:PATH,..." in join order,
// and whether a PID namespace is among them (which needs a fork).
func joinSpec(paths map[specs.LinuxNamespaceType]string) (string, bool) {
	var parts []string
	pid := false
	for _, t := range joinOrder {
		if p, ok := paths[t]; ok {
			parts = append(parts, fmt.Sprintf("%s:%s", t, p))
			pid = pid || t == specs.PIDNamespace
		}
	}
	return strings.Join(parts, ","), pid
}

// cloneFlags returns the clone(2) flags for the namespaces the container
// creates. The cgroup namespace is left out: init creates it with
// unshare(2) once it is in its cgroup, so that its root is that cgroup.
func cloneFlags(cfg Config) uintptr {
	var f uintptr
	for _, ns := range cfg.Spec.Linux.Namespaces {
		if ns.Path == "" && ns.Type != specs.CgroupNamespace {
			f |= namespaceFlags[ns.Type]
		}
	}
	return f
}
