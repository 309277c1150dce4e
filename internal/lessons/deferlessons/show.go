package deferlessons

import (
	"context"
	"embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/deferio/deferio/defer/chain"
	"github.com/deferio/deferio/defer/interp"
	"github.com/deferio/deferio/defer/interp/toolchain"
	"github.com/deferio/deferio/internal/lesson"
)

//go:embed testdata/programs/*.go
var programs embed.FS

// program returns the source of testdata/programs/name.
func program(name string) ([]byte, error) {
	src, err := programs.ReadFile("testdata/programs/" + name)
	if err != nil {
		return nil, fmt.Errorf("unable to read lesson program %s: %w", name, err)
	}
	return src, nil
}

// A shown program: what the toolchain and the model did with it.
type shown struct {
	prog  *interp.Program
	model *interp.Result
}

var pcHex = regexp.MustCompile(`pc=0x[0-9a-f]+`)

// crashHead keeps the crash report up to the stack trace, which holds
// addresses and paths that change from run to run.
func crashHead(stderr string) string {
	before, _, _ := strings.Cut(stderr, "\ngoroutine ")
	return pcHex.ReplaceAllString(before, "pc=...")
}

// show prints a program, compiles and runs it with the real toolchain
// (with -gcflags=-d=defer), runs it on the model, and prints both.
// With trace, the model's diagram follows.
func show(ctx context.Context, p *lesson.Page, name string, trace bool) (*shown, error) {
	src, err := program(name)
	if err != nil {
		return nil, err
	}
	p.Code(name, string(src))
	build, bin, err := toolchain.BuildOne(ctx, src)
	if err != nil {
		return nil, err
	}
	defer build.Close()
	real, err := bin.Run(ctx)
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, pos := range bin.Strategies.Positions() {
		lines = append(lines, fmt.Sprintf("./%s:%d:%d: %s defer", name, pos.Line, pos.Col, bin.Strategies[pos]))
	}
	p.Output("go build -gcflags=-d=defer", strings.Join(lines, "\n"))
	p.Output(fmt.Sprintf("./prog   (exit status %d)", real.ExitCode), real.Stdout+crashHead(real.Stderr))
	prog, err := interp.Load(name, src, nil)
	if err != nil {
		return nil, err
	}
	res, err := prog.Run(interp.Options{Trace: true})
	if err != nil {
		return nil, err
	}
	p.Output(fmt.Sprintf("deferlab run -q %s   (model, exit status %d)", name, res.Status), res.Stdout+crashHead(res.Stderr))
	if res.Stdout != real.Stdout || res.Status != real.ExitCode || crashHead(res.Stderr) != crashHead(real.Stderr) {
		p.Note("the model and the toolchain disagree on this program: please report it")
	}
	if trace {
		p.Heading("what the runtime did (deferlab run " + name + ")")
		if err := chain.WriteDiagram(p.Writer(), res.Events, chain.DiagramOptions{Color: p.Color()}); err != nil {
			return nil, err
		}
		fmt.Fprintln(p.Writer())
	}
	return &shown{prog: prog, model: res}, nil
}
