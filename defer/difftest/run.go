package difftest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/deferio/deferio/defer/interp"
)

// A Model runs a program the way the defer model does.
type Model func(p Program) (Outcome, error)

// ModelRun runs p on the defer model (package defer/interp) with the
// strategies of package defer/strategy, and returns what it did. An error
// means the model could not load or finish the program.
func ModelRun(p Program) (Outcome, error) {
	prog, err := interp.Load(p.Name, p.Src, nil)
	if err != nil {
		return Outcome{}, err
	}
	res, err := prog.Run(interp.Options{})
	if err != nil {
		return Outcome{}, err
	}
	strategies := map[string]string{}
	for _, d := range prog.Defers {
		strategies[fmt.Sprintf("%d:%d", d.Pos.Line, d.Pos.Column)] = d.Kind.String()
	}
	return Outcome{Stdout: res.Stdout, Panic: PanicText(res.Stderr), Exit: res.Status, Strategies: strategies}, nil
}

// A Divergence is a program on which the model and the toolchain disagree.
type Divergence struct {
	Program Program
	Diffs   []string // as Diff returns them, or the model's error
	Shrunk  *Program // a smaller program that still diverges, if shrinking found one
}

func (d Divergence) String() string {
	return fmt.Sprintf("%s:\n  %s", d.Program.Name, strings.Join(d.Diffs, "\n  "))
}

// Config says what [Run] compares.
type Config struct {
	N        int    // programs to generate
	Seed     uint64 // seed of the first; program i has seed Seed+i
	Batch    int    // programs per go build (default 250)
	Parallel int    // programs run at once (default 2)
	Gen      GenConfig
	Model    Model // default ModelRun
	// Shrink makes Run shrink each divergence (a few more builds each).
	Shrink bool
	// Log, if set, receives a line per batch.
	Log io.Writer
}

// Report is the result of a differential run.
type Report struct {
	Programs    int
	Divergences []Divergence
	Defers      int            // defer statements compared
	Strategies  map[string]int // the compiler's strategies, counted
	Exits       map[int]int    // the real exit statuses, counted
}

// Summary is the last line of a run: "divergences: D of N programs".
func (r Report) Summary() string {
	return fmt.Sprintf("divergences: %d of %d programs", len(r.Divergences), r.Programs)
}

// Run generates cfg.N programs, runs them with the real toolchain in
// batches and on the model, and reports every divergence.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Batch <= 0 {
		cfg.Batch = 250
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 2
	}
	if cfg.Model == nil {
		cfg.Model = ModelRun
	}
	rep := Report{Strategies: map[string]int{}, Exits: map[int]int{}}
	for start := 0; start < cfg.N; start += cfg.Batch {
		var progs []Program
		for i := start; i < min(start+cfg.Batch, cfg.N); i++ {
			seed := cfg.Seed + uint64(i)
			progs = append(progs, Program{Name: fmt.Sprintf("seed-%d", seed), Src: Generate(seed, cfg.Gen)})
		}
		divs, err := compareBatch(ctx, progs, cfg, &rep)
		if err != nil {
			return rep, err
		}
		rep.Divergences = append(rep.Divergences, divs...)
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "programs %d-%d: %d divergences\n", start, start+len(progs)-1, len(divs))
		}
	}
	return rep, nil
}

// Compare runs the given programs with the real toolchain and the model
// and returns the divergences. It is Run for programs that already exist,
// such as the shrunk divergences kept in testdata.
func Compare(ctx context.Context, progs []Program, cfg Config) (Report, error) {
	if cfg.Parallel <= 0 {
		cfg.Parallel = 2
	}
	if cfg.Model == nil {
		cfg.Model = ModelRun
	}
	rep := Report{Strategies: map[string]int{}, Exits: map[int]int{}}
	divs, err := compareBatch(ctx, progs, cfg, &rep)
	rep.Divergences = divs
	return rep, err
}

func compareBatch(ctx context.Context, progs []Program, cfg Config, rep *Report) ([]Divergence, error) {
	reals, err := RunReal(ctx, progs, cfg.Parallel)
	if err != nil {
		return nil, err
	}
	var divs []Divergence
	for i, p := range progs {
		rep.Programs++
		rep.Exits[reals[i].Exit]++
		for _, s := range reals[i].Strategies {
			rep.Strategies[s]++
			rep.Defers++
		}
		diffs := diffModel(p, reals[i], cfg.Model)
		if diffs == nil {
			continue
		}
		d := Divergence{Program: p, Diffs: diffs}
		if cfg.Shrink {
			if small, err := Shrink(ctx, p, cfg.Model); err == nil && len(small.Src) < len(p.Src) {
				d.Shrunk = &small
			}
		}
		divs = append(divs, d)
	}
	explainInlining(ctx, divs, cfg)
	return divs, nil
}

// explainInlining rebuilds the programs whose only disagreement is a
// strategy with inlining off (-gcflags=-l), and notes those on which the
// model then agrees: the compiler decides strategies after inlining, and
// an inlined callee's backward goto makes a loop of the caller.
func explainInlining(ctx context.Context, divs []Divergence, cfg Config) {
	var idx []int
	var progs []Program
	for i, d := range divs {
		if strategyOnly(d.Diffs) {
			idx = append(idx, i)
			progs = append(progs, d.Program)
		}
	}
	if len(progs) == 0 {
		return
	}
	reals, err := RunRealFlags(ctx, progs, cfg.Parallel, "-l")
	if err != nil {
		return
	}
	for j, i := range idx {
		if diffModel(progs[j], reals[j], cfg.Model) == nil {
			divs[i].Diffs = append(divs[i].Diffs, "the model agrees with -gcflags=-l: the difference comes from inlining")
		}
	}
}

func strategyOnly(diffs []string) bool {
	for _, d := range diffs {
		if !strings.HasPrefix(d, "defer at ") {
			return false
		}
	}
	return len(diffs) > 0
}

func diffModel(p Program, real Outcome, model Model) []string {
	m, err := model(p)
	if err != nil {
		return []string{"the model failed: " + err.Error()}
	}
	return Diff(real, m)
}

// Save writes the program (the shrunk one when there is one) of each
// divergence into dir as NAME.go, for the regression tests.
func Save(dir string, divs []Divergence) error {
	var errs []error
	for _, d := range divs {
		p := d.Program
		if d.Shrunk != nil {
			p = *d.Shrunk
		}
		name := filepath.Join(dir, strings.ReplaceAll(p.Name, "/", "_")+".go")
		if err := os.WriteFile(name, p.Src, 0o644); err != nil {
			errs = append(errs, fmt.Errorf("unable to save divergence %s: %w", p.Name, err))
		}
	}
	return errors.Join(errs...)
}
