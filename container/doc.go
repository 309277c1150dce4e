// Package container is a small libcontainer: it runs real Linux containers
// described by an OCI runtime-spec configuration.
//
// The design is the classic nsinit one that lives on in runc. [Create]
// validates an ID and a configuration and makes a state directory
// root/ID holding state.json; [Container.Start] re-executes the running
// binary as "init" from a sealed memfd copy, in new namespaces, sends it the
// configuration over a socket, and waits until the child has set up the root
// filesystem and the process and is blocked on a FIFO (the OCI "created"
// state); [Container.Launch] opens the FIFO so that init executes the user's
// program ("running"). [Container.Exec] starts one more process inside a
// running container by joining its namespaces, which a Go process can only do
// from a C constructor that runs before the Go runtime (package
// container/nsenter).
//
// A binary that uses this package must call [Init] first thing in main: when
// the binary was re-executed as a container's init, Init does the child's
// work and never returns; otherwise it returns at once.
//
// Every setup step registers its undo with defer, so that a failure at any
// point leaves no state directory, cgroup or process behind. Mounts are made
// only inside the container's own mount namespace, which the kernel tears
// down with its last process.
package container
