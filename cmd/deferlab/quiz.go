package main

import (
	"bufio"
	"context"
	"embed"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"path"
	"strings"
	"time"

	"github.com/deferio/deferio/defer/interp"
	"github.com/deferio/deferio/internal/cli"
	"github.com/deferio/deferio/internal/lesson"
)

//go:embed quiz/*.go.txt
var quizFS embed.FS

// A question is a program whose output the player predicts.
type question struct {
	name string
	src  []byte
}

func questions() ([]question, error) {
	entries, err := quizFS.ReadDir("quiz")
	if err != nil {
		return nil, fmt.Errorf("unable to read the quiz: %w", err)
	}
	var qs []question
	for _, e := range entries {
		src, err := quizFS.ReadFile(path.Join("quiz", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("unable to read the quiz: %w", err)
		}
		qs = append(qs, question{name: strings.TrimSuffix(e.Name(), ".txt"), src: src})
	}
	return qs, nil
}

// quizVerb shows programs, reads the player's prediction of each one's
// standard output from stdin (lines, ended by an empty line or the end
// of input), then runs the program on the model and scores the answer.
var quizVerb = cli.Verb{
	Name: "quiz",
	Help: `show N programs; type what each prints (end with an empty line), then
see what it really prints and your score`,
	Setup: func(fs *flag.FlagSet) cli.Action {
		n := fs.Int("n", 3, "ask `N` questions")
		seed := fs.Uint64("seed", 0, "pick the questions with this `seed` (0: a new pick every time)")
		noColor := fs.Bool("no-color", false, "never use colour")
		return func(ctx context.Context, s cli.Streams, args []string) error {
			if len(args) != 0 {
				return cli.Usagef("quiz takes no arguments")
			}
			return playQuiz(ctx, *n, *seed, s.Color(*noColor), s.Stdin, s.Stdout)
		}
	},
}

func playQuiz(ctx context.Context, n int, seed uint64, color bool, stdin io.Reader, stdout io.Writer) error {
	qs, err := questions()
	if err != nil {
		return err
	}
	if n < 1 || n > len(qs) {
		return cli.Usagef("-n must be between 1 and %d, got %d", len(qs), n)
	}
	s := seed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	rnd := rand.New(rand.NewPCG(s, s>>1|1))
	rnd.Shuffle(len(qs), func(i, j int) { qs[i], qs[j] = qs[j], qs[i] })
	p := lesson.NewPage(stdout, color)
	in := bufio.NewScanner(stdin)
	score := 0
	for i, q := range qs[:n] {
		if err := ctx.Err(); err != nil {
			return err
		}
		p.Heading(fmt.Sprintf("question %d of %d", i+1, n))
		p.Code(q.name, string(q.src))
		p.Text("What does it print on standard output? Type the lines, then an empty line:")
		var answer []string
		for in.Scan() {
			line := strings.TrimRight(in.Text(), " \t\r")
			if line == "" {
				break
			}
			answer = append(answer, line)
		}
		if err := in.Err(); err != nil {
			return fmt.Errorf("unable to read the answer: %w", err)
		}
		prog, err := interp.Load(q.name, q.src, nil)
		if err != nil {
			return err
		}
		res, err := prog.Run(interp.Options{})
		if err != nil {
			return fmt.Errorf("unable to run %s on the model: %w", q.name, err)
		}
		p.Output(fmt.Sprintf("deferlab run -q %s   (stdout, then stderr; exit status %d; the tests check it against the real toolchain)", q.name, res.Status),
			res.Stdout+crashReport(res.Stderr))
		if normalize(strings.Join(answer, "\n")) == normalize(res.Stdout) {
			score++
			p.Text("Right.")
		} else {
			p.Text("Not quite: compare your lines with the output above, then try `deferlab run " + q.name + "` on a copy to see every step.")
		}
	}
	p.Textf("Score: %d of %d.", score, n)
	return p.Err()
}

// normalize compares outputs line by line, ignoring trailing spaces and
// a missing final newline.
func normalize(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}
