// Package report turns raw `go test -bench` output into a report: a table
// of medians with their confidence intervals, ratios to a baseline and
// allocations, written as Markdown or plain text, and a chart (SVG, PNG).
//
// It reads the benchmark format with golang.org/x/perf/benchfmt and
// summarizes with golang.org/x/perf/benchmath, as benchstat does: the
// median and a distribution-free 95% confidence interval, so a run with
// -count 10 gives the same centre benchstat prints.
package report

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// A Sample holds every measurement of one benchmark, by unit.
type Sample struct {
	// Name is the full benchmark name without the GOMAXPROCS suffix,
	// such as "Defer/kernel=open-coded/strategy=open-coded".
	Name string
	// Keys are the key=value parts of the name, in order.
	Keys []KeyValue
	// Values maps a unit ("ns/op", "allocs/op", "B/op", "ns/defer")
	// to one value per run.
	Values map[string][]float64
}

// A KeyValue is one key=value part of a sub-benchmark name.
type KeyValue struct{ Key, Value string }

// Key returns the value of key in the sample's name, or "".
func (s *Sample) Key(key string) string {
	for _, kv := range s.Keys {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

// Parse reads go test -bench output from r (name is used in errors) and
// returns one Sample per benchmark, in order of first appearance, and the
// file's configuration lines (goos, goarch, pkg, cpu ...). Lines that are
// not benchmark results (PASS, ok, logs) are skipped, as benchstat skips
// them; a malformed benchmark line is an error that names its line. A file
// with no benchmark result at all is an error.
func Parse(r io.Reader, name string) ([]*Sample, map[string]string, error) {
	br := benchfmt.NewReader(r, name)
	var samples []*Sample
	byName := map[string]*Sample{}
	config := map[string]string{}
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, nil, fmt.Errorf("unable to parse benchmark results: %w", rec)
		case *benchfmt.Result:
			for _, c := range rec.Config {
				if c.File {
					config[c.Key] = string(c.Value)
				}
			}
			full := benchName(rec.Name)
			s, ok := byName[full]
			if !ok {
				s = &Sample{Name: full, Keys: nameKeys(rec.Name), Values: map[string][]float64{}}
				byName[full] = s
				samples = append(samples, s)
			}
			for _, v := range rec.Values {
				// benchfmt tidies "ns/op" into "sec/op"; keep the
				// units go test printed.
				unit, val := v.Unit, v.Value
				if v.OrigUnit != "" {
					unit, val = v.OrigUnit, v.OrigValue
				}
				s.Values[unit] = append(s.Values[unit], val)
			}
		}
	}
	if err := br.Err(); err != nil {
		return nil, nil, fmt.Errorf("unable to read %s: %w", name, err)
	}
	if len(samples) == 0 {
		return nil, nil, errors.New("no benchmark results in " + name)
	}
	return samples, config, nil
}

// benchName is the full name without a trailing -GOMAXPROCS.
func benchName(n benchfmt.Name) string {
	base, parts := n.Parts()
	var b strings.Builder
	b.Write(base)
	for _, p := range parts {
		if len(p) > 0 && p[0] == '-' {
			continue
		}
		b.Write(p)
	}
	return b.String()
}

func nameKeys(n benchfmt.Name) []KeyValue {
	_, parts := n.Parts()
	var kvs []KeyValue
	for _, p := range parts {
		if len(p) == 0 || p[0] != '/' {
			continue
		}
		k, v, ok := strings.Cut(string(p[1:]), "=")
		if !ok {
			continue
		}
		kvs = append(kvs, KeyValue{k, v})
	}
	return kvs
}
