package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deferio/deferio/internal/testenv"
)

func deferlab(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func writeProg(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "prog.go")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const exitProg = `package main

import (
	"fmt"
	"os"
)

func main() {
	defer fmt.Println("never")
	fmt.Println("hello")
	os.Exit(3)
}
`

const panicProg = `package main

import "fmt"

func main() {
	defer func() {
		r := recover()
		panic(fmt.Sprint("again: ", r))
	}()
	for i := range 2 {
		defer fmt.Println("loop", i)
	}
	panic("first")
}
`

func TestUsageErrors(t *testing.T) {
	good := writeProg(t, exitProg)
	cases := []struct {
		args []string
		want string
	}{
		{nil, "deferlab: usage: no verb given"},
		{[]string{"dance"}, `deferlab: usage: unknown verb "dance"`},
		{[]string{"run"}, "deferlab: usage: deferlab run needs a FILE.go"},
		{[]string{"run", good, good}, "takes one FILE.go"},
		{[]string{"run", "-q", "-json", good}, "cannot be combined"},
		{[]string{"run", "-steps", "0", good}, "-steps must be positive"},
		{[]string{"run", "-go", "1.9", good}, "deferlab: usage: -go: unable to model Go"},
		{[]string{"run", "-bogus", good}, "deferlab: usage: run: flag provided but not defined"},
		{[]string{"run", filepath.Join(t.TempDir(), "missing.go")}, "deferlab: unable to read the program"},
		{[]string{"run", writeProg(t, "package main\nfunc main() {")}, "deferlab: unable to parse the program"},
		{[]string{"run", writeProg(t, "package main\nfunc id[T any](x T) T { return x }\nfunc main() { id(1) }\n")}, "type parameters are outside the subset"},
		{[]string{"run", writeProg(t, "package main\nfunc main() { for {} }\n")}, "deferlab: unable to run"},
		{[]string{"lesson", "no-such-lesson"}, `deferlab: usage: no lesson "no-such-lesson"`},
		{[]string{"list", "extra"}, "list takes no arguments"},
	}
	for _, c := range cases {
		code, stdout, stderr := deferlab(t, c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || !strings.HasPrefix(stderr, "deferlab: ") {
			t.Errorf("deferlab %q: status %d, stderr %q, stdout %q; want status 2 and %q", c.args, code, stderr, stdout, c.want)
		}
	}
}

func TestHelp(t *testing.T) {
	code, stdout, _ := deferlab(t, "-h")
	if code != 0 || !strings.Contains(stdout, "compare FILE.go") {
		t.Errorf("-h: status %d, %q", code, stdout)
	}
}

func TestRunQuietIsTheProgram(t *testing.T) {
	code, stdout, stderr := deferlab(t, "run", "-q", writeProg(t, exitProg))
	if code != 3 || stdout != "hello\n" || stderr != "" {
		t.Errorf("os.Exit program: status %d, stdout %q, stderr %q; want 3, hello, nothing", code, stdout, stderr)
	}
	code, stdout, stderr = deferlab(t, "run", "-q", writeProg(t, panicProg))
	if code != 2 || stdout != "loop 1\nloop 0\n" {
		t.Errorf("panic program: status %d, stdout %q", code, stdout)
	}
	if !strings.HasPrefix(stderr, "panic: first [recovered]\n\tpanic: again: first\n") {
		t.Errorf("panic program stderr %q", stderr)
	}
}

func TestRunDiagramJSONAndSVG(t *testing.T) {
	prog := writeProg(t, panicProg)
	code, stdout, _ := deferlab(t, "run", "-no-color", prog)
	for _, want := range []string{"heap-allocated", "deferproc", "_defer: [#3 heap main.main] -> [#2 heap main.main] -> [#1 stack main.main] -> nil", "gopanic", "exit status 2"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("diagram lacks %q:\n%s", want, stdout)
		}
	}
	if code != 2 {
		t.Errorf("status %d, want the program's 2", code)
	}
	svg := filepath.Join(t.TempDir(), "chain.svg")
	code, stdout, _ = deferlab(t, "run", "-json", "-svg", svg, prog)
	var got jsonRun
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("bad JSON (%v):\n%s", err, stdout)
	}
	if code != 2 || got.Status != 2 || len(got.Events) == 0 || len(got.Defers) != 2 || got.Defers[1].Strategy != "heap-allocated" {
		t.Errorf("JSON: status %d, %+v", code, got.Defers)
	}
	b, err := os.ReadFile(svg)
	if err != nil || !bytes.HasPrefix(b, []byte("<svg")) {
		t.Errorf("SVG: %v %q", err, b)
	}
}

func TestCompare(t *testing.T) {
	testenv.NeedGo(t)
	code, stdout, stderr := deferlab(t, "compare", writeProg(t, panicProg))
	if code != 0 || !strings.Contains(stdout, "verdict: MATCH") {
		t.Errorf("compare: status %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "heap-allocated") || !strings.Contains(stdout, "panic: first [recovered]") || !strings.Contains(stdout, `panic: first [recovered]\n\tpanic: again: first`) {
		t.Errorf("compare table lacks the strategies or the panic line:\n%s", stdout)
	}
}

func TestList(t *testing.T) {
	code, stdout, _ := deferlab(t, "list")
	if code != 0 || !strings.Contains(stdout, "defer-bits") || !strings.Contains(stdout, "defer-basics") {
		t.Errorf("list: %d %q", code, stdout)
	}
}

func TestStrategiesVerb(t *testing.T) {
	for _, args := range [][]string{{"strategies"}, {"strategies", "-bogus", "./..."}} {
		code, _, stderr := deferlab(t, args...)
		if code != 2 || !strings.HasPrefix(stderr, "deferlab: usage: strategies: ") {
			t.Errorf("deferlab %q: status %d, stderr %q; want status 2 and a message", args, code, stderr)
		}
	}

	// The verb builds with go build -a, which recompiles every package
	// the module imports: println instead of fmt keeps that to the
	// runtime and halves the test's time.
	dir := t.TempDir()
	for name, text := range map[string]string{
		"go.mod": "module example.com/lab\n\ngo 1.26\n",
		"main.go": `package main

func main() {
	defer println("stack: the loop's defer turns open coding off")
	for i := range 2 {
		defer println("heap", i)
	}
}
`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := deferlab(t, "strategies", "-C", dir, "./...")
	if code != 0 || !strings.Contains(stdout, "agreement: 2/2 defers") {
		t.Errorf("strategies on a small module: status %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
