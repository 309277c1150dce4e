package seccomp

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Offsets in struct seccomp_data.
const (
	offNr   = 0
	offArch = 4
)

// maxGroup is the most system calls one run of jeq shares a return with:
// a conditional jump skips at most 255 instructions.
const maxGroup = 255

// prog is a program being built, with a comment per instruction.
type prog struct {
	ins []bpf.Instruction
	com []string
}

func (p *prog) emit(i bpf.Instruction, comment string) int {
	p.ins = append(p.ins, i)
	p.com = append(p.com, comment)
	return len(p.ins) - 1
}

// jumpTo makes the instruction at "at" (a placeholder) jump to the next
// one to be emitted.
func (p *prog) jumpTo(at int) {
	p.ins[at] = bpf.Jump{Skip: uint32(len(p.ins) - at - 1)}
}

// section is what one seccomp_data.arch value runs: x86_64 and x32 share
// AUDIT_ARCH_X86_64 and differ by the x32 bit of the number.
type section struct {
	audit     uint32
	main, x32 *arch
}

func sections(targets []arch) []*section {
	var out []*section
	for i := range targets {
		a := &targets[i]
		var s *section
		for _, t := range out {
			if t.audit == a.audit {
				s = t
			}
		}
		if s == nil {
			s = &section{audit: a.audit}
			out = append(out, s)
		}
		if a.table == "x32" {
			s.x32 = a
		} else {
			s.main = a
		}
	}
	return out
}

func (s *section) names() string {
	var n []string
	for _, a := range []*arch{s.main, s.x32} {
		if a != nil {
			n = append(n, string(a.name))
		}
	}
	return strings.Join(n, " and ")
}

// build emits the whole program: the arch dispatch, then each section.
func (p *prog) build(targets []arch, rules []rule, def uint32, defName string) {
	secs := sections(targets)
	p.emit(bpf.LoadAbsolute{Off: offArch, Size: 4}, "A = seccomp_data.arch")
	jumps := make([]int, len(secs))
	for i, s := range secs {
		p.emit(bpf.JumpIf{Cond: bpf.JumpEqual, Val: s.audit, SkipFalse: 1}, fmt.Sprintf("%#x: %s", s.audit, s.names()))
		jumps[i] = p.emit(bpf.Jump{}, "")
	}
	p.emit(bpf.RetConstant{Val: unix.SECCOMP_RET_KILL_PROCESS}, "an architecture not listed: SCMP_ACT_KILL_PROCESS")
	for i, s := range secs {
		p.jumpTo(jumps[i])
		p.section(s, rules, def, defName)
	}
}

func (p *prog) section(s *section, rules []rule, def uint32, defName string) {
	p.emit(bpf.LoadAbsolute{Off: offNr, Size: 4}, "A = seccomp_data.nr ("+s.names()+")")
	kill := func(why string) {
		p.emit(bpf.RetConstant{Val: unix.SECCOMP_RET_KILL_PROCESS}, why+": SCMP_ACT_KILL_PROCESS")
	}
	body := func(a *arch) {
		p.rules(*a, rules)
		p.emit(bpf.RetConstant{Val: def}, "default action: "+defName)
	}
	switch {
	case s.audit != unix.AUDIT_ARCH_X86_64:
		body(s.main)
	case s.x32 == nil:
		p.emit(bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: x32Bit, SkipFalse: 1}, "x32 bit set, and SCMP_ARCH_X32 is not listed")
		kill("an x32 call")
		body(s.main)
	case s.main == nil:
		p.emit(bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: x32Bit, SkipTrue: 1}, "x32 bit clear, and SCMP_ARCH_X86_64 is not listed")
		kill("an x86_64 call")
		body(s.x32)
	default:
		p.emit(bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: x32Bit, SkipFalse: 1}, "x32 bit set: to the x32 rules")
		j := p.emit(bpf.Jump{}, "")
		body(s.main)
		p.jumpTo(j)
		body(s.x32)
	}
}

