// Package container is a small libcontainer: it runs real Linux containers
// described by an OCI runtime-spec configuration.
//
// The design is the classic nsinit one that lives on in runc. [Create]
// validates an ID and a configuration and makes a state directory
// root/ID holding state.json; [Container.Start] re-executes the running
// binary as "init" from a sealed handle on it (a detached read-only overlay,
// else a sealed memfd copy), in new namespaces, sends it the
// configuration over a socket, and waits until the child has set up the root
// filesystem and the process and is blocked on a FIFO (the OCI "created"
// state); [Container.Launch] opens the FIFO so that init executes the user's
// program ("running"). [Container.Exec] starts one more process inside a
// running container by joining its namespaces, which a Go process can only do
// from a C constructor that runs before the Go runtime (package
// container/nsenter).
//
// The OCI runtime lifecycle (runtime-spec runtime.md), and the calls that
// make each operation, as nsinit's verbs of the same names do:
//
//	OCI create ID   [Create], then [Container.Start] (init waits on the FIFO)
//	OCI start ID    [Load], then [Container.Launch]
//	OCI state ID    [Load], then [Container.State]
//	OCI kill ID SIG [Load], then [Container.Signal]
//	OCI delete ID   [Load], then [Container.Destroy] ([Container.ForceDestroy]
//	                kills first, in any state)
//	run             [Create], then [Container.Run] (start, launch and wait)
//
// The names are the classic libcontainer ones: Start is what makes the
// container's init (OCI create's second half), Launch lets it run the
// program (OCI start). [Container.StartContext], [Container.RunContext]
// and [Container.ExecContext] bound the wait for init with a context:
// when it is done first, init is killed, the container removed, and the
// error wraps the context's (hooks that run in the runtime keep their own
// timeouts).
//
// [Container.Checkpoint] saves a running or paused container's processes
// into a directory of CRIU images and [Restore] makes a container from
// them again (package container/criu drives CRIU). Both run `criu check`
// first and, where it fails, return CRIU's own words and change nothing.
//
// A binary that uses this package must call [Init] first thing in main: when
// the binary was re-executed as a container's init, Init does the child's
// work and never returns; otherwise it returns at once.
//
// The OCI hooks of config.json run where and when the specification
// says (hooks.go): prestart and createRuntime in the runtime while init
// waits just before pivot_root, createContainer in init at that moment,
// startContainer in init once start asked and before the program,
// poststart in the runtime before Launch returns, poststop once delete
// removed the container. Each gets the container's OCI state on stdin and
// is killed at its timeout; a failing one fails its operation and the
// container is removed, except poststop, whose failure is a warning
// ([WarnTo]).
//
// Create, Start, Launch, Run, Destroy and ForceDestroy hold the
// container's lock, a flock(2) on its state directory (lock.go), so that
// runtime processes racing on one ID (a delete --force during a create,
// two creates) take turns and leave one consistent outcome.
//
// Every setup step registers its undo with defer, so that a failure at any
// point leaves no state directory, cgroup or process behind. Mounts are made
// only inside the container's own mount namespace, which the kernel tears
// down with its last process.
package container
