package iox_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/deferio/deferio/internal/testenv"
	"github.com/deferio/deferio/iox"
)

// The zero-copy proof: each case copies a file (or a socket) in a child
// process — this test binary re-executed — under
// strace -f -e trace=copy_file_range,splice,sendfile, and the test checks
// which of those system calls the kernel saw.

const (
	zcEnv  = "IOX_ZEROCOPY_CASE"
	zcSize = 4 << 20
)

// A zcCase copies zcSize bytes one way in the child process.
type zcCase struct {
	name string
	// want is the zero-copy system call the copy must make, or "" when it
	// must make none.
	want string
	run  func(dir string) error
}

var zcCases = []zcCase{
	{"file-file/plain", "copy_file_range", fileToFile(func(dst, src *os.File) (int64, error) { return io.Copy(dst, src) })},
	{"file-file/counting-reader", "copy_file_range", fileToFile(func(dst, src *os.File) (int64, error) { return countedCopy(dst, iox.NewCountingReader(src)) })},
	{"file-file/counting-writer", "copy_file_range", fileToFile(func(dst, src *os.File) (int64, error) {
		cw := iox.NewCountingWriter(dst)
		n, err := io.Copy(cw, src)
		return checkCount(n, err, cw.N())
	})},
	{"file-file/traced", "copy_file_range", fileToFile(func(dst, src *os.File) (int64, error) {
		var tr iox.Tracer
		return io.Copy(tr.Writer("dst", dst), tr.Reader("src", src))
	})},
	{"file-file/progress", "copy_file_range", fileToFile(func(dst, src *os.File) (int64, error) {
		return io.Copy(dst, iox.NewProgressReader(src, zcSize, 1<<20, nil))
	})},
	{"file-file/section", "copy_file_range", fileToFile(func(dst, src *os.File) (int64, error) {
		s, err := iox.NewSection(src, 0, zcSize)
		if err != nil {
			return 0, err
		}
		return io.Copy(dst, s)
	})},
	{"file-file/parallel", "copy_file_range", fileToFile(func(dst, src *os.File) (int64, error) {
		return iox.ParallelCopy(context.Background(), dst, src, zcSize, iox.ParallelOptions{ChunkSize: 1 << 20})
	})},
	{"file-file/multi-reader", "copy_file_range", fileToFile(func(dst, src *os.File) (int64, error) {
		return io.Copy(dst, io.MultiReader(src))
	})},
	{"file-file/only-reader", "", fileToFile(func(dst, src *os.File) (int64, error) { return io.Copy(dst, iox.OnlyReader(src)) })},
	{"file-file/only-writer", "", fileToFile(func(dst, src *os.File) (int64, error) { return io.Copy(iox.OnlyWriter(dst), src) })},

	{"file-tcp/plain", "sendfile", fileToTCP(func(dst *net.TCPConn, src *os.File) (int64, error) { return io.Copy(dst, src) })},
	{"file-tcp/counting-reader", "sendfile", fileToTCP(func(dst *net.TCPConn, src *os.File) (int64, error) {
		return countedCopy(dst, iox.NewCountingReader(src))
	})},
	{"file-tcp/counting-writer", "sendfile", fileToTCP(func(dst *net.TCPConn, src *os.File) (int64, error) {
		cw := iox.NewCountingWriter(dst)
		n, err := io.Copy(cw, src)
		return checkCount(n, err, cw.N())
	})},
	{"file-tcp/section", "sendfile", fileToTCP(func(dst *net.TCPConn, src *os.File) (int64, error) {
		s, err := iox.NewSection(src, 0, zcSize)
		if err != nil {
			return 0, err
		}
		return io.Copy(dst, s)
	})},
	{"file-tcp/progress", "sendfile", fileToTCP(func(dst *net.TCPConn, src *os.File) (int64, error) {
		return io.Copy(dst, iox.NewProgressReader(src, zcSize, 1<<20, nil))
	})},
	{"file-tcp/only-writer", "", fileToTCP(func(dst *net.TCPConn, src *os.File) (int64, error) { return io.Copy(iox.OnlyWriter(dst), src) })},

	{"tcp-file/plain", "splice", tcpToFile(func(dst *os.File, src *net.TCPConn) (int64, error) { return io.Copy(dst, src) })},
	{"tcp-file/counting-reader", "splice", tcpToFile(func(dst *os.File, src *net.TCPConn) (int64, error) {
		return countedCopy(dst, iox.NewCountingReader(src))
	})},
	{"tcp-file/counting-writer", "splice", tcpToFile(func(dst *os.File, src *net.TCPConn) (int64, error) {
		cw := iox.NewCountingWriter(dst)
		n, err := io.Copy(cw, src)
		return checkCount(n, err, cw.N())
	})},
	{"tcp-file/only-reader", "", tcpToFile(func(dst *os.File, src *net.TCPConn) (int64, error) { return io.Copy(dst, iox.OnlyReader(src)) })},
}