// rules emits the rules for architecture a, A holding the number. A run
// of rules without arguments and with one action shares one return.
func (p *prog) rules(a arch, rules []rule) {
	var group []int
	var groupNames []string
	var groupRule *rule
	flush := func() {
		k := len(group)
		for i, nr := range group {
			skipFalse := uint8(0)
			if i == k-1 {
				skipFalse = 1
			}
			p.emit(bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(nr), SkipTrue: uint8(k - 1 - i), SkipFalse: skipFalse}, fmt.Sprintf("%d: %s", nr, groupNames[i]))
		}
		if k > 0 {
			p.emit(bpf.RetConstant{Val: groupRule.ret}, groupRule.action)
		}
		group, groupNames = group[:0], groupNames[:0]
	}
	for ri := range rules {
		r := &rules[ri]
		for _, name := range r.names {
			nr, ok := a.number(name)
			if !ok {
				continue
			}
			if r.any != nil {
				flush()
				for _, set := range r.any {
					p.ruleBlock(a, nr, name, set, r)
				}
				continue
			}
			if len(group) == maxGroup || (len(group) > 0 && groupRule.ret != r.ret) {
				flush()
			}
			group, groupNames, groupRule = append(group, nr), append(groupNames, name), r
		}
	}
	flush()
}

// target is where a comparison's jump goes.
type target int

const (
	tNext target = iota // the next instruction
	tEnd                // past this comparison: it holds
	tFail               // the rule does not match
)

// cop is one instruction of a comparison: a load, an and, or a jump.
type cop struct {
	ins    bpf.Instruction // load or and; nil for a jump
	test   bpf.JumpTest
	val    uint32
	jt, jf target
}

// ruleBlock emits one rule with comparisons for system call nr: if the
// number matches and every comparison holds, return the action; else
// reload the number and go on.
func (p *prog) ruleBlock(a arch, nr int, name string, set []cond, r *rule) {
	var desc []string
	for _, c := range set {
		desc = append(desc, c.String())
	}
	start := p.emit(bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(nr)}, fmt.Sprintf("%d: %s if %s", nr, name, strings.Join(desc, " && ")))
	var fails []int
	for _, c := range set {
		ops := c.ops(a.bits32)
		base := len(p.ins)
		for k, o := range ops {
			if o.ins != nil {
				comment := ""
				if ld, ok := o.ins.(bpf.LoadAbsolute); ok {
					comment = fmt.Sprintf("A = arg%d, %s word", c.index, word(ld.Off, c.index))
				}
				p.emit(o.ins, comment)
				continue
			}
			skip := func(t target, onTrue bool) uint8 {
				switch t {
				case tEnd:
					return uint8(len(ops) - k - 1)
				case tFail:
					fails = append(fails, (base+k)<<1|b2i(onTrue))
				}
				return 0
			}
			p.emit(bpf.JumpIf{Cond: o.test, Val: o.val, SkipTrue: skip(o.jt, true), SkipFalse: skip(o.jf, false)}, "")
		}
		p.com[base] = c.String() + ": " + p.com[base]
	}
	p.emit(bpf.RetConstant{Val: r.ret}, r.action)
	reload := p.emit(bpf.LoadAbsolute{Off: offNr, Size: 4}, "A = seccomp_data.nr again")
	p.ins[start] = bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(nr), SkipFalse: uint8(reload - start)}
	for _, f := range fails {
		at, onTrue := f>>1, f&1 == 1
		j := p.ins[at].(bpf.JumpIf)
		if onTrue {
			j.SkipTrue = uint8(reload - at - 1)
		} else {
			j.SkipFalse = uint8(reload - at - 1)
		}
		p.ins[at] = j
	}
}

