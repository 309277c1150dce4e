// Package seccomp compiles the seccomp section of an OCI runtime-spec
// configuration (linux.seccomp) to a classic BPF program, the form
// seccomp(2) loads, without libseccomp: it is pure Go, so a binary built
// with CGO_ENABLED=0 can load filters too.
//
// [Compile] checks the configuration (each error names its field as
// config.json spells it) and returns a [Filter]; [Filter.Load] installs it
// on the calling thread, which execve(2) passes on to the program;
// [Filter.String] disassembles it, one instruction a line.
//
// The program has the layout libseccomp's has:
//
//	load seccomp_data.arch; jump to the section of a listed architecture,
//	  or return SECCOMP_RET_KILL_PROCESS for any other (a 32-bit call on
//	  a 64-bit kernel has another arch and other numbers)
//	per section: load seccomp_data.nr; on x86_64 a number with the x32
//	  bit set goes to the x32 section or is killed (x32 shares x86_64's
//	  arch value, so without this check x32 numbers would bypass every
//	  rule); then the rules, in the order of the configuration: the first
//	  that matches decides; the default action last
//
// A rule is a syscalls entry: its names (a name no table of this package
// has is refused; a name some architecture lacks is left out of that
// architecture's section), its action, and its args, ANDed. As in runc,
// an entry that compares one argument more than once is taken as one rule
// per comparison, ORed. Arguments are compared as 64-bit values (two
// 32-bit comparisons) on 64-bit architectures and by their low 32 bits on
// x86, x32 and arm. The native architecture is always in the filter, as
// libseccomp (and so runc) keeps it.
package seccomp

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

//go:generate go run mksysnum.go

// MaxInstructions is the longest program the kernel loads (BPF_MAXINSNS).
const MaxInstructions = 4096

// Filter is a compiled seccomp filter.
type Filter struct {
	// Instructions is the program.
	Instructions []bpf.Instruction
	// Comments say, per instruction, what it stands for in the
	// configuration ("mkdir", "SCMP_ACT_ERRNO(EPERM)"), or "".
	Comments []string
	// Flags are the SECCOMP_FILTER_FLAG_* bits seccomp(2) gets.
	Flags uint
}

// actions maps the runtime-spec action names to SECCOMP_RET_* values;
// hasData marks those whose low 16 bits come from errnoRet.
var actions = map[specs.LinuxSeccompAction]struct {
	ret     uint32
	hasData bool
}{
	specs.ActKill:        {unix.SECCOMP_RET_KILL_THREAD, false},
	specs.ActKillThread:  {unix.SECCOMP_RET_KILL_THREAD, false},
	specs.ActKillProcess: {unix.SECCOMP_RET_KILL_PROCESS, false},
	specs.ActTrap:        {unix.SECCOMP_RET_TRAP, false},
	specs.ActErrno:       {unix.SECCOMP_RET_ERRNO, true},
	specs.ActTrace:       {unix.SECCOMP_RET_TRACE, true},
	specs.ActLog:         {unix.SECCOMP_RET_LOG, false},
	specs.ActAllow:       {unix.SECCOMP_RET_ALLOW, false},
}

// flags maps the runtime-spec flag names this package loads with.
var flags = map[specs.LinuxSeccompFlag]uint{
	"SECCOMP_FILTER_FLAG_TSYNC":     unix.SECCOMP_FILTER_FLAG_TSYNC,
	specs.LinuxSeccompFlagLog:       unix.SECCOMP_FILTER_FLAG_LOG,
	specs.LinuxSeccompFlagSpecAllow: unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW,
}

// maxErrno is the largest errno the kernel returns (MAX_ERRNO).
const maxErrno = 4095

// rule is one syscalls entry, ready to compile.
type rule struct {
	names  []string
	ret    uint32
	action string   // for comments
	any    [][]cond // ORed sets of ANDed comparisons; none: always matches
}

// cond is one argument comparison.
type cond struct {
	index    int
	op       specs.LinuxSeccompOperator
	val, two uint64
}

func fieldf(format string, args ...any) error {
	return fmt.Errorf("linux.seccomp.%s", fmt.Sprintf(format, args...))
}

