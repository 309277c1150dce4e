// fileio.go: os.Open and os.OpenFile flags and permissions, *PathError,
// Read, Write, Seek with each whence, ReadAt and WriteAt on a real file.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

func main() {
	dir, err := os.MkdirTemp("", "fileio-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "notes.txt")
	old := syscall.Umask(0o022) // the permission bits are perm &^ umask
	defer syscall.Umask(old)

	// 1. O_CREATE|O_EXCL creates, and fails if the file exists.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	fi, _ := f.Stat()
	fmt.Println("created with perm 0666, umask 022:", fi.Mode())
	_, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
	var pe *fs.PathError
	fmt.Printf("again: %v\n  errors.As *PathError: %v (Op=%q), errors.Is fs.ErrExist: %v\n",
		errWithoutDir(err, dir), errors.As(err, &pe), pe.Op, errors.Is(err, fs.ErrExist))
	_, err = os.Open(filepath.Join(dir, "missing"))
	fmt.Printf("os.Open(missing): %v\n  errors.Is fs.ErrNotExist: %v, PathError.Err == syscall.ENOENT: %v\n",
		errWithoutDir(err, dir), errors.Is(err, fs.ErrNotExist), err.(*fs.PathError).Err == syscall.ENOENT)

	// 2. Write, then Seek with each whence, then Read.
	n, err := f.Write([]byte("hello, file\n"))
	fmt.Println("Write:", n, err)
	for _, s := range []struct {
		off    int64
		whence int
		name   string
	}{{0, io.SeekStart, "SeekStart"}, {7, io.SeekStart, "SeekStart"}, {-3, io.SeekCurrent, "SeekCurrent"}, {-5, io.SeekEnd, "SeekEnd"}, {-1, io.SeekStart, "SeekStart"}} {
		off, err := f.Seek(s.off, s.whence)
		fmt.Printf("Seek(%d, %s) = %d, %v\n", s.off, s.name, off, errWithoutDir(err, dir))
	}
	buf := make([]byte, 32)
	n, err = f.Read(buf)
	fmt.Printf("Read: %d %q %v\n", n, buf[:n], err)
	n, err = f.Read(buf)
	fmt.Printf("Read at the end: %d %v\n", n, err)

	// 3. ReadAt and WriteAt neither use nor move the offset.
	f.Seek(2, io.SeekStart)
	n, _ = f.ReadAt(buf[:4], 7)
	cur, _ := f.Seek(0, io.SeekCurrent)
	fmt.Printf("ReadAt(4 bytes, off 7) = %q; offset still %d\n", buf[:n], cur)
	n, err = f.ReadAt(buf, 7)
	fmt.Printf("ReadAt(32 bytes, off 7) = %d, %v (short, so an error)\n", n, err)
	f.WriteAt([]byte("HELLO"), 0)
	cur, _ = f.Seek(0, io.SeekCurrent)
	b, _ := os.ReadFile(path)
	fmt.Printf("WriteAt(\"HELLO\", 0): file %q; offset still %d\n", b, cur)

	// 4. Writing past the end leaves a hole that reads as zeros.
	f.Seek(20, io.SeekStart)
	f.Write([]byte("!"))
	b, _ = os.ReadFile(path)
	fmt.Printf("Seek(20) then Write: size %d, bytes 12..20 %v\n", len(b), b[12:])

	// 5. Flags: O_RDONLY refuses writes, O_APPEND ignores the offset for
	// writes and refuses WriteAt, O_TRUNC empties the file.
	r, _ := os.Open(path)
	_, err = r.Write([]byte("x"))
	fmt.Println("Write on O_RDONLY:", errWithoutDir(err, dir))
	r.Close()
	a, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	a.Seek(0, io.SeekStart)
	a.Write([]byte("tail"))
	_, err = a.WriteAt([]byte("x"), 0)
	a.Close()
	b, _ = os.ReadFile(path)
	fmt.Printf("O_APPEND after Seek(0): file ends %q; WriteAt: %v\n", b[len(b)-5:], err)
	t, _ := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	t.Close()
	fi, _ = os.Stat(path)
	fmt.Println("after O_TRUNC: size", fi.Size())
	p2 := filepath.Join(dir, "private")
	os.WriteFile(p2, nil, 0o640)
	fi, _ = os.Stat(p2)
	fmt.Println("os.WriteFile with perm 0640:", fi.Mode())
}

// errWithoutDir hides the temporary directory's random name.
func errWithoutDir(err error, dir string) string {
	if err == nil {
		return "<nil>"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		rel, _ := filepath.Rel(dir, pe.Path)
		return fmt.Sprintf("%s %s: %v", pe.Op, "$DIR/"+rel, pe.Err)
	}
	return err.Error()
}
