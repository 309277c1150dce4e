package cgroups

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The freezer stops a cgroup's processes where they stand, without a
// signal they could see or catch: the kernel parks each task the next
// time it would return to user space. Freezing is therefore not
// instantaneous. v1 shows the transition as FREEZING in freezer.state; v2
// shows it as cgroup.freeze 1 while cgroup.events still says frozen 0.
// Both managers write the request and then poll until the kernel reports
// the end state, so that "Freeze returned" means "nothing runs".

// freezeTimeout bounds how long Freeze waits for the kernel.
const freezeTimeout = 10 * time.Second

// backoff sleeps before the next poll: 10us at first, doubling up to 1ms,
// so a freeze that completes in microseconds is not rounded up to a
// millisecond and a slow one does not spin.
type backoff time.Duration

func (b *backoff) sleep() {
	if *b == 0 {
		*b = backoff(10 * time.Microsecond)
	}
	time.Sleep(time.Duration(*b))
	*b = min(*b*2, backoff(time.Millisecond))
}

// freezeV1 writes FROZEN to freezer.state and waits for it to read FROZEN.
// It writes FROZEN again now and then, as runc does: a freeze can stall
// while a task is in an uninterruptible sleep and asking again retries.
func freezeV1(dir string) error {
	if !exists(dir, "freezer.state") {
		return fmt.Errorf("unable to freeze %s: no freezer.state: %w", dir, ErrNoController)
	}
	deadline := time.Now().Add(freezeTimeout)
	var wait backoff
	for i := 0; ; i++ {
		if i%100 == 0 {
			if err := writeFile(dir, "freezer.state", string(Frozen)); err != nil {
				return fmt.Errorf("unable to freeze %s: %w", dir, err)
			}
		}
		s, err := readFile(dir, "freezer.state")
		if err != nil {
			return fmt.Errorf("unable to freeze %s: %w", dir, err)
		}
		if FreezerState(s) == Frozen {
			return nil
		}
		if time.Now().After(deadline) {
			terr := thawV1(dir)
			return errors.Join(fmt.Errorf("unable to freeze %s: still %s after %v; thawed it again", dir, s, freezeTimeout), terr)
		}
		wait.sleep()
	}
}

// thawV1 writes THAWED and waits for it to read THAWED.
func thawV1(dir string) error {
	if !exists(dir, "freezer.state") {
		return fmt.Errorf("unable to thaw %s: no freezer.state: %w", dir, ErrNoController)
	}
	deadline := time.Now().Add(freezeTimeout)
	var wait backoff
	for {
		if err := writeFile(dir, "freezer.state", string(Thawed)); err != nil {
			return fmt.Errorf("unable to thaw %s: %w", dir, err)
		}
		s, err := readFile(dir, "freezer.state")
		if err != nil {
			return fmt.Errorf("unable to thaw %s: %w", dir, err)
		}
		if FreezerState(s) == Thawed {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("unable to thaw %s: still %s after %v", dir, s, freezeTimeout)
		}
		wait.sleep()
	}
}

// stateV2 derives the freezer state from cgroup.freeze (what was asked)
// and the "frozen" key of cgroup.events (what the kernel reached).
func stateV2(dir string) (FreezerState, error) {
	want, err := readFile(dir, "cgroup.freeze")
	if err != nil {
		return "", fmt.Errorf("unable to read the freezer state of %s: %w", dir, err)
	}
	ev, err := readKeyValues(dir, "cgroup.events")
	if err != nil {
		return "", fmt.Errorf("unable to read the freezer state of %s: %w", dir, err)
	}
	switch {
	case strings.TrimSpace(want) == "1" && ev["frozen"] == 1:
		return Frozen, nil
	case strings.TrimSpace(want) == "1":
		return Freezing, nil
	default:
		return Thawed, nil
	}
}

// setFrozenV2 writes cgroup.freeze and waits until cgroup.events agrees.
func setFrozenV2(dir string, freeze bool) error {
	val, want, verb := "0", Thawed, "thaw"
	if freeze {
		val, want, verb = "1", Frozen, "freeze"
	}
	if err := writeFile(dir, "cgroup.freeze", val); err != nil {
		return fmt.Errorf("unable to %s %s: %w", verb, dir, err)
	}
	deadline := time.Now().Add(freezeTimeout)
	var wait backoff
	for {
		s, err := stateV2(dir)
		if err != nil {
			return fmt.Errorf("unable to %s %s: %w", verb, dir, err)
		}
		if s == want {
			return nil
		}
		if time.Now().After(deadline) {
			err := fmt.Errorf("unable to %s %s: still %s after %v", verb, dir, s, freezeTimeout)
			if freeze {
				err = errors.Join(err, writeFile(dir, "cgroup.freeze", "0"))
			}
			return err
		}
		wait.sleep()
	}
}
