package procx_test

import (
	"context"
	"flag"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deferio/deferio/procx"
	"go.uber.org/goleak"
)

var spawns = flag.Int("procx.spawns", 0, "spawns in TestSpawnSoak (default 1000, or 200 under -race)")

// TestSpawnSoak starts many commands, cancels a random part of them at a
// random moment, and checks that nothing is left: no zombie child, no
// process carrying the test's marker, no extra open descriptor, no
// goroutine.
func TestSpawnSoak(t *testing.T) {
	n := *spawns
	if n == 0 {
		n = 1000
		if raceEnabled {
			n = 200 // the race detector makes each spawn several times slower
		}
	}
	mark := marker(t)
	defer killMarked(t, mark)
	// Every child inherits the marker from our environment.
	k, v, _ := strings.Cut(mark, "=")
	t.Setenv(k, v)
	fdsBefore := openFDs(t)
	scripts := [][]string{
		{"true"},
		{"sh", "-c", "exit 3"},
		{"sh", "-c", "echo out; echo err >&2"},
		{"sh", "-c", "sleep 100 & sleep 100"}, // survives only if the group kill fails
		{"sleep", "100"},
	}
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range jobs {
				argv := scripts[i%len(scripts)]
				ctx, cancel := context.WithCancel(context.Background())
				// Half through Command (exec's context watcher), half
				// through Output (procx's own, context.AfterFunc).
				run := func() {
					_, _ = procx.Output(ctx, argv, 64, procx.WaitDelay(100*time.Millisecond))
				}
				if i%2 == 0 {
					cmd, err := procx.Command(ctx, argv, procx.WaitDelay(100*time.Millisecond))
					if err != nil {
						t.Error(err)
						cancel()
						continue
					}
					out := procx.NewCapture(64)
					cmd.Stdout, cmd.Stderr = out, out
					run = func() { _ = cmd.Run() }
				}
				// Long runners are always cancelled, the others half the
				// time, at a random moment: before Start, during, after.
				var tm *time.Timer
				if long := i%len(scripts) >= 3; long || rand.IntN(2) == 0 {
					tm = time.AfterFunc(time.Duration(rand.IntN(3000))*time.Microsecond, cancel)
				}
				run()
				if tm != nil {
					tm.Stop()
				}
				cancel()
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	if z := zombieChildren(t); len(z) > 0 {
		t.Errorf("%d zombie children: %v", len(z), z)
	}
	if left := waitGone(t, mark); len(left) > 0 {
		t.Errorf("%d processes left behind: %v", len(left), left)
	}
	if fds := openFDs(t); fds != fdsBefore {
		t.Errorf("%d descriptors open after %d spawns, %d before", fds, n, fdsBefore)
	}
	goleak.VerifyNone(t)
	t.Logf("%d spawns", n)
}