// word names the half of argument i at offset off.
func word(off uint32, i int) string {
	if lo, _ := argOffsets(i); off == lo {
		return "low"
	}
	return "high"
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ops returns the instructions of one comparison. A 64-bit argument is
// compared word by word, the high word first; narrow compares the low
// word only.
func (c cond) ops(narrow bool) []cop {
	lo, hi := argOffsets(c.index)
	vlo, vhi := uint32(c.val), uint32(c.val>>32)
	ld := func(off uint32) cop { return cop{ins: bpf.LoadAbsolute{Off: off, Size: 4}} }
	j := func(t bpf.JumpTest, v uint32, jt, jf target) cop { return cop{test: t, val: v, jt: jt, jf: jf} }
	var high, low []cop
	switch c.op {
	case specs.OpEqualTo:
		high = []cop{ld(hi), j(bpf.JumpEqual, vhi, tNext, tFail)}
		low = []cop{ld(lo), j(bpf.JumpEqual, vlo, tEnd, tFail)}
	case specs.OpNotEqual:
		high = []cop{ld(hi), j(bpf.JumpEqual, vhi, tNext, tEnd)}
		low = []cop{ld(lo), j(bpf.JumpEqual, vlo, tFail, tEnd)}
	case specs.OpMaskedEqual:
		mlo, mhi := vlo, vhi
		dlo, dhi := uint32(c.two), uint32(c.two>>32)
		high = []cop{ld(hi), {ins: bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: mhi}}, j(bpf.JumpEqual, dhi, tNext, tFail)}
		low = []cop{ld(lo), {ins: bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: mlo}}, j(bpf.JumpEqual, dlo, tEnd, tFail)}
	default: // orderings: the high words decide unless equal
		yes, no := tEnd, tFail
		if c.op == specs.OpLessThan || c.op == specs.OpLessEqual {
			yes, no = tFail, tEnd // a < b is !(a >= b); a <= b is !(a > b)
		}
		test := bpf.JumpGreaterOrEqual
		if c.op == specs.OpGreaterThan || c.op == specs.OpLessEqual {
			test = bpf.JumpGreaterThan
		}
		high = []cop{ld(hi), j(bpf.JumpGreaterThan, vhi, yes, tNext), j(bpf.JumpEqual, vhi, tNext, no)}
		low = []cop{ld(lo), j(test, vlo, yes, no)}
	}
	if narrow {
		return low
	}
	return append(high, low...)
}

var opSymbols = map[specs.LinuxSeccompOperator]string{
	specs.OpNotEqual: "!=", specs.OpLessThan: "<", specs.OpLessEqual: "<=", specs.OpEqualTo: "==",
	specs.OpGreaterEqual: ">=", specs.OpGreaterThan: ">",
}

// String shows the comparison as C would.
func (c cond) String() string {
	if c.op == specs.OpMaskedEqual {
		return fmt.Sprintf("(arg%d & %#x) == %#x", c.index, c.val, c.two)
	}
	return fmt.Sprintf("arg%d %s %#x", c.index, opSymbols[c.op], c.val)
}

// String disassembles the filter, one instruction a line: its index, the
// instruction (jumps with the indexes they go to) and a comment.
func (f *Filter) String() string {
	var b strings.Builder
	for i, ins := range f.Instructions {
		var s string
		switch j := ins.(type) {
		case bpf.JumpIf:
			s = fmt.Sprintf("%s #%#x, %d, %d", jumpName[j.Cond], j.Val, i+1+int(j.SkipTrue), i+1+int(j.SkipFalse))
		case bpf.Jump:
			s = fmt.Sprintf("ja %d", i+1+int(j.Skip))
		case bpf.RetConstant:
			s = fmt.Sprintf("ret #%#x", j.Val)
		default:
			s = fmt.Sprint(ins)
		}
		line := fmt.Sprintf("%4d  %-24s", i, s)
		if i < len(f.Comments) && f.Comments[i] != "" {
			line += "; " + f.Comments[i]
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return b.String()
}

var jumpName = map[bpf.JumpTest]string{
	bpf.JumpEqual: "jeq", bpf.JumpGreaterThan: "jgt", bpf.JumpGreaterOrEqual: "jge",
}
