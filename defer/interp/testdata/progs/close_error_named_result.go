package main

import (
	"errors"
	"fmt"
)

type File struct {
	name   string
	closed bool
	fail   bool
}

var ErrClose = errors.New("close failed")

func (f *File) Close() error {
	if f.closed {
		return fmt.Errorf("close %s: already closed", f.name)
	}
	f.closed = true
	if f.fail {
		return fmt.Errorf("close %s: %w", f.name, ErrClose)
	}
	return nil
}

func process(f *File) (err error) {
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if f.name == "" {
		return errors.New("no name")
	}
	return nil
}

func main() {
	fmt.Println(process(&File{name: "a"}))
	err := process(&File{name: "b", fail: true})
	fmt.Println(err, errors.Is(err, ErrClose))
	fmt.Println(process(&File{}))
	f := &File{name: "c"}
	f.Close()
	fmt.Println(process(f))
}
