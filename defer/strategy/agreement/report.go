package agreement

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/deferio/deferio/defer/strategy"
)

const noLine = "no line"

func compare(sum *Summary, sites map[Site]strategy.Kind, conflicts map[Site][]strategy.Kind, pred *Predicted) {
	files := map[string]bool{}
	for _, f := range pred.Files {
		files[f] = true
	}
	predicted := map[Site]bool{}
	for _, p := range pred.Defers {
		files[p.Site.File] = true
		predicted[p.Site] = true
		got, printed := sites[p.Site]
		want := p.Decision.Kind
		m := Mismatch{Site: p.Site, Predicted: want.String(), Func: p.Decision.Func}
		for _, r := range p.Decision.Reasons {
			m.Reasons = append(m.Reasons, r.Text)
		}
		switch {
		case !printed && want == strategy.DeadCode:
			sum.Defers++
			sum.Agree++
			sum.Matrix[strategy.DeadCode][strategy.DeadCode]++
		case !printed && p.Generic:
			m.Compiler = noLine
			sum.NotCompiled = append(sum.NotCompiled, m)
		case !printed:
			sum.Defers++
			sum.Matrix[strategy.DeadCode][want]++
			m.Compiler = noLine
			sum.Mismatches = append(sum.Mismatches, m)
		default:
			sum.Defers++
			sum.Matrix[got][want]++
			m.Compiler = got.String()
			if _, bad := conflicts[p.Site]; bad {
				sum.Conflicts = append(sum.Conflicts, p.Site)
				m.Compiler += " (and " + conflicts[p.Site][0].String() + " in another instantiation)"
				sum.Mismatches = append(sum.Mismatches, m)
				continue
			}
			if got == want {
				sum.Agree++
			} else {
				sum.Mismatches = append(sum.Mismatches, m)
			}
		}
	}
	// Compiler lines in the files we analysed that match no defer
	// statement: the positions did not line up.
	for s, k := range sites {
		if !files[s.File] {
			sum.Outside = append(sum.Outside, s)
			continue
		}
		if !predicted[s] {
			sum.Defers++
			sum.Matrix[k][strategy.DeadCode]++
			sum.Mismatches = append(sum.Mismatches, Mismatch{Site: s, Compiler: k.String(), Predicted: "no defer statement here"})
		}
	}
	bySite := func(a, b Mismatch) int { return a.Site.Compare(b.Site) }
	slices.SortFunc(sum.Mismatches, bySite)
	slices.SortFunc(sum.NotCompiled, bySite)
	slices.SortFunc(sum.Outside, Site.Compare)
}

// Write prints the report: the confusion matrix (rows: the compiler,
// columns: the prediction), every mismatch, the generic defers that were
// never compiled, and the last line "agreement: M/N defers".
func (s *Summary) Write(w io.Writer) error {
	var b strings.Builder
	names := []string{"open-coded", "stack-allocated", "heap-allocated", "dead/none"}
	fmt.Fprintf(&b, "%-22s", "compiler \\ predicted")
	for _, n := range names {
		fmt.Fprintf(&b, " %15s", n)
	}
	b.WriteString("\n")
	for i, n := range names {
		fmt.Fprintf(&b, "%-22s", n)
		for j := range names {
			fmt.Fprintf(&b, " %15d", s.Matrix[i][j])
		}
		b.WriteString("\n")
	}
	if len(s.Mismatches) > 0 {
		fmt.Fprintf(&b, "\nmismatches (%d):\n", len(s.Mismatches))
		for _, m := range s.Mismatches {
			fmt.Fprintf(&b, "%s: compiler: %s, predicted: %s", m.Site, m.Compiler, m.Predicted)
			if m.Func != "" {
				fmt.Fprintf(&b, " (in %s)", m.Func)
			}
			if len(m.Reasons) > 0 {
				fmt.Fprintf(&b, " because %s", strings.Join(m.Reasons, "; "))
			}
			b.WriteString("\n")
		}
	}
	if len(s.NotCompiled) > 0 {
		fmt.Fprintf(&b, "\nnot compiled (generic, never instantiated here; not counted): %d\n", len(s.NotCompiled))
		for _, m := range s.NotCompiled {
			fmt.Fprintf(&b, "  %s: predicted %s (in %s)\n", m.Site, m.Predicted, m.Func)
		}
	}
	if len(s.Outside) > 0 {
		fmt.Fprintf(&b, "\ncompiler lines in other packages' files (generic code instantiated here; not counted): %d\n", len(s.Outside))
		for i, site := range s.Outside {
			if i == 10 {
				fmt.Fprintf(&b, "  ...\n")
				break
			}
			fmt.Fprintf(&b, "  %s\n", site)
		}
	}
	fmt.Fprintf(&b, "agreement: %d/%d defers\n", s.Agree, s.Defers)
	_, err := io.WriteString(w, b.String())
	return err
}
