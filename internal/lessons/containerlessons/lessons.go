// Package containerlessons holds the lessons of the container topic: the
// namespaces one at a time, what pivot_root does, the init pipe and its
// EOF signal, why joining a running container's namespaces has to
// happen before the Go runtime starts, who a server behind a published
// port sees as its client, and a seccomp filter as the kernel runs it.
//
// The lessons run real containers with package container, so the program
// that runs them must call container.Init first thing in main (nsinit
// does; so do the tests). They build cmd/toybox, the root filesystem's
// only binary, with the Go toolchain, so they run from a deferio checkout.
package containerlessons

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/container/bundle"
	"github.com/deferio/deferio/internal/gorun"
	"github.com/deferio/deferio/internal/lesson"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Lessons returns the container lessons in teaching order.
func Lessons() []lesson.Lesson {
	return []lesson.Lesson{
		{ID: "container-namespaces", Topic: "container", Title: "Namespaces, one at a time", NeedsRoot: true, Run: needInit(runNamespaces)},
		{ID: "container-pivot-root", Topic: "container", Title: "What pivot_root does", NeedsRoot: true, Run: needInit(runPivotRoot)},
		{ID: "container-init-pipe", Topic: "container", Title: "The init pipe and its EOF signal", NeedsRoot: true, Run: needInit(runInitPipe)},
		{ID: "container-exec-nsenter", Topic: "container", Title: "Why exec joins namespaces before the Go runtime starts", NeedsRoot: true, Run: needInit(runExecNsenter)},
		{ID: "container-published-ports", Topic: "container", Title: "Published ports: who the server inside sees", NeedsRoot: true, Run: needInit(runPublishedPorts)},
		{ID: "container-meets-all", Topic: "container", Title: "One container where every topic meets", NeedsRoot: true, Run: needInit(runMeetsAll)},
		{ID: "container-seccomp", Topic: "container", Title: "Seccomp: a system call filter in classic BPF", NeedsRoot: true, Run: needInit(runSeccomp)},
	}
}

// needInit runs a lesson only in a program that can re-execute itself as a
// container's init; elsewhere it says where to run it.
func needInit(run func(context.Context, *lesson.Page) error) func(context.Context, *lesson.Page) error {
	return func(ctx context.Context, p *lesson.Page) error {
		if !container.InitCalled() {
			p.Note("This program does not call container.Init() first in main, so it cannot start containers; run the lesson with `nsinit lesson ID` (go run ./cmd/nsinit lesson ID). What it shows:")
			return nil
		}
		return run(ctx, p)
	}
}

// lab is a scratch area: a toybox binary, bundles and a state root, all
// removed by close.
type lab struct {
	dir    string
	toybox string
	n      int
}

func newLab(ctx context.Context) (*lab, error) {
	dir, err := os.MkdirTemp("", "container-lesson-")
	if err != nil {
		return nil, fmt.Errorf("unable to make a scratch directory: %w", err)
	}
	os.Chmod(dir, 0o755)
	l := &lab{dir: dir, toybox: filepath.Join(dir, "toybox")}
	goTool, err := gorun.GoTool()
	if err != nil {
		l.close()
		return nil, err
	}
	cmd := exec.CommandContext(ctx, goTool, "build", "-o", l.toybox, "github.com/deferio/deferio/cmd/toybox")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		l.close()
		return nil, fmt.Errorf("unable to build cmd/toybox (run the lesson from a deferio checkout): %w\n%s", err, out)
	}
	return l, nil
}

func (l *lab) close() { os.RemoveAll(l.dir) }

// bundle makes a fresh bundle running args and returns its config.
func (l *lab) bundle(args ...string) (container.Config, error) {
	l.n++
	dir := filepath.Join(l.dir, fmt.Sprintf("bundle%d", l.n))
	if err := bundle.Build(dir, l.toybox, args...); err != nil {
		return container.Config{}, err
	}
	spec, err := bundle.ReadSpec(dir)
	if err != nil {
		return container.Config{}, err
	}
	// The default cgroup path, /deferio/ID, is shared by every process on
	// the host, and the lessons use fixed IDs: two runs at once (the tour
	// and the tests, say) would meet in one cgroup. The scratch
	// directory's random name makes the path this lab's own.
	spec.Linux.CgroupsPath = fmt.Sprintf("/deferio/%s-%d", filepath.Base(l.dir), l.n)
	return container.Config{Bundle: dir, Spec: spec}, nil
}

// create makes container id in the lab's state root, from a new bundle
// running args.
func (l *lab) create(id string, args ...string) (*container.Container, error) {
	cfg, err := l.bundle(args...)
	if err != nil {
		return nil, err
	}
	return container.Create(filepath.Join(l.dir, "state"), id, cfg)
}

// run creates, runs and deletes a container, and returns what it printed
// (stdout then stderr) and its exit status.
func (l *lab) run(id string, cfg container.Config) (string, int, error) {
	c, err := container.Create(filepath.Join(l.dir, "state"), id, cfg)
	if err != nil {
		return "", 0, err
	}
	defer c.ForceDestroy()
	r, w, err := os.Pipe()
	if err != nil {
		return "", 0, err
	}
	var out bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&out, r); close(done) }()
	p := &container.Process{Stdout: w, Stderr: w}
	err = c.Run(p)
	w.Close()
	if err != nil {
		<-done
		return "", 0, err
	}
	code, err := p.Wait()
	<-done
	r.Close()
	if err != nil {
		return "", 0, err
	}
	return out.String(), code, c.Destroy()
}

// hostNamespaces returns this process's namespace links.
func hostNamespaces() map[string]string {
	m := map[string]string{}
	for _, ns := range []string{"cgroup", "ipc", "mnt", "net", "pid", "user", "uts"} {
		m[ns], _ = os.Readlink("/proc/self/ns/" + ns)
	}
	return m
}

// newNamespaces reads the "ns NAME LINK" lines of `toybox inspect` and
// names those that differ from the host's.
func newNamespaces(out string, host map[string]string) []string {
	var news []string
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) == 3 && f[0] == "ns" && host[f[1]] != f[2] {
			news = append(news, f[1])
		}
	}
	return news
}

// withoutInspect drops the lines `toybox inspect` printed.
func withoutInspect(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) > 0 && (f[0] == "ns" || strings.HasPrefix(f[0], "Cap") || f[0] == "NoNewPrivs" || f[0] == "Uid" || f[0] == "Gid") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

func namespaces(types ...specs.LinuxNamespaceType) []specs.LinuxNamespace {
	out := []specs.LinuxNamespace{{Type: specs.MountNamespace}}
	for _, t := range types {
		out = append(out, specs.LinuxNamespace{Type: t})
	}
	return out
}
