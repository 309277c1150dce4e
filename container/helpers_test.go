package container_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/container/bundle"
	"github.com/deferio/deferio/internal/gorun"
	"github.com/deferio/deferio/internal/testenv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestMain(m *testing.M) {
	container.Init() // the test binary is also the containers' init
	code := m.Run()
	if toyboxDir != "" {
		os.RemoveAll(toyboxDir)
	}
	os.Exit(code)
}

var (
	toyboxOnce sync.Once
	toyboxDir  string
	toyboxPath string
	toyboxErr  error
)

// toybox builds cmd/toybox statically, once per test binary.
func toybox(t testing.TB) string {
	t.Helper()
	toyboxOnce.Do(func() {
		toyboxDir, toyboxErr = os.MkdirTemp("", "toybox-")
		if toyboxErr != nil {
			return
		}
		toyboxPath = filepath.Join(toyboxDir, "toybox")
		cmd := exec.Command(goTool(), "build", "-o", toyboxPath, "github.com/deferio/deferio/cmd/toybox")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			toyboxErr = fmt.Errorf("go build toybox: %v\n%s", err, out)
		}
	})
	if toyboxErr != nil {
		t.Fatal(toyboxErr)
	}
	return toyboxPath
}

// needRoot skips (or fails, when CI=true) a test that needs root.
func needRoot(t testing.TB) {
	t.Helper()
	testenv.NeedRoot(t, "creates namespaces, mounts and cgroups")
}

// newBundle builds a bundle in a fresh directory whose parents are
// traversable by any uid (for user-namespace containers).
func newBundle(t testing.TB, args ...string) (string, *specs.Spec) {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	if err := bundle.Build(dir, toybox(t), args...); err != nil {
		t.Fatal(err)
	}
	spec, err := bundle.ReadSpec(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The default cgroup path is /deferio/ID, shared by every process on
	// the host: another test binary (go test runs packages in parallel,
	// and cmd/tour runs the lessons too) may use the same ID at the same
	// moment. A path of this process's own keeps them apart.
	spec.Linux.CgroupsPath = fmt.Sprintf("/deferio/test-%d-%d", os.Getpid(), bundleSeq.Add(1))
	return dir, spec
}

var bundleSeq atomic.Int64

// stateRoot returns a fresh state root.
func stateRoot(t testing.TB) string {
	t.Helper()
	d := t.TempDir()
	os.Chmod(d, 0o755)
	return d
}

// result is what a container printed and its exit status.
type result struct {
	stdout, stderr string
	status         int
}

// runContainer creates and runs a container to completion and destroys it.
func runContainer(t testing.TB, root, id string, cfg container.Config) result {
	t.Helper()
	c, err := container.Create(root, id, cfg)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { c.ForceDestroy() })
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	var stdout, stderr bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); io.Copy(&stdout, outR) }()
	go func() { defer wg.Done(); io.Copy(&stderr, errR) }()
	p := &container.Process{Stdout: outW, Stderr: errW}
	err = c.Run(p)
	outW.Close()
	errW.Close()
	if err != nil {
		wg.Wait()
		t.Fatalf("Run: %v\nstderr: %s", err, stderr.String())
	}
	status, err := p.Wait()
	wg.Wait()
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if err := c.Destroy(); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	return result{stdout.String(), stderr.String(), status}
}

// chownRootfs gives the bundle's rootfs to uid (and the gid of the same
// number), as a rootfs used under a uid map must belong to the
// namespace's root.
func chownRootfs(t testing.TB, dir string, uid int) {
	t.Helper()
	if err := filepath.Walk(filepath.Join(dir, "rootfs"), func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, uid)
	}); err != nil {
		t.Fatal(err)
	}
}

// goTool finds the go command, or "go" to let exec report its absence.
func goTool() string {
	if g, err := gorun.GoTool(); err == nil {
		return g
	}
	return "go"
}
