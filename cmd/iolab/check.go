package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/deferio/deferio/internal/cli"
	"github.com/deferio/deferio/iox/ioxtest"
)

// maxCheckSize bounds the file check reads into memory.
const maxCheckSize = 64 << 20

var checkVerb = cli.Verb{
	Name: "check",
	Args: "FILE",
	Help: `run the iox/ioxtest contract checkers (Reader, Seeker, ReaderAt,
WriterTo) on FILE and print the violations; exit 1 when there are some

check opens FILE read-only, each checker on a fresh descriptor.`,
	Setup: func(*flag.FlagSet) cli.Action {
		return func(_ context.Context, s cli.Streams, args []string) error {
			return checkFile(args, s.Stdout)
		}
	},
}

func checkFile(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return cli.Usagef("check takes one FILE, got %d arguments", len(args))
	}
	path := args[0]
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("unable to check %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return cli.Usagef("%s is not a regular file", path)
	}
	if fi.Size() > maxCheckSize {
		return cli.Usagef("%s has %d bytes; check reads the file into memory and takes at most %d", path, fi.Size(), maxCheckSize)
	}
	content, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("unable to read %s: %w", path, err)
	}
	checks := []struct {
		name string
		run  func(f *os.File) error
	}{
		{"TestReader", func(f *os.File) error { return ioxtest.TestReader(f, content) }},
		{"TestSeeker", func(f *os.File) error { return ioxtest.TestSeeker(f, content) }},
		{"TestReaderAt", func(f *os.File) error { return ioxtest.TestReaderAt(f, content) }},
		{"TestWriterTo", func(f *os.File) error { return ioxtest.TestWriterTo(f, content) }},
	}
	found := false
	for _, c := range checks {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("unable to open %s: %w", path, err)
		}
		err = c.run(f)
		f.Close()
		vs := ioxtest.Violations(err)
		switch {
		case err == nil:
			fmt.Fprintf(stdout, "%-13s ok\n", c.name)
		case len(vs) == 0:
			fmt.Fprintf(stdout, "%-13s error: %v\n", c.name, err)
			found = true
		default:
			for _, v := range vs {
				fmt.Fprintf(stdout, "%-13s %v\n", c.name, v)
			}
			found = true
		}
	}
	if found {
		return cli.Exit(1) // the violations are printed
	}
	return nil
}