func countedCopy(dst io.Writer, cr iox.CountingReader) (int64, error) {
	n, err := io.Copy(dst, cr)
	return checkCount(n, err, cr.N())
}

func checkCount(n int64, err error, counted int64) (int64, error) {
	if err == nil && counted != n {
		err = fmt.Errorf("the wrapper counted %d bytes of %d", counted, n)
	}
	return n, err
}

func zcData() []byte { return bytes.Repeat([]byte("zero-copy proof\n"), zcSize/16) }

func fileToFile(copyFn func(dst, src *os.File) (int64, error)) func(string) error {
	return func(dir string) error {
		data := zcData()
		if err := os.WriteFile(filepath.Join(dir, "src"), data, 0o644); err != nil {
			return err
		}
		src, err := os.Open(filepath.Join(dir, "src"))
		if err != nil {
			return err
		}
		defer src.Close()
		dst, err := os.Create(filepath.Join(dir, "dst"))
		if err != nil {
			return err
		}
		defer dst.Close()
		if n, err := copyFn(dst, src); err != nil || n != zcSize {
			return fmt.Errorf("copy = %d, %v, want %d, nil", n, err, zcSize)
		}
		got, err := os.ReadFile(dst.Name())
		if err != nil || !bytes.Equal(got, data) {
			return fmt.Errorf("the destination holds %d bytes that differ from the source (%v)", len(got), err)
		}
		return nil
	}
}

// tcpPair returns both ends of a loopback TCP connection.
func tcpPair() (client, server *net.TCPConn, err error) {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	type res struct {
		c   *net.TCPConn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := ln.AcceptTCP()
		ch <- res{c, err}
	}()
	client, err = net.DialTCP("tcp", nil, ln.Addr().(*net.TCPAddr))
	if err != nil {
		return nil, nil, err
	}
	r := <-ch
	if r.err != nil {
		client.Close()
		return nil, nil, r.err
	}
	return client, r.c, nil
}

func fileToTCP(copyFn func(dst *net.TCPConn, src *os.File) (int64, error)) func(string) error {
	return func(dir string) error {
		data := zcData()
		if err := os.WriteFile(filepath.Join(dir, "src"), data, 0o644); err != nil {
			return err
		}
		src, err := os.Open(filepath.Join(dir, "src"))
		if err != nil {
			return err
		}
		defer src.Close()
		client, server, err := tcpPair()
		if err != nil {
			return err
		}
		defer server.Close()
		got := make(chan []byte, 1)
		go func() {
			var b bytes.Buffer
			io.Copy(iox.OnlyWriter(&b), iox.OnlyReader(server)) // plain reads on the receiving side
			got <- b.Bytes()
		}()
		n, err := copyFn(client, src)
		client.Close()
		if err != nil || n != zcSize {
			return fmt.Errorf("copy = %d, %v, want %d, nil", n, err, zcSize)
		}
		if b := <-got; !bytes.Equal(b, data) {
			return fmt.Errorf("the peer received %d bytes that differ from the source", len(b))
		}
		return nil
	}
}

