package container

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"testing"

	"github.com/deferio/deferio/internal/testenv"
	"golang.org/x/sys/unix"
)

// TestSealedSelfHandles: both ways of sealing the runtime binary give
// its exact bytes, execute, and refuse every write: the overlay with
// EROFS, the memfd with EPERM (F_SEAL_WRITE), even to root.
func TestSealedSelfHandles(t *testing.T) {
	testenv.NeedRoot(t, "mounts overlayfs with fsopen")
	want := fileSum(t, "/proc/self/exe")
	for _, tc := range []struct {
		name  string
		open  func() (*os.File, error)
		write error
	}{
		{"overlay", overlaySelf, unix.EROFS},
		{"memfd", memfdSelf, unix.EPERM},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.open()
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			path := fmt.Sprintf("/proc/self/fd/%d", f.Fd())
			if got := fileSum(t, path); !bytes.Equal(got, want) {
				t.Errorf("%s holds other bytes than the running binary", f.Name())
			}
			w, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err == nil {
				_, err = w.Write([]byte("#!/bin/evil\n"))
				w.Close()
			}
			if !errors.Is(err, tc.write) {
				t.Errorf("writing through %s: %v, want %v", f.Name(), err, tc.write)
			}
			out, err := exec.Command(path, "-test.run=^$").CombinedOutput()
			if err != nil {
				t.Errorf("executing %s: %v: %s", f.Name(), err, out)
			}
		})
	}
}

func fileSum(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return h.Sum(nil)
}

// BenchmarkSealedSelf: what sealing the runtime binary costs per start,
// both ways side by side (the overlay copies nothing; the memfd copies
// the whole binary).
func BenchmarkSealedSelf(b *testing.B) {
	testenv.NeedRoot(b, "mounts overlayfs with fsopen")
	for _, bc := range []struct {
		name string
		open func() (*os.File, error)
	}{{"overlay", overlaySelf}, {"memfd", memfdSelf}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				f, err := bc.open()
				if err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
	}
}
