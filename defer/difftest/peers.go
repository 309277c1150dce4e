package difftest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/deferio/deferio/defer/interp"
)

// PeerFiles are Go's own semantic tests of defer, panic and recover, as
// paths under $GOROOT/test.
var PeerFiles = []string{
	"defer.go", "defernil.go", "deferprint.go", "deferfin.go",
	"recover.go", "recover1.go", "recover2.go", "recover3.go", "recover4.go", "recover5.go",
	"range4.go",
	"fixedbugs/issue14725.go", "fixedbugs/issue16095.go", "fixedbugs/issue43942.go",
	"fixedbugs/issue48898.go", "fixedbugs/issue52072.go", "fixedbugs/issue73916.go",
}

// A Misfit is a peer file that the model cannot run as it is, and why.
type Misfit struct {
	File   string
	Reason string
}

// PeerPrograms reads Go's own tests from goroot/test and splits them into
// the programs the model can run as they are, and the misfits: files that
// are not `// run` tests (errorcheck files check compiler messages) or
// that use constructs outside the model's subset.
func PeerPrograms(goroot string) (fit []Program, misfits []Misfit, err error) {
	for _, name := range PeerFiles {
		path := filepath.Join(goroot, "test", name)
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, fmt.Errorf("unable to read Go's test %s: %w", name, err)
		}
		if kind := testKind(src); kind != "run" {
			misfits = append(misfits, Misfit{name, fmt.Sprintf("a %q test: it checks the compiler's messages and runs nothing", kind)})
			continue
		}
		if _, err := interp.Load(name, src, nil); err != nil {
			misfits = append(misfits, Misfit{name, firstLine(err.Error())})
			continue
		}
		fit = append(fit, Program{Name: "test/" + name, Src: src})
	}
	return fit, misfits, nil
}

// testKind returns the first word of the file's first line comment, as
// Go's test driver reads it: "run", "errorcheck", "compile" ...
func testKind(src []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(l, "//"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				return f[0]
			}
		}
		return ""
	}
	return ""
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