func tcpToFile(copyFn func(dst *os.File, src *net.TCPConn) (int64, error)) func(string) error {
	return func(dir string) error {
		data := zcData()
		dst, err := os.Create(filepath.Join(dir, "dst"))
		if err != nil {
			return err
		}
		defer dst.Close()
		client, server, err := tcpPair()
		if err != nil {
			return err
		}
		defer server.Close()
		go func() {
			client.Write(data) // from memory: plain write(2) calls
			client.Close()
		}()
		if n, err := copyFn(dst, server); err != nil || n != zcSize {
			return fmt.Errorf("copy = %d, %v, want %d, nil", n, err, zcSize)
		}
		got, err := os.ReadFile(dst.Name())
		if err != nil || !bytes.Equal(got, data) {
			return fmt.Errorf("the file holds %d bytes that differ from what was sent (%v)", len(got), err)
		}
		return nil
	}
}

// runZeroCopyChild runs the case named by $IOX_ZEROCOPY_CASE and exits;
// TestMain calls it first.
func runZeroCopyChild() {
	name := os.Getenv(zcEnv)
	for _, c := range zcCases {
		if c.name != name {
			continue
		}
		dir, err := os.MkdirTemp("", "iox-zerocopy-")
		if err == nil {
			err = c.run(dir)
			os.RemoveAll(dir)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "case %s: %v\n", name, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	fmt.Fprintf(os.Stderr, "no zero-copy case %q\n", name)
	os.Exit(2)
}

var zcCall = regexp.MustCompile(`\b(copy_file_range|splice|sendfile)\(`)

// explicitOffset matches a call that passes the source offset by pointer
// (strace prints it as [N]), which leaves the file's own offset alone.
var explicitOffset = regexp.MustCompile(`(copy_file_range\(\d+, \[|sendfile\(\d+, \d+, \[)`)

// straceCalls runs one case under strace and counts the zero-copy calls.
func straceCalls(t *testing.T, strace, name string) map[string]int {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "strace.out")
	cmd := exec.Command(strace, "-f", "-qq", "-e", "signal=none", "-e", "trace=copy_file_range,splice,sendfile", "-o", out, exe)
	cmd.Env = append(os.Environ(), zcEnv+"="+name, childGORACE())
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("strace of case %s: %v\n%s", name, err, b)
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]int{}
	for _, m := range zcCall.FindAllStringSubmatch(string(text), -1) {
		calls[m[1]]++
	}
	if explicitOffset.Match(text) {
		calls["explicit-offset"]++
	}
	return calls
}

// childGORACE keeps the caller's GORACE options for a child test
// process and drops the second a race-enabled binary otherwise sleeps at
// exit (atexit_sleep_ms), which made up most of this test's time.
func childGORACE() string {
	return "GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")
}

func findStrace(t *testing.T) string {
	t.Helper()
	return testenv.NeedCommand(t, "strace", "strace")
}

func TestZeroCopyKeptUnderStrace(t *testing.T) {
	strace := findStrace(t)
	for _, c := range zcCases {
		t.Run(c.name, func(t *testing.T) {
			calls := straceCalls(t, strace, c.name)
			var seen []string
			for k := range calls {
				seen = append(seen, k)
			}
			sort.Strings(seen)
			switch {
			case c.want == "" && len(calls) > 0:
				t.Errorf("the copy made zero-copy calls %v, want none (the wrapper hides the fast path)", calls)
			case c.want != "" && calls[c.want] == 0:
				t.Errorf("the copy made no %s call (saw %s), want the kernel's zero-copy path kept", c.want, strings.Join(seen, ", "))
			}
			// Section and ParallelCopy read at explicit offsets; the
			// standard library's paths use the file offset (NULL).
			wantExplicit := strings.Contains(c.name, "section") || strings.Contains(c.name, "parallel")
			if got := calls["explicit-offset"] > 0; got != wantExplicit {
				t.Errorf("explicit source offset in the calls = %v, want %v (calls %v)", got, wantExplicit, calls)
			}
		})
	}
}

func TestMain(m *testing.M) {
	if os.Getenv(zcEnv) != "" {
		runZeroCopyChild()
	}
	os.Exit(m.Run())
}
