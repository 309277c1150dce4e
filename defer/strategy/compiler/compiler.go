// Package compiler asks the Go compiler which strategy it gave each defer
// statement: it runs go build with -gcflags=-d=defer, which makes
// cmd/compile print one line per defer statement it compiles,
//
//	FILE:LINE:COL: open-coded defer
//	FILE:LINE:COL: stack-allocated defer
//	FILE:LINE:COL: heap-allocated defer
//
// and reads those lines into a [Report]: the [strategy.Kind] of every
// defer, keyed by its position. Package strategy predicts the same answer
// from the syntax; this package is the compiler's side of every
// comparison (defer/strategy/agreement, defer/cost, defer/interp/toolchain,
// defer/difftest).
//
// # The build cache
//
// The compiler prints only when it runs. go build keeps every compiled
// package in the build cache, under a key made of its sources, its import
// path, its flags (-d=defer included) and, without -trimpath, its
// directory. On a hit it does not run the compiler: it replays the output
// it saved with the package, and only as a best effort (when that saved
// output has been trimmed from the cache, or a main package's binary is
// taken as up to date, nothing is printed and no error is given). A
// report read from a cached build can therefore lack lines without
// saying so.
//
// So [Build] never reports on a cache hit. Before it builds, it lists the
// packages it reports on and gives one Go file of each a fresh random
// salt through go build -overlay: a copy of the file with a comment after
// its last line, so no line or column moves and the files on disk are
// not touched. Each such package has a key no earlier build has used and
// is compiled again, while its dependencies (the standard library) still
// come from the cache. [Options.All] (go build -a) recompiles every
// dependency as well, so the report covers them too; no salt is needed
// then.
package compiler

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/deferio/deferio/defer/internal/deferlines"
	"github.com/deferio/deferio/defer/strategy"
)

// A Pos is the position of a defer statement as the compiler prints it
// (after //line directives), with the file made absolute.
type Pos struct {
	File      string
	Line, Col int
}

// String returns "FILE:LINE:COL".
func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Compare orders positions by file, then line, then column.
func (p Pos) Compare(q Pos) int {
	return cmp.Or(cmp.Compare(p.File, q.File), cmp.Compare(p.Line, q.Line), cmp.Compare(p.Col, q.Col))
}

// A Report is what the compiler said about the defers it compiled: the
// strategy of each, by position. A position the compiler printed with two
// strategies (two instantiations of a generic function that differ) keeps
// the first; [Output.Conflicts] has the others.
type Report map[Pos]strategy.Kind

// Positions returns the report's positions in order (see [Pos.Compare]).
func (r Report) Positions() []Pos {
	ps := make([]Pos, 0, len(r))
	for p := range r {
		ps = append(ps, p)
	}
	slices.SortFunc(ps, Pos.Compare)
	return ps
}

// In returns the part of the report in file.
func (r Report) In(file string) Report {
	sub := Report{}
	for p, k := range r {
		if p.File == file {
			sub[p] = k
		}
	}
	return sub
}

// Output is a build's output read by [Parse].
type Output struct {
	Report Report
	// Conflicts lists, for each position printed with more than one
	// strategy, the strategies other than the one in Report.
	Conflicts map[Pos][]strategy.Kind
	// Other are the remaining non-blank lines that are not "# pkg"
	// headers: compile errors, mostly.
	Other []string
}

// Parse reads what go build -gcflags=-d=defer (or go tool compile
// -d=defer) printed: "# pkg" headers and defer lines, whose relative file
// names are relative to dir. A position printed more than once is kept
// once. Other lines are returned in Other. A line shaped like a defer
// line whose position is not a number is in Other too, and the first
// such line is also returned as the error; the output is complete either
// way.
func Parse(out []byte, dir string) (*Output, error) {
	o := &Output{Report: Report{}, Conflicts: map[Pos][]strategy.Kind{}}
	var first error
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		l, ok, err := deferlines.ParseLine(line)
		if err != nil && first == nil {
			first = err
		}
		if err != nil || !ok {
			if strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "# ") {
				o.Other = append(o.Other, line)
			}
			continue
		}
		file := l.File
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		k, _ := strategy.ParseKind(l.Kind) // deferlines accepts only the compiler's three words
		p := Pos{filepath.Clean(file), l.Line, l.Col}
		if old, ok := o.Report[p]; ok && old != k {
			o.Conflicts[p] = append(o.Conflicts[p], k)
			continue
		}
		o.Report[p] = k
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("unable to read the compiler's output: %w", err)
	}
	return o, first
}
