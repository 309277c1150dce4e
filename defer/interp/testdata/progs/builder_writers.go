package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// counter is the program's own io.Writer.
type counter struct{ bytes, writes int }

func (c *counter) Write(p []byte) (int, error) {
	c.bytes += len(p)
	c.writes++
	return len(p), nil
}

func render(w io.Writer, items []string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("render: %v", r)
		}
	}()
	for i, it := range items {
		fmt.Fprintf(w, "%d=%s;", i, it)
	}
	fmt.Fprintln(w)
	return nil
}

func main() {
	var b strings.Builder
	defer fmt.Println("deferred sees", b.Len(), "bytes")
	render(&b, []string{"a", "bb"})
	b.WriteByte('!')
	b.WriteRune('é')
	fmt.Print(b.String(), " ", b.Len(), "\n")
	c := &counter{}
	render(c, []string{"x", "y", "z"})
	fmt.Println(c.bytes, c.writes)
	fmt.Fprintln(os.Stdout, "to stdout", 1)
	n, err := fmt.Fprint(os.Stderr, "to stderr\n")
	fmt.Println(n, err)
	os.Stdout.WriteString("direct\n")
	copied := b
	defer func() { fmt.Println("recovered:", recover()) }()
	copied.WriteString("boom")
}
