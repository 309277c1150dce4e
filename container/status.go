package container

import (
	"errors"
	"fmt"
)

// Status is where a container is in its life, with the OCI runtime-spec
// names (plus "creating" while [Container.Start] runs and "paused" when its
// cgroup is frozen).
type Status string

// The statuses. A container moves creating -> created -> running -> stopped;
// running <-> paused when its cgroup is frozen and thawed.
const (
	Creating Status = "creating"
	Created  Status = "created"
	Running  Status = "running"
	Paused   Status = "paused"
	Stopped  Status = "stopped"
)

// ErrIllegalTransition is wrapped by every [TransitionError].
var ErrIllegalTransition = errors.New("illegal state transition")

// A TransitionError reports an operation that the container's status does
// not allow, such as starting a running container or deleting it without
// force. errors.Is(err, ErrIllegalTransition) is true for it.
type TransitionError struct {
	ID     string
	Op     string
	Status Status
	// Allowed lists the statuses from which Op is legal.
	Allowed []Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("unable to %s container %s: it is %s (%s needs %v)", e.Op, e.ID, e.Status, e.Op, e.Allowed)
}

// Unwrap returns [ErrIllegalTransition].
func (e *TransitionError) Unwrap() error { return ErrIllegalTransition }

// need returns a TransitionError unless s is one of allowed.
func need(id, op string, s Status, allowed ...Status) error {
	for _, a := range allowed {
		if s == a {
			return nil
		}
	}
	return &TransitionError{ID: id, Op: op, Status: s, Allowed: allowed}
}
