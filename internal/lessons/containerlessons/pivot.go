package containerlessons

import (
	"context"
	"fmt"
	"strings"

	"github.com/deferio/deferio/internal/lesson"
)

func runPivotRoot(ctx context.Context, p *lesson.Page) error {
	l, err := newLab(ctx)
	if err != nil {
		return err
	}
	defer l.close()
	for _, noPivot := range []bool{false, true} {
		cfg, err := l.bundle("sh", "-c", "ls /; cat /proc/self/mountinfo")
		if err != nil {
			return err
		}
		cfg.NoPivotRoot = noPivot
		name := "pivot_root(\".\", \".\") and detach the old root"
		if noPivot {
			name = "no_pivot_root: MS_MOVE onto / and chroot"
		}
		p.Heading(name)
		out, code, err := l.run(fmt.Sprintf("pivot-%v", noPivot), cfg)
		if err != nil {
			return err
		}
		var ls, mounts []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			f := strings.Fields(line)
			if len(f) >= 10 {
				// mountinfo: field 5 is the mount point, after " - " the type.
				typ := ""
				for i, x := range f {
					if x == "-" && i+1 < len(f) {
						typ = f[i+1]
					}
				}
				mounts = append(mounts, fmt.Sprintf("%-20s %s", f[4], typ))
			} else {
				ls = append(ls, line)
			}
		}
		p.Output("ls /", strings.Join(ls, " "))
		p.Output(fmt.Sprintf("mount points in /proc/self/mountinfo (%d), exit status %d", len(mounts), code), strings.Join(mounts, "\n"))
	}
	return nil
}
