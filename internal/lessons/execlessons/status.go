package execlessons

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/procx"
)

// statusCases are the commands the status lesson runs, each ending in a
// different way.
var statusCases = [][]string{
	{"sh", "-c", "exit 0"},
	{"sh", "-c", "exit 3"},
	{"sh", "-c", "exit 300"},
	{"sh", "-c", "kill -TERM $$"},
	{"sh", "-c", "ulimit -c 0; kill -SEGV $$"},
	{"sh", "-c", "ulimit -c unlimited; kill -SEGV $$"},
	{"no-such-program"},
}

func status(ctx context.Context, p *lesson.Page) error {
	p.Text("Each command below is really run with procx.Output; the line under it is procx.Status.String() of what wait4(2) returned, and the raw status word is shown as the kernel encodes it. Core files land in a temporary directory that is removed afterwards.")
	dir, err := os.MkdirTemp("", "execlab-core-")
	if err != nil {
		return fmt.Errorf("unable to create a directory for core files: %w", err)
	}
	defer os.RemoveAll(dir)
	var b strings.Builder
	for _, argv := range statusCases {
		cmd, err := procx.Command(ctx, argv)
		caption := strings.Join(quoteAll(argv), " ")
		if err != nil {
			fmt.Fprintf(&b, "$ %s\n  not started: %v\n", caption, err)
			continue
		}
		cmd.Dir = dir
		_ = cmd.Run()
		st := procx.StatusOf(cmd.ProcessState)
		raw := cmd.ProcessState.Sys()
		fmt.Fprintf(&b, "$ %s\n  %-32s raw status %#04x\n", caption, st, raw)
	}
	p.Output("procx.Status of each", b.String())

	cmd, err := procx.Command(ctx, []string{"sh", "-c", "head -c 50000000 /dev/zero | tail -c 1 >/dev/null"})
	if err != nil {
		return err
	}
	_ = cmd.Run()
	st := procx.StatusOf(cmd.ProcessState)
	p.Output("sh -c 'head -c 50000000 /dev/zero | tail -c 1 >/dev/null'",
		fmt.Sprintf("%v\nrusage: user > 0 or system > 0: %v; max RSS above 1 MiB: %v",
			st, st.UserTime+st.SystemTime > 0, st.MaxRSS > 1<<20))
	return nil
}

func quoteAll(argv []string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if strings.ContainsAny(a, " $;") {
			a = "'" + a + "'"
		}
		out[i] = a
	}
	return out
}
