package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/deferio/deferio/internal/cli"
	"github.com/deferio/deferio/iox"
)

var copyVerb = cli.Verb{
	Name: "copy",
	Args: "SRC DST",
	Help: `copy the file SRC to DST through traced wrappers and print every call
io.Copy made

-wrap chooses what goes around the source file: none (the file itself),
counting (iox.NewCountingReader, which forwards WriteTo and keeps the
kernel's copy_file_range) or hidden (iox.OnlyReader, which hides it and
makes io.Copy read and write 32 KiB at a time). DST is created or
truncated.`,
	Setup: func(fs *flag.FlagSet) cli.Action {
		wrap := fs.String("wrap", "none", "what goes around the source: `WAY` is none, counting or hidden")
		return func(_ context.Context, s cli.Streams, args []string) error {
			return copyFile(*wrap, args, s.Stdout)
		}
	},
}

func copyFile(wrap string, args []string, stdout io.Writer) error {
	if len(args) != 2 {
		return cli.Usagef("copy takes SRC and DST, got %d arguments (flags go first)", len(args))
	}
	switch wrap {
	case "none", "counting", "hidden":
	default:
		return cli.Usagef("-wrap %q is not none, counting or hidden", wrap)
	}
	srcPath, dstPath := args[0], args[1]
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
		return cli.Usagef("the source %s is a directory", srcPath)
	}
	// Creating DST truncates it: were it SRC, the copy would destroy it.
	if dfi, err := os.Stat(dstPath); err == nil && os.SameFile(fi, dfi) {
		return cli.Usagef("the destination %s is the source %s itself", dstPath, srcPath)
	}
	dst, err := os.Create(dstPath)
	if err != nil {
		return fmt.Errorf("unable to create the destination: %w", err)
	}
	var tr iox.Tracer
	var r io.Reader = tr.Reader("src", src)
	var cr iox.CountingReader
	switch wrap {
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
	fmt.Fprintf(stdout, "io.Copy copied %d bytes (%s), err=%v\n", n, wrap, err)
	if cr != nil {
		fmt.Fprintf(stdout, "the counting reader counted %d bytes\n", cr.N())
	}
	if err != nil {
		return fmt.Errorf("unable to copy %s to %s: %w", srcPath, dstPath, err)
	}
	return nil
}
