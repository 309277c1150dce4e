// Package cgrouplessons holds the container topic's cgroup lessons: a real
// process is put in a real cgroup with package container/cgroups, frozen
// and thawed while it counts, then limited until the kernel's OOM killer
// kills it and the OOM notification arrives. The programs shown are
// compiled with the real Go toolchain and run; every number printed was
// read from the kernel during the run. The lessons need root.
package cgrouplessons

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deferio/deferio/container/cgroups"
	"github.com/deferio/deferio/internal/gorun"
	"github.com/deferio/deferio/internal/lesson"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

//go:embed testdata/programs/*.go
var programs embed.FS

// Lessons returns the cgroup lessons in teaching order.
func Lessons() []lesson.Lesson {
	return []lesson.Lesson{
		{ID: "container-cgroup-freeze", Topic: "container", Title: "A cgroup freezes a counting process, and thaws it", NeedsRoot: true, Run: freeze},
		{ID: "container-cgroup-oom", Topic: "container", Title: "A memory limit, an OOM kill, and the event that reports it", NeedsRoot: true, Run: oom},
	}
}

// build shows an embedded program and compiles it. The caller closes the
// module.
func build(ctx context.Context, p *lesson.Page, name string) (*gorun.Module, string, error) {
	src, err := programs.ReadFile("testdata/programs/" + name)
	if err != nil {
		return nil, "", fmt.Errorf("unable to read program %s: %w", name, err)
	}
	p.Code(name, string(src))
	m, err := gorun.NewModule(src)
	if err != nil {
		return nil, "", err
	}
	bin, err := m.Build(ctx)
	if err != nil {
		m.Close()
		return nil, "", fmt.Errorf("unable to build %s: %w", name, err)
	}
	return m, bin, nil
}

// newCgroup returns a Manager for a fresh "/deferio-lesson-<random>/<name>"
// and a cleanup that kills what is left, destroys it and removes the
// parent from every hierarchy.
func newCgroup(name string) (cgroups.Manager, func(), error) {
	var b [4]byte
	_, _ = rand.Read(b[:])
	parent := "/deferio-lesson-" + hex.EncodeToString(b[:])
	m, err := cgroups.New(parent + "/" + name)
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() {
		_ = m.Thaw()
		pids, _ := m.Pids()
		for _, pid := range pids {
			if p, err := os.FindProcess(pid); err == nil {
				_ = p.Kill()
			}
		}
		// SIGKILL cannot be ignored, but a busy machine may take a
		// while to run the exits; Destroy fails while a task is left.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			if pids, _ := m.Pids(); len(pids) == 0 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		_ = m.Destroy()
		for _, dir := range m.Paths() {
			_ = os.Remove(filepath.Dir(dir))
		}
	}
	return m, cleanup, nil
}

