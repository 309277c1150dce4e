package difftest

import (
	"bytes"
	"context"
	"fmt"
	"testing"
)

func TestGenerateIsDeterministic(t *testing.T) {
	a := Generate(42, GenConfig{})
	b := Generate(42, GenConfig{})
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave two programs")
	}
	if bytes.Equal(a, Generate(43, GenConfig{})) {
		t.Fatal("two seeds gave the same program")
	}
}

// Every generated program compiles, terminates and really exercises
// defer: the batch build would fail on the first that does not compile.
func TestGeneratedProgramsCompileAndRun(t *testing.T) {
	var progs []Program
	for seed := range uint64(40) {
		progs = append(progs, Program{Name: fmt.Sprintf("seed-%d", seed), Src: Generate(seed, GenConfig{})})
	}
	outs, err := RunReal(context.Background(), progs, 2)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	exits := map[int]int{}
	for _, o := range outs {
		for _, s := range o.Strategies {
			kinds[s]++
		}
		exits[o.Exit]++
	}
	t.Logf("strategies %v, exit statuses %v", kinds, exits)
	for _, k := range []string{"open-coded", "stack-allocated", "heap-allocated"} {
		if kinds[k] == 0 {
			t.Errorf("no %s defer in 40 programs", k)
		}
	}
	if exits[0] == 0 || exits[2] == 0 {
		t.Errorf("want programs that exit normally and programs that crash, got %v", exits)
	}
}
