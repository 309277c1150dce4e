// copypaths.go copies a 1 MiB file to another file in one of three ways,
// named by its argument, so that strace can show which system calls each
// way makes:
//
//	plain    io.Copy(dst, src)                  *os.File on both sides
//	wrapped  io.Copy(dst, struct{io.Reader}{src}) a wrapper that hides WriteTo
//	counting io.Copy(dst, &counting{r: src})     a wrapper that forwards it
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// counting counts the bytes read through it, and keeps io.Copy's fast
// path by forwarding WriteTo to the reader it wraps when it has one.
type counting struct {
	r io.Reader
	n int64
}

func (c *counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *counting) WriteTo(w io.Writer) (int64, error) {
	var n int64
	var err error
	if wt, ok := c.r.(io.WriterTo); ok {
		n, err = wt.WriteTo(w) // *os.File: copy_file_range, sendfile
	} else {
		n, err = io.Copy(w, c.r) // still lets w's ReadFrom see c.r
	}
	c.n += n
	return n, err
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: copypaths plain|wrapped|counting")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "copypaths-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	os.WriteFile(filepath.Join(dir, "src"), data, 0o644)
	src, _ := os.Open(filepath.Join(dir, "src"))
	defer src.Close()
	dst, _ := os.Create(filepath.Join(dir, "dst"))
	defer dst.Close()

	var r io.Reader
	switch os.Args[1] {
	case "plain":
		r = src
	case "wrapped":
		r = struct{ io.Reader }{src}
	case "counting":
		r = &counting{r: src}
	default:
		fmt.Fprintln(os.Stderr, "unknown way", os.Args[1])
		os.Exit(2)
	}
	n, err := io.Copy(dst, r)
	fmt.Println(os.Args[1], "copied", n, err)
}
