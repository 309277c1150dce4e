package main

import (
	"fmt"
	"io"
	"os"

	"github.com/deferio/deferio/iox"
)

func copyVerb(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("copy", stderr)
	wrap := fs.String("wrap", "none", "what goes around the source: none, counting or hidden")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return fmt.Errorf("%w: copy takes SRC and DST, got %d arguments (flags go first)", errUsage, fs.NArg())
	}
	switch *wrap {
	case "none", "counting", "hidden":
	default:
		return fmt.Errorf("%w: -wrap %q is not none, counting or hidden", errUsage, *wrap)
	}
	srcPath, dstPath := fs.Arg(0), fs.Arg(1)
	src, err := os.Open(srcPath)
	if err != nil {
		return fmt.Errorf("unable to open the source: %w", err)
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return fmt.Errorf("unable to stat the source: %w", err)
	}
	if fi.IsDir() {
		return fmt.Errorf("%w: the source %s is a directory", errUsage, srcPath)
	}
	// Creating DST truncates it: were it SRC, the copy would destroy it.
	if dfi, err := os.Stat(dstPath); err == nil && os.SameFile(fi, dfi) {
		return fmt.Errorf("%w: the destination %s is the source %s itself", errUsage, dstPath, srcPath)
	}
	dst, err := os.Create(dstPath)
	if err != nil {
		return fmt.Errorf("unable to create the destination: %w", err)
	}
	var tr iox.Tracer
	var r io.Reader = tr.Reader("src", src)
	var cr iox.CountingReader
	switch *wrap {
	case "counting":
		cr = iox.NewCountingReader(r)
		r = cr
	case "hidden":
		r = iox.OnlyReader(r)
	}
	n, err := io.Copy(tr.Writer("dst", dst), r)
	if cerr := dst.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("unable to close the destination: %w", cerr)
	}
	fmt.Fprint(stdout, tr.String())
	fmt.Fprintf(stdout, "io.Copy copied %d bytes (%s), err=%v\n", n, *wrap, err)
	if cr != nil {
		fmt.Fprintf(stdout, "the counting reader counted %d bytes\n", cr.N())
	}
	if err != nil {
		return fmt.Errorf("unable to copy %s to %s: %w", srcPath, dstPath, err)
	}
	return nil
}
