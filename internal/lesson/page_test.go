package lesson_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/deferio/deferio/internal/lesson"
)

func ExamplePage_Code() {
	p := lesson.NewPage(stdout{}, false)
	p.Code("main.go", "package main\n\nfunc main() {\n\tprintln(\"hi\")\n}\n")
	p.Output("go run main.go", "hi\n")
	// Output:
	// ┌─ main.go
	// │ 1 package main
	// │ 2
	// │ 3 func main() {
	// │ 4     println("hi")
	// │ 5 }
	// └─
	//
	// $ go run main.go
	//   hi
}

type stdout struct{}

func (stdout) Write(b []byte) (int, error) { fmt.Print(string(b)); return len(b), nil }

func TestMarkdownFencesAndHeadings(t *testing.T) {
	var buf bytes.Buffer
	p := lesson.NewPage(&buf, false)
	p.Markdown("### Sub\n\n```go\nx := 1\n```\nplain **bold** text\nodd ** marker\n")
	assert.Equal(t, "── Sub\n\n    x := 1\nplain bold text\nodd ** marker\n\n", buf.String())
}
