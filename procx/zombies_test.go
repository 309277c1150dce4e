package procx_test

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/deferio/deferio/procx"
)

// TestZombies starts a child and does not wait for it: once it has
// exited it is a zombie of this process, until Wait reaps it.
func TestZombies(t *testing.T) {
	p, err := os.StartProcess("/bin/true", []string{"true"}, &os.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	var zs []int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if zs, err = procx.Zombies([]int{os.Getpid()}); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(zs, p.Pid) {
			break
		}
	}
	if !slices.Contains(zs, p.Pid) {
		t.Fatalf("child %d never showed as a zombie: %v", p.Pid, zs)
	}
	if zs, _ := procx.Zombies([]int{1}); slices.Contains(zs, p.Pid) {
		t.Errorf("child %d is counted as a zombie of pid 1", p.Pid)
	}
	if _, err := p.Wait(); err != nil {
		t.Fatal(err)
	}
	if zs, _ := procx.Zombies([]int{os.Getpid()}); slices.Contains(zs, p.Pid) {
		t.Errorf("child %d still a zombie after Wait", p.Pid)
	}
}
