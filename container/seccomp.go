package container

import (
	"fmt"

	"github.com/deferio/deferio/container/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Seccomp (linux.seccomp) is compiled by package container/seccomp and
// loaded by init where runc loads it: without no_new_privs a filter can
// only be loaded with CAP_SYS_ADMIN, so before the credential change
// (seccompBeforeCredentials); with no_new_privs as late as possible, so
// that the runtime's own calls are not filtered: right before execve, or
// before a reaping init forks the program (seccompBeforeExec). The filter
// goes on init's locked thread, the one that executes the program (on
// every thread with SECCOMP_FILTER_FLAG_TSYNC). A process started by
// [Container.Exec] gets the container's filter too, as in runc. A reaping
// init ([Config.Init]) stays under the filter itself, as docker's --init
// does: the profile must allow what it needs to wait and forward signals.

// pendingSeccomp is init's filter between the two points: init is one
// process doing one thing, and this is the only state it keeps there.
var pendingSeccomp *seccomp.Filter

// validateSeccomp compiles s and returns each problem as a config error.
func validateSeccomp(s *specs.LinuxSeccomp) []error {
	if s == nil {
		return nil
	}
	_, err := seccomp.Compile(s)
	if err == nil {
		return nil
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			errs = append(errs, fmt.Errorf("%w: %w", ErrInvalidConfig, e))
		}
		return errs
	}
	return []error{fmt.Errorf("%w: %w", ErrInvalidConfig, err)}
}

// seccompSpec returns a spec that holds only spec's linux.seccomp, or nil
// without one: what an exec'd process's init gets, so that it loads the
// container's filter and nothing else of the spec applies to it.
func seccompSpec(spec *specs.Spec) *specs.Spec {
	if spec == nil || spec.Linux == nil || spec.Linux.Seccomp == nil {
		return nil
	}
	return &specs.Spec{Linux: &specs.Linux{Seccomp: spec.Linux.Seccomp}}
}

// seccompBeforeCredentials compiles the container's filter and, without
// no_new_privs, loads it now, while init still has CAP_SYS_ADMIN; with
// no_new_privs it keeps it for seccompBeforeExec.
func seccompBeforeCredentials(cfg *initConfig) error {
	if cfg.Spec == nil || cfg.Spec.Linux == nil || cfg.Spec.Linux.Seccomp == nil {
		return nil
	}
	f, err := seccomp.Compile(cfg.Spec.Linux.Seccomp)
	if err != nil {
		return fmt.Errorf("unable to compile the seccomp filter: %w", err)
	}
	if cfg.Process.NoNewPrivileges {
		pendingSeccomp = f
		return nil
	}
	if err := f.Load(); err != nil {
		return fmt.Errorf("unable to set up seccomp before the credential change: %w", err)
	}
	return nil
}

// seccompBeforeExec loads the filter seccompBeforeCredentials kept, if
// any: the last step before the program runs.
func seccompBeforeExec() error {
	f := pendingSeccomp
	if f == nil {
		return nil
	}
	pendingSeccomp = nil
	if err := f.Load(); err != nil {
		return fmt.Errorf("unable to set up seccomp before execve: %w", err)
	}
	return nil
}
