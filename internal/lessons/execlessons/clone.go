package execlessons

import (
	"context"
	"regexp"
	"strings"

	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/procx"
)

// straceArgs traces only process creation and program loading.
var straceArgs = []string{"-f", "-qq", "-e", "trace=clone,clone3,fork,vfork,execve"}

var (
	pidPrefix = regexp.MustCompile(`^\[pid +\d+\] `)
	resultPid = regexp.MustCompile(`= \d+$`)
	envPtr    = regexp.MustCompile(`0x[0-9a-f]+ /\* \d+ vars \*/`)
	childTid  = regexp.MustCompile(`(child_tidptr|parent_tid)=[^,)]+`)
	sigInfo   = regexp.MustCompile(`^--- SIGCHLD .*`)
)

// processLines keeps the lines of an strace log that create processes or
// load programs, leaving out the Go runtime's threads (CLONE_THREAD) and
// the values that change from run to run (PIDs, addresses).
func processLines(log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		l = strings.TrimSpace(pidPrefix.ReplaceAllString(l, ""))
		switch {
		case l == "", strings.Contains(l, "CLONE_THREAD"), strings.Contains(l, "resumed>"),
			strings.HasPrefix(l, "+++"), sigInfo.MatchString(l):
			continue
		case strings.HasPrefix(l, "clone"), strings.HasPrefix(l, "vfork"),
			strings.HasPrefix(l, "fork"), strings.HasPrefix(l, "execve"):
			l = resultPid.ReplaceAllString(l, "= PID")
			l = envPtr.ReplaceAllString(l, "ENV")
			l = childTid.ReplaceAllString(l, "$1=...")
			out = append(out, l)
		}
	}
	return out
}

// Trace runs argv under strace and returns its process-creation lines.
// It is exported to the package's tests through the lesson only.
func trace(ctx context.Context, argv []string) ([]string, error) {
	res, err := procx.CombinedOutput(ctx, append(append([]string{"strace"}, straceArgs...), argv...), 1<<20)
	if err != nil {
		return nil, err
	}
	return processLines(res.Stdout.String()), nil
}

func cloneLesson(ctx context.Context, p *lesson.Page) error {
	src, err := source("spawn.go")
	if err != nil {
		return err
	}
	p.Code("spawn.go", string(src))
	if _, err := procx.LookPath("strace"); err != nil {
		p.Note("strace is not installed (Debian package strace), so the system calls cannot be shown here: " + err.Error())
		return nil
	}
	m, bin, err := build(ctx, "spawn.go")
	if err != nil {
		return err
	}
	defer m.Close()
	goLines, err := trace(ctx, []string{bin})
	if err != nil {
		return err
	}
	p.Output("strace "+strings.Join(straceArgs, " ")+" ./spawn", strings.Join(goLines, "\n"))
	for _, sh := range []string{"bash", "sh"} {
		if _, err := procx.LookPath(sh); err != nil {
			continue
		}
		lines, err := trace(ctx, []string{sh, "-c", "/bin/true; :"})
		if err != nil {
			return err
		}
		p.Output("strace "+strings.Join(straceArgs, " ")+" "+sh+" -c '/bin/true; :'", strings.Join(lines, "\n"))
	}
	return nil
}
