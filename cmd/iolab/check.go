package main

import (
	"fmt"
	"io"
	"os"

	"github.com/deferio/deferio/iox/ioxtest"
)

// maxCheckSize bounds the file check reads into memory.
const maxCheckSize = 64 << 20

func checkVerb(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: check takes one FILE, got %d arguments", errUsage, fs.NArg())
	}
	path := fs.Arg(0)
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("unable to check %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file", errUsage, path)
	}
	if fi.Size() > maxCheckSize {
		return fmt.Errorf("%w: %s has %d bytes; check reads the file into memory and takes at most %d", errUsage, path, fi.Size(), maxCheckSize)
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
		return errFound
	}
	return nil
}
