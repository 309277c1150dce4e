package containerlessons

import (
	"context"
	"fmt"
	"strings"

	"github.com/deferio/deferio/container/seccomp"
	"github.com/deferio/deferio/internal/lesson"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// seccompLesson is the lesson's filter: everything allowed but mkdir, and
// personality(2) with one argument value.
var seccompLesson = &specs.LinuxSeccomp{
	DefaultAction: specs.ActAllow,
	Syscalls: []specs.LinuxSyscall{
		{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno},
		{Names: []string{"personality"}, Action: specs.ActErrno, ErrnoRet: new(uint(22)),
			Args: []specs.LinuxSeccompArg{{Index: 0, Value: 8, Op: specs.OpEqualTo}}},
	},
}

func runSeccomp(ctx context.Context, p *lesson.Page) error {
	l, err := newLab(ctx)
	if err != nil {
		return err
	}
	defer l.close()
	p.Text("The container's config.json has a linux.seccomp section: allow everything (defaultAction SCMP_ACT_ALLOW) except mkdir and mkdirat, which fail with EPERM, and personality(2) with first argument 8 (PER_LINUX32), which fails with EINVAL. `toybox syscall NAME ARGS` makes one system call by name and prints what the kernel answered.")
	cfg, err := l.bundle("sh", "-c", "syscall mkdir /tmp/d 0755; syscall personality 8; syscall personality 0xffffffff; write /tmp/f written; cat /tmp/f; ls /tmp")
	if err != nil {
		return err
	}
	cfg.Spec.Linux.Seccomp = seccompLesson
	out, code, err := l.run("seccomp", cfg)
	if err != nil {
		return err
	}
	p.Output(fmt.Sprintf("inside the container (exit status %d)", code), strings.TrimSpace(out))
	p.Text("The other calls work: writing a file, reading it back, listing /tmp (which has no d). personality(0xffffffff) only asks for the current persona, and the rule compares the whole 64-bit argument with 8.")
	f, err := seccomp.Compile(seccompLesson)
	if err != nil {
		return err
	}
	p.Heading("The filter, as the kernel runs it")
	p.Textf("Init compiled the section to this classic BPF program of %d instructions (package container/seccomp) and loaded it with seccomp(2) on its own thread just before execve, which the program inherits. Jumps name the instruction they go to; each comparison with a system call number names the call.", len(f.Instructions))
	p.Output("seccomp.Compile(linux.seccomp).String()", strings.TrimRight(f.String(), "\n"))
	p.Text("First the architecture: a 32-bit call (int 0x80) carries another arch value and other numbers, so a filter written for x86_64 numbers must not see it; any architecture not listed is killed. Then the x32 check: x32 calls carry x86_64's arch value with bit 30 set in the number, and would slip past every x86_64 rule. Then the rules in order, the first match deciding, and the default action last.")
	return nil
}