func freeze(ctx context.Context, p *lesson.Page) error {
	p.Text("The program below counts forever, writing the count to a file every 10 ms. We start it, move it into a new cgroup, and read the file while the freezer stops and restarts it.")
	mod, bin, err := build(ctx, p, "counter.go")
	if err != nil {
		return err
	}
	defer mod.Close()
	counter := filepath.Join(mod.Dir, "count")
	cmd := exec.CommandContext(ctx, bin, counter)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("unable to start the counter: %w", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	m, cleanup, err := newCgroup("counter")
	if err != nil {
		return err
	}
	defer cleanup()
	if err := m.Apply(cmd.Process.Pid); err != nil {
		return err
	}
	keys := slices.Sorted(maps.Keys(m.Paths()))
	p.Textf("Apply(pid) created the cgroup's directory in %d hierarchies (%s) and wrote the pid into each cgroup.procs. The process's own /proc/PID/cgroup now names the new cgroup:", len(keys), strings.Join(keys, ", "))
	own, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", cmd.Process.Pid))
	if err != nil {
		return fmt.Errorf("unable to read the counter's cgroups: %w", err)
	}
	p.Output(fmt.Sprintf("cat /proc/%d/cgroup", cmd.Process.Pid), hideRandom(string(own)))

	read := func() int {
		b, _ := os.ReadFile(counter)
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return n
	}
	twice := func() (int, int) {
		a := read()
		time.Sleep(300 * time.Millisecond)
		return a, read()
	}
	// Wait for the first count (a generous bound for a busy machine).
	for deadline := time.Now().Add(20 * time.Second); read() == 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	a, b := twice()
	p.Output("read the counter, wait 300 ms, read it again (running)", fmt.Sprintf("%d -> %d (moved: %v)", a, b, b > a))

	if err := m.Freeze(); err != nil {
		return err
	}
	state, err := m.FreezerState()
	if err != nil {
		return err
	}
	a, b = twice()
	p.Output("Freeze(); FreezerState(); read, wait 300 ms, read", fmt.Sprintf("state %s\n%d -> %d (moved: %v)", state, a, b, b > a))

	if err := m.Thaw(); err != nil {
		return err
	}
	state, err = m.FreezerState()
	if err != nil {
		return err
	}
	c, d := twice()
	p.Output("Thaw(); FreezerState(); read, wait 300 ms, read", fmt.Sprintf("state %s\n%d -> %d (moved: %v)", state, c, d, d > c))
	p.Note("The frozen process got no signal and did not notice: it simply was not scheduled. After Thaw it carries on from the very count it stopped at.")
	return nil
}

func oom(ctx context.Context, p *lesson.Page) error {
	p.Text("This program allocates memory 4 MiB at a time and touches every page, so the memory is really charged to its cgroup.")
	mod, bin, err := build(ctx, p, "hog.go")
	if err != nil {
		return err
	}
	defer mod.Close()
	m, cleanup, err := newCgroup("hog")
	if err != nil {
		return err
	}
	defer cleanup()

	// A shell joins the cgroup first and then execs the hog, so every
	// page the hog touches is charged to the cgroup.
	sh := exec.CommandContext(ctx, "sh", "-c", `read go && exec "$0"`, bin)
	stdin, err := sh.StdinPipe()
	if err != nil {
		return err
	}
	var out strings.Builder
	sh.Stdout, sh.Stderr = &out, &out
	if err := sh.Start(); err != nil {
		return fmt.Errorf("unable to start the hog: %w", err)
	}
	defer func() { _ = sh.Process.Kill(); _ = sh.Wait() }()
	if err := m.Apply(sh.Process.Pid); err != nil {
		return err
	}
	const limit = 32 << 20
	if err := m.Set(memoryLimit(limit)); err != nil {
		return err
	}
	st, err := m.Stats()
	if err != nil {
		return err
	}
	p.Textf("Set wrote the limit (memory and memory+swap, so swapping is no way out). Stats reads it back: Memory.Limit = %d bytes (%d MiB).", st.Memory.Limit, st.Memory.Limit>>20)

	events, err := m.NotifyOOM(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdin, "go")
	stdin.Close()
	waitErr := sh.Wait()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	shown := lines
	if len(lines) > 3 {
		shown = append([]string{fmt.Sprintf("... (%d lines)", len(lines)-3)}, lines[len(lines)-3:]...)
	}
	p.Output("./hog   # inside the cgroup, limit 32 MiB", strings.Join(shown, "\n")+"\n"+fmt.Sprintf("exit: %v", waitErr))

	select {
	case ev, ok := <-events:
		if !ok {
			p.Output("<-NotifyOOM(ctx)", "channel closed without an event")
			break
		}
		p.Output("<-NotifyOOM(ctx)", fmt.Sprintf("OOM event received (oom_kill counter when read: %d)", ev.OOMKills))
	case <-time.After(10 * time.Second):
		p.Output("<-NotifyOOM(ctx)", "no event within 10 s")
	}
	st, err = m.Stats()
	if err != nil {
		return err
	}
	p.Output("Stats().Memory after the kill", fmt.Sprintf("MaxUsage %d MiB of Limit %d MiB, OOMKills %d", st.Memory.MaxUsage>>20, st.Memory.Limit>>20, st.Memory.OOMKills))
	p.Note("Nothing in the program failed: make never returned an error. The kernel could not charge a page fault to the cgroup, ran the OOM killer inside the cgroup only, and sent SIGKILL, which no program can catch.")
	return nil
}

// hideRandom replaces the random part of the lesson's cgroup name, so
// the output reads the same on every run.
func hideRandom(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if i := strings.Index(l, "/deferio-lesson-"); i >= 0 {
			rest := l[i+len("/deferio-lesson-"):]
			if j := strings.Index(rest, "/"); j >= 0 {
				l = l[:i] + "/deferio-lesson-XXXXXXXX" + rest[j:]
			}
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

// memoryLimit limits memory and memory+swap to the same number of bytes.
func memoryLimit(bytes int64) *specs.LinuxResources {
	return &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &bytes, Swap: &bytes}}
}
