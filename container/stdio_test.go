package container_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/deferio/deferio/container"
)

// TestStdioCounts runs a container with CountIO that reads a known stdin
// to its end and writes known numbers of bytes to stdout (a file: the copy
// can splice) and stderr (a pipe), and checks the counts exactly, and that
// Wait returns only once the output has all arrived.
func TestStdioCounts(t *testing.T) {
	needRoot(t)
	const inN, outN, errN = 70001, 100003, 3333
	for _, withInit := range []bool{false, true} {
		name := "init=false"
		if withInit {
			name = "init=true"
		}
		t.Run(name, func(t *testing.T) {
			dir, spec := busyboxBundle(t, "sh", "-c", "cat >/dev/null; head -c 100003 /dev/zero; head -c 3333 /dev/zero >&2; exit 3")
			tmp := t.TempDir()
			in := writeFile(t, filepath.Join(tmp, "in"), bytes.Repeat([]byte("i"), inN))
			out, err := os.Create(filepath.Join(tmp, "out"))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			errR, errW, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			stderr := make(chan int64, 1)
			go func() {
				n, _ := io.Copy(io.Discard, errR)
				stderr <- n
			}()
			c, err := container.Create(stateRoot(t), "stdio", container.Config{Bundle: dir, Spec: spec, Init: withInit})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.ForceDestroy() })
			p := &container.Process{Stdin: in, Stdout: out, Stderr: errW, CountIO: true}
			if err := c.Run(p); err != nil {
				t.Fatalf("Run: %v", err)
			}
			code, err := p.Wait()
			if err != nil || code != 3 {
				t.Fatalf("Wait = %d, %v; want 3", code, err)
			}
			got := p.IOCounts()
			if fi, err := out.Stat(); err != nil || fi.Size() != outN {
				t.Errorf("stdout file holds %v bytes (%v) once Wait returned, want %d", fi.Size(), err, outN)
			}
			errW.Close()
			if n := <-stderr; n != errN {
				t.Errorf("stderr pipe carried %d bytes, want %d", n, errN)
			}
			if want := (container.IOCounts{Stdin: inN, Stdout: outN, Stderr: errN}); got != want {
				t.Errorf("IOCounts = %+v, want %+v", got, want)
			}
		})
	}
}

// TestStdioNotCounted checks that without CountIO the files are handed
// over as they are: nothing counted, output still there.
func TestStdioNotCounted(t *testing.T) {
	needRoot(t)
	dir, spec := busyboxBundle(t, "sh", "-c", "head -c 10 /dev/zero")
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	c, err := container.Create(stateRoot(t), "stdio", container.Config{Bundle: dir, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ForceDestroy() })
	p := &container.Process{Stdout: out}
	if err := c.Run(p); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if code, err := p.Wait(); err != nil || code != 0 {
		t.Fatalf("Wait = %d, %v", code, err)
	}
	if fi, _ := out.Stat(); fi.Size() != 10 || p.IOCounts() != (container.IOCounts{}) {
		t.Errorf("stdout %d bytes, IOCounts %+v; want 10 bytes and no counts", fi.Size(), p.IOCounts())
	}
}

// TestStdioStdinNotRead checks that a process that exits without reading
// its stdin does not make Wait hang on the stdin copy: the stdin here is
// a pipe nobody writes to or closes, as a quiet terminal would be.
func TestStdioStdinNotRead(t *testing.T) {
	needRoot(t)
	dir, spec := busyboxBundle(t, "true")
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer inW.Close()
	defer inR.Close()
	c, err := container.Create(stateRoot(t), "stdio", container.Config{Bundle: dir, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ForceDestroy() })
	p := &container.Process{Stdin: inR, CountIO: true}
	if err := c.Run(p); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if code, err := p.Wait(); err != nil || code != 0 {
		t.Fatalf("Wait = %d, %v", code, err)
	}
	if got := p.IOCounts(); got != (container.IOCounts{}) {
		t.Errorf("IOCounts = %+v, want zeros", got)
	}
}

func writeFile(t *testing.T, path string, b []byte) *os.File {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
