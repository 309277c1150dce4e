package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Config is what a container is made from: an OCI bundle directory and its
// parsed config.json, plus the runtime options the OCI format has no field
// for (they were fields of the classic nsinit container.json).
type Config struct {
	// Bundle is the bundle directory; a relative Spec.Root.Path is taken
	// relative to it.
	Bundle string `json:"bundle"`
	// Spec is the OCI configuration.
	Spec *specs.Spec `json:"spec"`
	// NoPivotRoot makes init move the root filesystem onto / with
	// MS_MOVE and chroot into it instead of calling pivot_root(2)
	// (classic no_pivot_root). Init also falls back to it when
	// pivot_root fails.
	NoPivotRoot bool `json:"noPivotRoot,omitempty"`
	// ParentDeathSignal, when not zero, is sent to the container's
	// process when the runtime that started it dies (classic
	// parent_death_signal, prctl PR_SET_PDEATHSIG). Init sets it last,
	// after changing credentials, because a credential change clears it.
	ParentDeathSignal syscall.Signal `json:"parentDeathSignal,omitempty"`
	// Init makes the container's init stay as its PID 1, a reaping init
	// like docker run --init (tini), instead of executing the program: it
	// runs the program as its child, forwards signals to it, reaps every
	// orphan, and exits with the program's status (128+N for death by
	// signal N) as soon as the program exits (annotation
	// org.deferio.init, [AnnotationInit]). See runReaper in initreaper.go.
	Init bool `json:"init,omitempty"`
	// Network, when set, links the container's new network namespace to
	// the host with a veth pair (annotation org.deferio.network).
	Network *Network `json:"network,omitempty"`
	// Ports are published on the host by a forwarder that sends a PROXY
	// header (annotation org.deferio.ports).
	Ports []Port `json:"ports,omitempty"`
}

// ApplyAnnotations sets the fields the bundle's annotations ask for
// (Init from [AnnotationInit], "true" or "false"; Network from
// [AnnotationNetwork]; Ports from [AnnotationPorts] and [AnnotationProxy])
// and reports a malformed value. Fields already set are replaced only by
// an annotation that is present.
func (c *Config) ApplyAnnotations() error {
	if c.Spec == nil {
		return nil
	}
	a := c.Spec.Annotations
	if v, ok := a[AnnotationInit]; ok {
		if v != "true" && v != "false" {
			return fmt.Errorf("%w: annotation %s is %q, want true or false", ErrInvalidConfig, AnnotationInit, v)
		}
		c.Init = v == "true"
	}
	if v, ok := a[AnnotationNetwork]; ok {
		n, err := ParseNetwork(v)
		if err != nil {
			return fmt.Errorf("%w: annotation %s: %w", ErrInvalidConfig, AnnotationNetwork, err)
		}
		c.Network = n
	}
	proxy := 2
	if v, ok := a[AnnotationProxy]; ok {
		var err error
		if proxy, err = ParseProxy(v); err != nil {
			return fmt.Errorf("%w: annotation %s: %w", ErrInvalidConfig, AnnotationProxy, err)
		}
	}
	if v, ok := a[AnnotationPorts]; ok {
		c.Ports = nil
		for _, s := range strings.Split(v, ",") {
			p, err := ParsePort(strings.TrimSpace(s))
			if err != nil {
				return fmt.Errorf("%w: annotation %s: %w", ErrInvalidConfig, AnnotationPorts, err)
			}
			p.Proxy = proxy
			c.Ports = append(c.Ports, p)
		}
	}
	return nil
}

// ErrInvalidConfig is wrapped by every error of [Config.Validate].
var ErrInvalidConfig = errors.New("invalid container configuration")

// namespaceFlags maps the OCI namespace types to clone(2) flags.
var namespaceFlags = map[specs.LinuxNamespaceType]uintptr{
	specs.PIDNamespace:     syscall.CLONE_NEWPID,
	specs.NetworkNamespace: syscall.CLONE_NEWNET,
	specs.MountNamespace:   syscall.CLONE_NEWNS,
	specs.IPCNamespace:     syscall.CLONE_NEWIPC,
	specs.UTSNamespace:     syscall.CLONE_NEWUTS,
	specs.UserNamespace:    syscall.CLONE_NEWUSER,
	specs.CgroupNamespace:  syscall.CLONE_NEWCGROUP,
}

