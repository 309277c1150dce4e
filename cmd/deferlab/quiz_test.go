package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/interp"
	"github.com/deferio/deferio/defer/interp/toolchain"
	"github.com/deferio/deferio/internal/testenv"
)

// The answers, written by hand.
var quizAnswers = map[string]string{
	"01_named.go":   "12\n",
	"02_args.go":    "2: end\n1: start\n",
	"03_loop.go":    "loop done: 2 1 0 ",
	"04_recover.go": "helper: <nil>\ndirect: boom\n",
	"05_repanic.go": "caught oops\ndeferred 1\n",
	"06_exit.go":    "working\n",
	"07_goexit.go":  "recover: <nil>\ndeferred\n",
	"08_resume.go":  "start A B C\n",
}

func quiz(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"quiz", "-no-color"}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestQuiz(t *testing.T) {
	qs, err := questions()
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != len(quizAnswers) {
		t.Fatalf("%d questions, %d answers", len(qs), len(quizAnswers))
	}
	// Empty answers: every question is shown and scored wrong.
	code, out, stderr := quiz(t, "", "-n", "8", "-seed", "7")
	if code != 0 || !strings.Contains(out, "Score: 0 of 8.") {
		t.Fatalf("status %d, stderr %q, output:\n%s", code, stderr, out)
	}
	order := regexp.MustCompile(`┌─ (\S+)`).FindAllStringSubmatch(out, -1)
	if len(order) != 8 {
		t.Fatalf("%d programs shown, want 8", len(order))
	}
	var answers strings.Builder
	for _, m := range order {
		answers.WriteString(strings.TrimRight(quizAnswers[m[1]], "\n") + "\n\n")
	}
	code, out, _ = quiz(t, answers.String(), "-n", "8", "-seed", "7")
	if code != 0 || !strings.Contains(out, "Score: 8 of 8.") {
		t.Errorf("with the right answers: status %d\n%s", code, out)
	}
	if !strings.Contains(out, "panic: oops [recovered, repanicked]") || !strings.Contains(out, "exit status 1") {
		t.Errorf("the reveal lacks the crash report or the exit status:\n%s", out)
	}
	if code, _, stderr := quiz(t, "", "-n", "99"); code != 2 || !strings.Contains(stderr, "deferlab: usage: -n must be between 1 and 8") {
		t.Errorf("-n 99: status %d, %q", code, stderr)
	}
}

// TestQuizProgramsMatchToolchain keeps the quiz honest: each program's
// output on the model is the compiled program's.
func TestQuizProgramsMatchToolchain(t *testing.T) {
	testenv.NeedGo(t)
	qs, err := questions()
	if err != nil {
		t.Fatal(err)
	}
	progs := map[string][]byte{}
	for _, q := range qs {
		progs[strings.TrimSuffix(q.name, ".go")[3:]] = q.src
	}
	b, err := toolchain.BuildAll(context.Background(), progs)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, q := range qs {
		real, err := b.Binaries[strings.TrimSuffix(q.name, ".go")[3:]].Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		p, err := interp.Load(q.name, q.src, nil)
		if err != nil {
			t.Fatal(err)
		}
		model, err := p.Run(interp.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if model.Stdout != real.Stdout || model.Status != real.ExitCode || crashReport(model.Stderr) != crashReport(real.Stderr) {
			t.Errorf("%s: model %q (status %d), toolchain %q (status %d)", q.name, model.Stdout, model.Status, real.Stdout, real.ExitCode)
		}
		if want := quizAnswers[q.name]; real.Stdout != want {
			t.Errorf("%s: the written answer %q is not what Go prints: %q", q.name, want, real.Stdout)
		}
	}
}
