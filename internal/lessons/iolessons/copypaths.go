package iolessons

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/iox"
)

func copyPaths(ctx context.Context, p *lesson.Page) error {
	var tr iox.Tracer
	trace := func(caption string) {
		p.Output(caption, tr.String())
		tr.Reset()
	}
	p.Heading("The order io.Copy tries")
	p.Text("io.Copy(dst, src) (io/io.go, copyBuffer) first asks src for WriteTo, then dst for ReadFrom, and only then loops over a 32 KiB buffer. Traced wrappers have exactly the optional methods of what they wrap, so the trace shows the path taken.")
	if err := showSnippet(p, "copypaths.go", "three"); err != nil {
		return err
	}
	// show: three
	var b1, b2, b3 bytes.Buffer
	io.Copy(tr.Writer("dst", &b1), tr.Reader("src", strings.NewReader("hi"))) // 1. src.WriteTo
	trace1 := tr.String()
	tr.Reset()
	io.Copy(tr.Writer("dst", &b2), tr.Reader("src", iox.OnlyReader(strings.NewReader("hi")))) // 2. dst.ReadFrom
	trace2 := tr.String()
	tr.Reset()
	io.Copy(tr.Writer("dst", iox.OnlyWriter(&b3)), tr.Reader("src", iox.OnlyReader(strings.NewReader("hi")))) // 3. the buffer
	// end: three
	p.Output("1. strings.Reader has WriteTo", trace1)
	p.Output("2. no WriteTo: bytes.Buffer's ReadFrom", trace2)
	trace("3. neither: the 32 KiB buffer")

	dir, err := os.MkdirTemp("", "iolesson-")
	if err != nil {
		return fmt.Errorf("unable to make a directory: %w", err)
	}
	defer os.RemoveAll(dir)
	srcPath, dstPath := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	if err := os.WriteFile(srcPath, bytes.Repeat([]byte("x"), 100000), 0o644); err != nil {
		return fmt.Errorf("unable to write %s: %w", srcPath, err)
	}
	copyFiles := func(wrap func(*os.File) io.Reader) error {
		src, err := os.Open(srcPath)
		if err != nil {
			return fmt.Errorf("unable to open %s: %w", srcPath, err)
		}
		defer src.Close()
		dst, err := os.Create(dstPath)
		if err != nil {
			return fmt.Errorf("unable to create %s: %w", dstPath, err)
		}
		defer dst.Close()
		_, err = io.Copy(tr.Writer("dst", dst), wrap(src))
		return err
	}

	p.Heading("Two files: *os.File hands the copy to the kernel")
	p.Text("*os.File has both methods. src.WriteTo finds no socket to sendfile to, so it calls io.Copy again with the file's WriteTo hidden, which reaches dst.ReadFrom; that one recognises the source file and calls copy_file_range(2) (os/zero_copy_linux.go). 100,000 bytes, no Read or Write at all:")
	if err := showSnippet(p, "copypaths.go", "files"); err != nil {
		return err
	}
	if err := copyFiles(func(f *os.File) io.Reader {
		// show: files
		return tr.Reader("src", f)
		// end: files
	}); err != nil {
		return err
	}
	trace("trace")

	p.Heading("A wrapper that hides WriteTo")
	p.Text("A struct that embeds only io.Reader has no WriteTo, and dst.ReadFrom no longer sees an *os.File: it falls back to the buffer, every byte goes through user space twice.")
	if err := showSnippet(p, "copypaths.go", "hidden"); err != nil {
		return err
	}
	if err := copyFiles(func(f *os.File) io.Reader {
		// show: hidden
		return tr.Reader("src", struct{ io.Reader }{f})
		// end: hidden
	}); err != nil {
		return err
	}
	trace("trace")

	p.Heading("A wrapper that forwards WriteTo keeps the fast path")
	if err := showSnippet(p, "copypaths.go", "counting"); err != nil {
		return err
	}
	var cr iox.CountingReader
	if err := copyFiles(func(f *os.File) io.Reader {
		// show: counting
		cr = iox.NewCountingReader(tr.Reader("src", f))
		return cr
		// end: counting
	}); err != nil {
		return err
	}
	trace("trace")
	p.Textf("The counting reader still counted %d bytes.", cr.N())
	return straceCopies(ctx, p)
}

var (
	straceCopyFileRange = regexp.MustCompile(`copy_file_range\(\d+, NULL, \d+, NULL, \d+, 0\)\s+= [1-9]`)
	straceRead32K       = regexp.MustCompile(`read\(\d+, .*, 32768\)\s+= \d+`)
	straceWrite32K      = regexp.MustCompile(`write\(\d+, .*, 32768\)\s+= 32768`)
)

// straceCopies runs programs/copypaths.go three ways under strace and
// counts the system calls that moved the data.
func straceCopies(ctx context.Context, p *lesson.Page) error {
	p.Heading("What the kernel sees")
	strace, err := exec.LookPath("strace")
	if err != nil {
		p.Note("strace is not installed (Debian package strace), so this part was not run. It compiles copypaths.go and counts copy_file_range, read and write calls for each way of copying.")
		return nil
	}
	src, err := source("copypaths.go")
	if err != nil {
		return err
	}
	p.Code("copypaths.go", string(src))
	m, bin, err := build(ctx, "copypaths.go")
	if err != nil {
		return err
	}
	defer m.Close()
	var out strings.Builder
	for _, way := range []string{"plain", "wrapped", "counting"} {
		log := filepath.Join(m.Dir, "strace-"+way)
		cmd := exec.CommandContext(ctx, strace, "-f", "-qq", "-e", "signal=none", "-e", "trace=copy_file_range,read,write", "-s", "0", "-o", log, bin, way)
		b, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("unable to run copypaths %s under strace: %w\n%s", way, err, b)
		}
		text, err := os.ReadFile(log)
		if err != nil {
			return fmt.Errorf("unable to read the strace log: %w", err)
		}
		fmt.Fprintf(&out, "%-8s  %s    copy_file_range with data: %d, read(32 KiB): %d, write(32 KiB): %d\n",
			way, strings.TrimSpace(string(b)),
			len(straceCopyFileRange.FindAll(text, -1)), len(straceRead32K.FindAll(text, -1)), len(straceWrite32K.FindAll(text, -1)))
	}
	p.Output("strace -f -e trace=copy_file_range,read,write ./copypaths WAY", out.String())
	return nil
}