// Rootfs returns the absolute path of the container's root filesystem.
func (c Config) Rootfs() string {
	if c.Spec == nil || c.Spec.Root == nil {
		return ""
	}
	p := c.Spec.Root.Path
	if !filepath.IsAbs(p) {
		p = filepath.Join(c.Bundle, p)
	}
	return filepath.Clean(p)
}

// namespace returns the spec's namespace of type t, if any.
func (c Config) namespace(t specs.LinuxNamespaceType) (specs.LinuxNamespace, bool) {
	if c.Spec.Linux == nil {
		return specs.LinuxNamespace{}, false
	}
	for _, ns := range c.Spec.Linux.Namespaces {
		if ns.Type == t {
			return ns, true
		}
	}
	return specs.LinuxNamespace{}, false
}

// newNamespace reports whether the container gets a new namespace of type t.
func (c Config) newNamespace(t specs.LinuxNamespaceType) bool {
	ns, ok := c.namespace(t)
	return ok && ns.Path == ""
}

// Validate reports everything that is wrong with c, or nil. It reads the
// disk (the rootfs, namespace paths) but changes nothing. Each error names
// the field and wraps [ErrInvalidConfig].
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	s := c.Spec
	if s == nil {
		return bad("no spec")
	}
	var errs []error
	if s.Version != "" && !semver().MatchString(s.Version) {
		errs = append(errs, bad("ociVersion %q is not a SemVer 2.0.0 version", s.Version))
	} else if s.Version != "" && !strings.HasPrefix(s.Version, "1.") {
		errs = append(errs, bad("ociVersion %s is not supported: this runtime implements the 1.x specification", s.Version))
	}
	if s.Root == nil || s.Root.Path == "" {
		errs = append(errs, bad("root.path is empty"))
	} else if fi, err := os.Stat(c.Rootfs()); err != nil {
		errs = append(errs, bad("root.path: the rootfs %s does not exist: %v", c.Rootfs(), err))
	} else if !fi.IsDir() {
		errs = append(errs, bad("root.path: the rootfs %s is not a directory", c.Rootfs()))
	}
	if s.Process == nil {
		errs = append(errs, bad("process is missing"))
	} else {
		errs = append(errs, validateProcess(s.Process, bad)...)
	}
	if s.Linux == nil {
		return errors.Join(append(errs, bad("linux is missing (a mount namespace at least is needed)"))...)
	}
	seen := map[specs.LinuxNamespaceType]bool{}
	joinsOther := false
	for i, ns := range s.Linux.Namespaces {
		if _, ok := namespaceFlags[ns.Type]; !ok {
			errs = append(errs, bad("linux.namespaces[%d]: unknown namespace type %q (known: pid, network, mount, ipc, uts, user, cgroup)", i, ns.Type))
			continue
		}
		if seen[ns.Type] {
			errs = append(errs, bad("linux.namespaces[%d]: namespace %q is listed twice", i, ns.Type))
		}
		seen[ns.Type] = true
		if ns.Path != "" {
			if ns.Type != specs.UserNamespace {
				joinsOther = true
			}
			if !filepath.IsAbs(ns.Path) {
				errs = append(errs, bad("linux.namespaces[%d]: path %q is not absolute", i, ns.Path))
			} else if _, err := os.Stat(ns.Path); err != nil {
				errs = append(errs, bad("linux.namespaces[%d]: %s namespace path: %v", i, ns.Type, err))
			}
		}
	}
	if !c.newNamespace(specs.MountNamespace) {
		errs = append(errs, bad("linux.namespaces: a new mount namespace is required (the runtime never mounts in the host's)"))
	}
	if c.newNamespace(specs.UserNamespace) {
		if len(s.Linux.UIDMappings) == 0 || len(s.Linux.GIDMappings) == 0 {
			errs = append(errs, bad("linux.uidMappings and gidMappings are needed with a new user namespace"))
		}
		if joinsOther {
			errs = append(errs, bad("linux.namespaces: joining a namespace by path together with a new user namespace is not supported"))
		}
	} else if len(s.Linux.UIDMappings)+len(s.Linux.GIDMappings) > 0 {
		errs = append(errs, bad("linux.uidMappings/gidMappings are set but there is no new user namespace"))
	}
	if p := s.Linux.RootfsPropagation; p != "" {
		if _, ok := propagationOptions[p]; !ok {
			errs = append(errs, bad("linux.rootfsPropagation %q is not one of shared, slave, private, unbindable (or rshared, rslave, rprivate, runbindable)", p))
		}
	}
	if s.Hostname != "" && !c.newNamespace(specs.UTSNamespace) {
		errs = append(errs, bad("hostname %q needs a new uts namespace", s.Hostname))
	}
	for i, m := range s.Mounts {
		if !filepath.IsAbs(m.Destination) {
			errs = append(errs, bad("mounts[%d]: destination %q is not absolute", i, m.Destination))
		}
	}
	for _, p := range append(append([]string{}, s.Linux.MaskedPaths...), s.Linux.ReadonlyPaths...) {
		if !filepath.IsAbs(p) {
			errs = append(errs, bad("linux.maskedPaths/readonlyPaths: %q is not absolute", p))
		}
	}
	for k := range s.Linux.Sysctl {
		if k == "" || strings.Contains(k, "/") || strings.Contains(k, "..") {
			errs = append(errs, bad("linux.sysctl: %q is not a dotted name such as net.ipv4.ip_forward", k))
		}
	}
	if c.ParentDeathSignal < 0 || c.ParentDeathSignal > 64 {
		errs = append(errs, bad("parent death signal %d is not a signal", c.ParentDeathSignal))
	}
	if c.Network != nil {
		if !c.newNamespace(specs.NetworkNamespace) {
			errs = append(errs, bad("network: a veth pair needs a new network namespace in linux.namespaces"))
		}
		errs = append(errs, c.Network.validate(bad)...)
	}
	errs = append(errs, c.validatePorts(bad)...)
	errs = append(errs, validateSeccomp(s.Linux.Seccomp)...)
	errs = append(errs, validateHooks(s, bad)...)
	return errors.Join(errs...)
}

