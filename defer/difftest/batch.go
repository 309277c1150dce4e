package difftest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/deferio/deferio/defer/strategy/compiler"
	"github.com/deferio/deferio/internal/gorun"
)

// A Program is one Go source file, a package main.
type Program struct {
	Name string // shown in reports, such as "seed-42" or "test/defer.go"
	Src  []byte
}

// An Outcome is what a program did, as far as the comparison cares.
type Outcome struct {
	Stdout string
	// Panic is what the runtime printed on standard error before the
	// goroutine traces: "panic: ..." lines (with " [recovered]" and
	// friends where Go adds them) or "fatal error: ...". Empty when the
	// program did not crash.
	Panic string
	// Exit is the exit status: 0, os.Exit's argument, 2 for a crash.
	Exit int
	// Strategies maps "line:col" of each defer statement to the strategy
	// it got: "open-coded", "stack-allocated" or "heap-allocated".
	Strategies map[string]string
}

// PanicText returns the part of a Go program's standard error that the
// comparison uses: everything before the first goroutine trace. For a
// program that did not crash it is what the program itself wrote there.
func PanicText(stderr string) string {
	if i := strings.Index(stderr, "\ngoroutine "); i >= 0 {
		stderr = stderr[:i]
	} else if strings.HasPrefix(stderr, "goroutine ") {
		stderr = ""
	}
	// "[signal ..." and blank lines that follow a fatal error belong to
	// the trace too.
	return strings.TrimRight(stderr, "\n")
}

// renamed rewrites a package main so that it can be linked into a batch
// binary as package pkg with an exported Main. Only the package clause and
// the line of func main change, so every position of a defer stays where
// the original file has it.
func renamed(src []byte, pkg string) ([]byte, error) {
	s := string(src)
	pkgClause := regexp.MustCompile(`(?m)^package main\b`)
	if !pkgClause.MatchString(s) {
		return nil, errors.New("not a package main")
	}
	s = pkgClause.ReplaceAllString(s, "package "+pkg)
	mainDecl := regexp.MustCompile(`(?m)^func main\(\)`)
	if !mainDecl.MatchString(s) {
		return nil, errors.New("no func main()")
	}
	s = mainDecl.ReplaceAllString(s, "func Main()")
	return []byte(s), nil
}

// DefaultProgramTimeout bounds the run of one program of a batch when
// [RealOptions.Timeout] is zero.
const DefaultProgramTimeout = 20 * time.Second

// RealOptions say how [RunRealWith] builds and runs a batch.
type RealOptions struct {
	// Parallel is how many programs run at a time; less than 1 is 1.
	Parallel int
	// GCFlags are more compiler flags for the programs' packages, such
	// as "-l" to turn inlining off.
	GCFlags string
	// Timeout bounds the run of each program; 0 is
	// DefaultProgramTimeout.
	Timeout time.Duration
}

// RunReal compiles every program into one binary with the real toolchain
// (one go build, with -d=defer for the programs' packages) and runs each
// in its own process, parallel at a time. A program that does not compile
// fails the whole batch: the error names it.
func RunReal(ctx context.Context, progs []Program, parallel int) ([]Outcome, error) {
	return RunRealWith(ctx, progs, RealOptions{Parallel: parallel})
}

// RunRealFlags is RunReal with more compiler flags for the programs'
// packages, such as "-l" to turn inlining off.
func RunRealFlags(ctx context.Context, progs []Program, parallel int, gcflags string) ([]Outcome, error) {
	return RunRealWith(ctx, progs, RealOptions{Parallel: parallel, GCFlags: gcflags})
}