// Compile checks c and compiles it. Every problem found is reported, each
// naming its field ("linux.seccomp.syscalls[2].names[0]: ..."); fields
// this package cannot honour (listenerPath, SCMP_ACT_NOTIFY, an
// architecture it has no table for) are refused, never ignored.
func Compile(c *specs.LinuxSeccomp) (*Filter, error) {
	if c == nil {
		return nil, errors.New("unable to compile a seccomp filter: no configuration")
	}
	var errs []error
	def, defName, err := action(c.DefaultAction, c.DefaultErrnoRet, "defaultAction", "defaultErrnoRet")
	if err != nil {
		errs = append(errs, err)
	}
	if c.ListenerPath != "" || c.ListenerMetadata != "" {
		errs = append(errs, fieldf("listenerPath/listenerMetadata: seccomp agents (SCMP_ACT_NOTIFY) are not supported"))
	}
	f := &Filter{}
	for i, name := range c.Flags {
		bit, ok := flags[name]
		if !ok {
			errs = append(errs, fieldf("flags[%d]: %q is not supported (supported: SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW)", i, name))
		}
		f.Flags |= bit
	}
	targets, archErrs := targets(c.Architectures)
	errs = append(errs, archErrs...)
	if len(targets) == 0 {
		errs = append(errs, fieldf("architectures: this runtime has no system call table for its own architecture"))
	}
	rules, ruleErrs := parseRules(c.Syscalls, targets)
	errs = append(errs, ruleErrs...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var p prog
	p.build(targets, rules, def, defName)
	f.Instructions, f.Comments = p.ins, p.com
	if len(f.Instructions) > MaxInstructions {
		return nil, fieldf("syscalls: the filter is %d instructions long, more than the kernel's %d", len(f.Instructions), MaxInstructions)
	}
	if _, err := bpf.Assemble(f.Instructions); err != nil {
		return nil, fmt.Errorf("unable to assemble the seccomp filter: %w", err)
	}
	return f, nil
}

// action returns the SECCOMP_RET_* value of name with errnoRet, and how
// comments show it.
func action(name specs.LinuxSeccompAction, errnoRet *uint, field, errnoField string) (uint32, string, error) {
	a, ok := actions[name]
	if !ok {
		if name == specs.ActNotify {
			return 0, "", fieldf("%s: %s needs a seccomp agent, which this runtime does not support", field, name)
		}
		known := make([]string, 0, len(actions))
		for k := range actions {
			known = append(known, string(k))
		}
		sort.Strings(known)
		return 0, "", fieldf("%s: unknown action %q (known: %s)", field, name, strings.Join(known, ", "))
	}
	if !a.hasData {
		if errnoRet != nil {
			return 0, "", fieldf("%s: %s takes no errno, only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do", errnoField, name)
		}
		return a.ret, string(name), nil
	}
	e := uint(unix.EPERM)
	if errnoRet != nil {
		e = *errnoRet
	}
	if e > maxErrno {
		return 0, "", fieldf("%s: %d is above %d, the largest errno", errnoField, e, maxErrno)
	}
	shown := fmt.Sprint(e)
	if n := unix.ErrnoName(unix.Errno(e)); n != "" {
		shown = n
	}
	return a.ret | uint32(e), fmt.Sprintf("%s(%s)", name, shown), nil
}

var operators = []specs.LinuxSeccompOperator{specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo, specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual}

// parseRules checks the syscalls entries and turns them into rules.
func parseRules(calls []specs.LinuxSyscall, targets []arch) ([]rule, []error) {
	var rules []rule
	var errs []error
	for i, s := range calls {
		field := fmt.Sprintf("syscalls[%d]", i)
		ret, shown, err := action(s.Action, s.ErrnoRet, field+".action", field+".errnoRet")
		if err != nil {
			errs = append(errs, err)
		}
		if len(s.Names) == 0 {
			errs = append(errs, fieldf("%s.names is empty", field))
		}
		for j, n := range s.Names {
			if !knownSyscall(n) {
				errs = append(errs, fieldf("%s.names[%d]: unknown system call %q (no architecture of %s has it)", field, j, n, archNames(arches)))
			}
		}
		var conds []cond
		count := [6]int{}
		for j, a := range s.Args {
			if a.Index >= 6 {
				errs = append(errs, fieldf("%s.args[%d].index: %d is not an argument (0 to 5)", field, j, a.Index))
				continue
			}
			if !slices.Contains(operators, a.Op) {
				errs = append(errs, fieldf("%s.args[%d].op: unknown operator %q", field, j, a.Op))
				continue
			}
			if a.ValueTwo != 0 && a.Op != specs.OpMaskedEqual {
				errs = append(errs, fieldf("%s.args[%d].valueTwo: only %s uses it", field, j, specs.OpMaskedEqual))
			}
			count[a.Index]++
			conds = append(conds, cond{int(a.Index), a.Op, a.Value, a.ValueTwo})
		}
		r := rule{names: s.Names, ret: ret, action: shown}
		if slices.ContainsFunc(count[:], func(n int) bool { return n > 1 }) {
			for _, c := range conds { // runc: one rule per comparison
				r.any = append(r.any, []cond{c})
			}
		} else if len(conds) > 0 {
			r.any = [][]cond{conds}
		}
		rules = append(rules, r)
	}
	return rules, errs
}
