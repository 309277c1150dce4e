package realtrace

import (
	"fmt"

	"golang.org/x/arch/x86/x86asm"
)

// A bitsStore is an instruction that stores a frame's deferBits byte:
// MOVB $imm, off(SP) or MOVB reg, off(SP). The compiler emits one after
// each open-coded defer statement sets its bit (openDeferRecord) and one
// before each inline call of an exit clears a bit (openDeferExit); the
// first one of a function, in its entry block, zeroes the byte.
type bitsStore struct {
	fn   *goFunc
	pc   uint64
	len  int
	disp int64       // the byte is at SP+disp
	imm  int64       // the stored value, when reg is 0
	reg  x86asm.Reg  // the register stored, or 0
	inst x86asm.Inst // the decoded instruction, for messages
	orig [1]byte     // the instruction's first byte, under the breakpoint
	init bool        // the entry block's zeroing store
}

// bitsStores finds the deferBits stores of every function whose name
// keep accepts (the program's own functions) that has open-coded defers.
func (b *goBinary) bitsStores(keep func(name string) bool) ([]*bitsStore, error) {
	var out []*bitsStore
	for i := range b.funcs {
		f := &b.funcs[i]
		if !f.openCoded || !keep(f.name) {
			continue
		}
		code, err := b.read(f.entry, int(f.end-f.entry))
		if err != nil {
			return nil, fmt.Errorf("unable to read the code of %s: %w", f.name, err)
		}
		first := true
		for off := 0; off < len(code); {
			inst, err := x86asm.Decode(code[off:], 64)
			if err != nil {
				off++ // padding or data; the compiler's code decodes
				continue
			}
			pc := f.entry + uint64(off)
			if s, ok := b.matchStore(f, pc, inst); ok {
				s.init = first
				s.orig[0] = code[off]
				first = false
				out = append(out, s)
			}
			off += inst.Len
		}
	}
	return out, nil
}

// matchStore reports whether inst at pc stores f's deferBits byte.
func (b *goBinary) matchStore(f *goFunc, pc uint64, inst x86asm.Inst) (*bitsStore, bool) {
	if inst.Op != x86asm.MOV || inst.MemBytes != 1 {
		return nil, false
	}
	mem, ok := inst.Args[0].(x86asm.Mem)
	if !ok || mem.Base != x86asm.RSP || mem.Index != 0 || mem.Segment != 0 {
		return nil, false
	}
	delta, err := b.spDelta(f, pc)
	if err != nil {
		return nil, false
	}
	// varp is fp minus the return address and the saved frame pointer;
	// fp is SP plus the SP delta plus the return address.
	want := int64(delta) - 8 - int64(f.bitsOffset)
	if mem.Disp != want {
		return nil, false
	}
	s := &bitsStore{fn: f, pc: pc, len: inst.Len, disp: mem.Disp, inst: inst}
	switch src := inst.Args[1].(type) {
	case x86asm.Imm:
		s.imm = int64(src)
	case x86asm.Reg:
		s.reg = src
	default:
		return nil, false
	}
	return s, true
}
