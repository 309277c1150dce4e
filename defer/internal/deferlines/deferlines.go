// Package deferlines reads the compiler's report of its defer strategies:
// with -gcflags=-d=defer, cmd/compile prints one line per defer statement
// it compiles (cmd/compile/internal/ssagen/ssa.go, case ir.ODEFER):
//
//	FILE:LINE:COL: open-coded defer
//	FILE:LINE:COL: stack-allocated defer
//	FILE:LINE:COL: heap-allocated defer
//
// go build relays them on standard error under "# pkg" headers, and
// replays them from the build cache when the package is not recompiled.
package deferlines

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A Line is one defer statement as the compiler reported it.
type Line struct {
	File      string // as printed, without a leading "./"
	Line, Col int
	Kind      string // "open-coded", "stack-allocated" or "heap-allocated"
}

// Pos returns "LINE:COL".
func (l Line) Pos() string { return strconv.Itoa(l.Line) + ":" + strconv.Itoa(l.Col) }

var pattern = regexp.MustCompile(`^(.+\.go):(\d+):(\d+): (open-coded|stack-allocated|heap-allocated) defer$`)

// ParseLine parses one line of compiler output. ok is false for any other
// line: a "# pkg" header, a compile error, a blank line. A line shaped
// like a defer report whose position is not a number is an error.
func ParseLine(s string) (l Line, ok bool, err error) {
	m := pattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Line{}, false, nil
	}
	line, err1 := strconv.Atoi(m[2])
	col, err2 := strconv.Atoi(m[3])
	if err1 != nil || err2 != nil {
		return Line{}, false, fmt.Errorf("unable to read the position in %q", strings.TrimSpace(s))
	}
	return Line{File: strings.TrimPrefix(m[1], "./"), Line: line, Col: col, Kind: m[4]}, true, nil
}

// Parse returns every defer line of a build's output, in order, or the
// first malformed one as an error.
func Parse(out string) ([]Line, error) {
	var ls []Line
	for _, s := range strings.Split(out, "\n") {
		l, ok, err := ParseLine(s)
		if err != nil {
			return nil, err
		}
		if ok {
			ls = append(ls, l)
		}
	}
	return ls, nil
}
