package difftest

import (
	"bytes"
	"context"
	"testing"
)

// A model with a planted bug: whenever a program defers catch, it loses
// its last line of output. Shrink must keep that ingredient and drop the
// rest.
func buggyModel(p Program) (Outcome, error) {
	o, err := ModelRun(p)
	if err != nil {
		return o, err
	}
	if bytes.Contains(p.Src, []byte("defer catch(")) {
		o.Stdout += "a line the real program never prints\n"
	}
	return o, nil
}

func TestShrinkKeepsTheDivergence(t *testing.T) {
	var p Program
	for seed := uint64(0); ; seed++ {
		src := Generate(seed, GenConfig{Funcs: 2, MaxStmts: 3, MaxDepth: 2})
		if bytes.Contains(src, []byte("defer catch(")) {
			p = Program{Name: "planted", Src: src}
			break
		}
	}
	small, err := Shrink(context.Background(), p, buggyModel)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("shrunk %d bytes to %d:\n%s", len(p.Src), len(small.Src), small.Src)
	if !bytes.Contains(small.Src, []byte("defer catch(")) {
		t.Error("the shrunk program lost what makes it diverge")
	}
	if len(small.Src)*2 > len(p.Src) {
		t.Errorf("shrunk only from %d to %d bytes", len(p.Src), len(small.Src))
	}
	if !typeChecks(small.Src) {
		t.Error("the shrunk program does not type-check")
	}
}
