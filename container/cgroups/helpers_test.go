package cgroups

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/deferio/deferio/internal/testenv"
)

// The test binary doubles as the workload: with DEFERIO_CGROUPS_HELPER set
// it runs one of the helpers below instead of the tests, so every test
// process is a real process the kernel can freeze, kill and account.
const helperEnv = "DEFERIO_CGROUPS_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode, os.Args[len(os.Args)-1]))
	}
	os.Exit(m.Run())
}

// runHelper runs a workload:
//
//	counter FILE  writes an ever-growing counter to FILE, about every ms
//	alloc         reads a number of MiB per stdin line, allocates and
//	              touches that much, answers "ok N"
//	spin          burns CPU until killed
//	io FILE       on a stdin line, writes 8 MiB to FILE with fsync, answers "ok"
//	open DEVICE   on a stdin line, opens DEVICE for reading; exit 0 if it could
func runHelper(mode, arg string) int {
	switch mode {
	case "counter":
		f, err := os.Create(arg)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		for i := 0; ; i++ {
			if _, err := f.WriteAt([]byte(fmt.Sprintf("%020d", i)), 0); err != nil {
				return 1
			}
			time.Sleep(time.Millisecond)
		}
	case "alloc":
		var keep [][]byte
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			n, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
			if err != nil {
				return 1
			}
			for i := 0; i < n; i++ {
				b := make([]byte, 1<<20)
				for j := 0; j < len(b); j += 4096 {
					b[j] = 1
				}
				keep = append(keep, b)
			}
			fmt.Printf("ok %d\n", len(keep))
		}
		return 0
	case "spin":
		x := 0
		for {
			x++
		}
	case "io":
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			f, err := os.Create(arg)
			if err != nil {
				return 1
			}
			if _, err := f.Write(make([]byte, 8<<20)); err != nil {
				return 1
			}
			if err := f.Sync(); err != nil {
				return 1
			}
			f.Close()
			fmt.Println("ok")
		}
		return 0
	case "open":
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		f, err := os.Open(arg)
		if err != nil {
			fmt.Println(err)
			return 3
		}
		f.Close()
		fmt.Println("opened")
		return 0
	}
	fmt.Fprintf(os.Stderr, "unknown helper %q\n", mode)
	return 2
}

// helper is a running helper process with its stdin and stdout.
type helper struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// startHelper starts the test binary as a helper; it is killed and reaped
// when the test ends.
func startHelper(t *testing.T, mode, arg string) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", arg)
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("unable to start helper %s: %v", mode, err)
	}
	h := &helper{cmd: cmd, in: in, out: bufio.NewReader(out)}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return h
}

func (h *helper) pid() int { return h.cmd.Process.Pid }

// ask writes a line and returns the answer line, or the error of a helper
// that died instead of answering.
func (h *helper) ask(line string) (string, error) {
	if _, err := fmt.Fprintln(h.in, line); err != nil {
		return "", err
	}
	ans, err := h.out.ReadString('\n')
	return strings.TrimSpace(ans), err
}

// requireRoot skips a test that needs root, or fails it under CI=true.
func requireRoot(t *testing.T) {
	t.Helper()
	testenv.NeedRoot(t, "creates cgroups under /sys/fs/cgroup")
}

// testPath returns a fresh cgroup path "/deferio-test-<random>/c" and
// registers cleanup that thaws and kills whatever is left in it and
// removes it and its parent from every hierarchy.
func testPath(t *testing.T) string {
	t.Helper()
	requireRoot(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	parent := "/deferio-test-" + hex.EncodeToString(b[:])
	p := parent + "/c"
	t.Cleanup(func() { cleanupCgroup(t, parent) })
	return p
}

func cleanupCgroup(t *testing.T, parent string) {
	mounts, err := ReadMounts()
	if err != nil {
		t.Error(err)
		return
	}
	var roots []string
	for _, mp := range mounts.V1 {
		roots = append(roots, mp)
	}
	for _, mp := range mounts.Named {
		roots = append(roots, mp)
	}
	if mounts.V2 != "" {
		roots = append(roots, mounts.V2)
	}
	for _, r := range roots {
		dir := filepath.Join(r, parent)
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				_ = writeFile(p, "freezer.state", "THAWED")
				_ = writeFile(p, "cgroup.freeze", "0")
			}
			return nil
		})
		pids, _ := treePids(dir)
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, r := range roots {
		dir := filepath.Join(r, parent)
		for {
			pids, _ := treePids(dir)
			if len(pids) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err := removeTree(dir); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
}

// waitFor polls cond until it holds, failing the test after a generous
// bound: a liveness check, not a timing assertion.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// hierarchyDirs returns every directory a Manager's Paths names, once.
func hierarchyDirs(m Manager) []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range m.Paths() {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}