// semver matches a SemVer 2.0.0 version (semver.org's expression),
// compiled on first use.
var semver = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
		`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
		`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)
})

func validateProcess(p *specs.Process, bad func(string, ...any) error) []error {
	var errs []error
	if len(p.Args) == 0 {
		errs = append(errs, bad("process.args is empty"))
	}
	if !filepath.IsAbs(p.Cwd) {
		errs = append(errs, bad("process.cwd %q is not absolute", p.Cwd))
	}
	for _, e := range p.Env {
		if !strings.Contains(e, "=") {
			errs = append(errs, bad("process.env entry %q is not KEY=VALUE", e))
		}
	}
	if p.Capabilities != nil {
		for _, set := range [][]string{p.Capabilities.Bounding, p.Capabilities.Effective, p.Capabilities.Permitted, p.Capabilities.Inheritable, p.Capabilities.Ambient} {
			for _, name := range set {
				if _, ok := capabilityByName(name); !ok {
					errs = append(errs, bad("process.capabilities: unknown capability %q", name))
				}
			}
		}
	}
	for _, r := range p.Rlimits {
		if _, ok := rlimitByName[r.Type]; !ok {
			errs = append(errs, bad("process.rlimits: unknown type %q", r.Type))
		}
	}
	if p.OOMScoreAdj != nil && (*p.OOMScoreAdj < -1000 || *p.OOMScoreAdj > 1000) {
		errs = append(errs, bad("process.oomScoreAdj %d is outside -1000..1000", *p.OOMScoreAdj))
	}
	return errs
}
