package main

import (
	"errors"
	"fmt"
)

type File struct {
	name string
	fail bool
}

var ErrDisk = errors.New("disk full")

func (f *File) Write(s string) error { return nil }

func (f *File) Close() error {
	if f.fail {
		return fmt.Errorf("close %s: %w", f.name, ErrDisk)
	}
	return nil
}

// save keeps the error of Close when the writes went well: the deferred
// closure assigns the named result err after return set it.
func save(f *File) (err error) {
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	return f.Write("data")
}

// lose drops it: defer f.Close() throws the result away.
func lose(f *File) error {
	defer f.Close()
	return f.Write("data")
}

func main() {
	err := save(&File{name: "a.txt", fail: true})
	fmt.Println("save:", err, errors.Is(err, ErrDisk))
	fmt.Println("lose:", lose(&File{name: "b.txt", fail: true}))
	fmt.Println("save:", save(&File{name: "c.txt"}))
}
