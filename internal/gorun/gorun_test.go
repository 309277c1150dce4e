package gorun_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deferio/deferio/internal/gorun"
)

func TestRunReportsOutputExitAndPanic(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, src  string
		stdout     string
		exit       int
		panicLine  string
		stderrPart string
	}{
		{"ok", `package main
import "fmt"
func main() { fmt.Println("hello") }`, "hello\n", 0, "", ""},
		{"exit", `package main
import ("fmt"; "os")
func main() { defer fmt.Println("never"); fmt.Println("bye"); os.Exit(3) }`, "bye\n", 3, "", ""},
		{"panic", `package main
import "fmt"
func main() { defer fmt.Println("deferred runs"); panic("boom") }`, "deferred runs\n", 2, "panic: boom", "goroutine 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := gorun.Run(ctx, []byte(c.src))
			require.NoError(t, err)
			assert.Equal(t, c.stdout, res.Stdout)
			assert.Equal(t, c.exit, res.ExitCode)
			assert.Equal(t, c.panicLine, res.PanicLine())
			assert.Contains(t, res.Stderr, c.stderrPart)
		})
	}
}

func TestRunVersionChangesLoopSemantics(t *testing.T) {
	src := []byte(`package main
import "fmt"
func main() {
	var fs []func()
	for i := 0; i < 2; i++ { fs = append(fs, func() { fmt.Print(i) }) }
	for _, f := range fs { f() }
}`)
	for version, want := range map[string]string{"1.26": "01", "1.21": "22"} {
		res, err := gorun.RunVersion(context.Background(), src, version)
		require.NoError(t, err)
		assert.Equal(t, want, res.Stdout, "go %s", version)
	}
}

func TestCompileErrorIsAnError(t *testing.T) {
	_, err := gorun.Run(context.Background(), []byte("package main\nfunc main() { undefined() }\n"))
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "undefined"), "the compiler's message is kept: %v", err)
}