// RunRealWith is RunReal with the options spelled out.
func RunRealWith(ctx context.Context, progs []Program, opts RealOptions) ([]Outcome, error) {
	timeout := cmp.Or(opts.Timeout, DefaultProgramTimeout)
	gotool, err := gorun.GoTool()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "deferio-difftest-")
	if err != nil {
		return nil, fmt.Errorf("unable to create the batch directory: %w", err)
	}
	defer os.RemoveAll(dir)

	// A module path of its own for every batch: -d=defer applies to its
	// packages (mod/...), not to the standard library.
	nonce := make([]byte, 6)
	_, _ = rand.Read(nonce)
	mod := "difftest" + hex.EncodeToString(nonce)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module "+mod+"\n\ngo 1.26\n"), 0o644); err != nil {
		return nil, fmt.Errorf("unable to write go.mod: %w", err)
	}
	var mainSrc bytes.Buffer
	mainSrc.WriteString("package main\n\nimport (\n\t\"os\"\n\t\"strconv\"\n\n")
	for i, p := range progs {
		pkg := fmt.Sprintf("p%05d", i)
		src, err := renamed(p.Src, pkg)
		if err != nil {
			return nil, fmt.Errorf("program %s: %w", p.Name, err)
		}
		if err := os.MkdirAll(filepath.Join(dir, pkg), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, pkg, "main.go"), src, 0o644); err != nil {
			return nil, err
		}
		fmt.Fprintf(&mainSrc, "\t%q\n", mod+"/"+pkg)
	}
	mainSrc.WriteString(")\n\nvar programs = []func(){\n")
	for i := range progs {
		fmt.Fprintf(&mainSrc, "\tp%05d.Main,\n", i)
	}
	mainSrc.WriteString("}\n\nfunc main() {\n\ti, _ := strconv.Atoi(os.Args[1])\n\tprograms[i]()\n}\n")
	if err := os.WriteFile(filepath.Join(dir, "main.go"), mainSrc.Bytes(), 0o644); err != nil {
		return nil, err
	}

	bin := filepath.Join(dir, "batch")
	out, err := compiler.Build(ctx, compiler.Options{
		Dir:      dir,
		Env:      append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0", "GOFLAGS=-mod=mod"),
		Go:       gotool,
		Patterns: []string{"."},
		Scope:    mod + "/...",
		GCFlags:  strings.Fields(opts.GCFlags),
		Output:   bin,
	})
	var be *compiler.BuildError
	if errors.As(err, &be) {
		return nil, fmt.Errorf("go build of the batch failed: %w\n%s", be.Err, namePrograms(string(be.Output), progs))
	} else if err != nil {
		return nil, err
	}
	strategies := make([]map[string]string, len(progs))
	for i := range progs {
		strategies[i] = map[string]string{}
		for pos, k := range out.Report.In(filepath.Join(dir, fmt.Sprintf("p%05d", i), "main.go")) {
			strategies[i][fmt.Sprintf("%d:%d", pos.Line, pos.Col)] = k.String()
		}
	}

	outcomes := make([]Outcome, len(progs))
	errs := make([]error, len(progs))
	sem := make(chan struct{}, max(opts.Parallel, 1))
	var wg sync.WaitGroup
	for i := range progs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			res, err := gorun.ExecArgs(pctx, bin, strconv.Itoa(i))
			if err == nil && pctx.Err() != nil {
				err = fmt.Errorf("did not end within %v", timeout)
			}
			if err != nil {
				errs[i] = fmt.Errorf("program %s: %w", progs[i].Name, err)
				return
			}
			outcomes[i] = Outcome{Stdout: res.Stdout, Panic: PanicText(res.Stderr), Exit: res.ExitCode, Strategies: strategies[i]}
		}()
	}
	wg.Wait()
	return outcomes, errors.Join(errs...)
}

// namePrograms replaces the batch's package directories in compiler
// messages with the names of the programs they hold.
func namePrograms(out string, progs []Program) string {
	return regexp.MustCompile(`p(\d{5})/main\.go`).ReplaceAllStringFunc(out, func(s string) string {
		i, err := strconv.Atoi(s[1:6])
		if err != nil || i >= len(progs) {
			return s
		}
		return progs[i].Name
	})
}

// Diff lists how two outcomes differ: stdout, panic text, exit status and
// each defer's strategy. Nil means they agree.
func Diff(real, model Outcome) []string {
	var d []string
	if real.Stdout != model.Stdout {
		d = append(d, fmt.Sprintf("stdout differs:\n--- real\n%s--- model\n%s", real.Stdout, model.Stdout))
	}
	if real.Panic != model.Panic {
		d = append(d, fmt.Sprintf("panic differs:\n--- real\n%s\n--- model\n%s", real.Panic, model.Panic))
	}
	if real.Exit != model.Exit {
		d = append(d, fmt.Sprintf("exit status differs: real %d, model %d", real.Exit, model.Exit))
	}
	if model.Strategies != nil {
		var keys []string
		for k := range real.Strategies {
			keys = append(keys, k)
		}
		for k := range model.Strategies {
			if _, ok := real.Strategies[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Slice(keys, func(i, j int) bool { return posLess(keys[i], keys[j]) })
		for _, k := range keys {
			if r, m := real.Strategies[k], model.Strategies[k]; r != m {
				d = append(d, fmt.Sprintf("defer at %s: compiler says %q, model says %q", k, orNone(r), orNone(m)))
			}
		}
	}
	return d
}

func orNone(s string) string {
	if s == "" {
		return "(no defer)"
	}
	return s
}

func posLess(a, b string) bool {
	al, ac, _ := strings.Cut(a, ":")
	bl, bc, _ := strings.Cut(b, ":")
	ai, _ := strconv.Atoi(al)
	bi, _ := strconv.Atoi(bl)
	if ai != bi {
		return ai < bi
	}
	aj, _ := strconv.Atoi(ac)
	bj, _ := strconv.Atoi(bc)
	return aj < bj
}
