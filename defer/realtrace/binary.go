package realtrace

import (
	"bytes"
	"debug/elf"
	"debug/gosym"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// funcdataOpenCodedDeferInfo is abi.FUNCDATA_OpenCodedDeferInfo: two
// uvarints, the offsets below the frame's varp of deferBits and of the
// first closure slot.
const funcdataOpenCodedDeferInfo = 4

// funcdataInlTree is abi.FUNCDATA_InlTree and pcdataInlTreeIndex
// abi.PCDATA_InlTreeIndex: a function's table of the calls inlined into
// it (runtime.inlinedCall, 16 bytes each), and the index into it of the
// innermost inlined call at each pc (-1: none).
const (
	funcdataInlTree    = 3
	pcdataInlTreeIndex = 2
	inlinedCallSize    = 16
)

// A goFunc is one function of the binary's pclntab.
type goFunc struct {
	name       string
	entry, end uint64
	pcsp       uint32 // offset of its pc-to-SP-delta table in pctab
	openCoded  bool   // it has FUNCDATA_OpenCodedDeferInfo
	bitsOffset uint32 // deferBits is at varp-bitsOffset
	funcID     uint8
	startLine  int32 // the line of its func keyword
	// inlIndex is the offset of its pc-to-inline-tree-index table in
	// pctab, and inlTree the address of its inline tree (0: nothing
	// inlined).
	inlIndex uint32
	inlTree  uint64
}

// An inlinedFrame is a call inlined at some pc: a logical frame that
// the unwinder reports (runtime/symtab_inline.go) but that has no frame
// pointer of its own.
type inlinedFrame struct {
	name   string
	funcID uint8
}

// goBinary is what the tracer reads from the program's ELF file: the
// functions (from the runtime's own table, .gopclntab, as the runtime
// reads it in runtime/symtab.go), the text and the probes' layout.
type goBinary struct {
	f           *elf.File
	funcs       []goFunc // sorted by entry
	byName      map[string]*goFunc
	funcnametab []byte
	pctab       []byte
	layout      layout
	lines       *gosym.Table
}

// layout is runtime.deferTraceLayout, written by the probes' file.
type layout struct {
	gDefer, gGoid, deferLink, gStackHi uint64
	funcIDWrapper                      uint8
}

func openBinary(path string) (*goBinary, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("unable to read the program's ELF file: %w", err)
	}
	b := &goBinary{f: f}
	if f.Machine != elf.EM_X86_64 {
		f.Close()
		return nil, fmt.Errorf("%w: unable to trace a %v program: the tracer decodes amd64 code only", ErrUnavailable, f.Machine)
	}
	if err := b.readPclntab(); err != nil {
		f.Close()
		return nil, fmt.Errorf("unable to read the program's function table: %w", err)
	}
	if err := b.readLayout(); err != nil {
		f.Close()
		return nil, err
	}
	return b, nil
}

func (b *goBinary) Close() error { return b.f.Close() }

// symbol returns the address of the named symbol.
func (b *goBinary) symbol(name string) (uint64, error) {
	syms, err := b.f.Symbols()
	if err != nil {
		return 0, err
	}
	for _, s := range syms {
		if s.Name == name {
			return s.Value, nil
		}
	}
	return 0, fmt.Errorf("no symbol %s", name)
}

// read returns n bytes at virtual address addr, from the section that
// holds them.
func (b *goBinary) read(addr uint64, n int) ([]byte, error) {
	for _, s := range b.f.Sections {
		if s.Type == elf.SHT_NOBITS || addr < s.Addr || addr+uint64(n) > s.Addr+s.Size {
			continue
		}
		buf := make([]byte, n)
		if _, err := s.ReadAt(buf, int64(addr-s.Addr)); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return nil, fmt.Errorf("no section holds %#x", addr)
}

func (b *goBinary) readPclntab() error {
	sec := b.f.Section(".gopclntab")
	if sec == nil {
		return errors.New("no .gopclntab section")
	}
	tab, err := sec.Data()
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	if len(tab) < 72 || le.Uint32(tab) != 0xFFFFFFF1 || tab[7] != 8 {
		return errors.New("not a Go 1.20+ 64-bit pclntab")
	}
	word := func(i int) uint64 { return le.Uint64(tab[8+8*i:]) }
	nfunc := int(word(0))
	b.funcnametab = tab[word(3):]
	b.pctab = tab[word(6):]
	pcln := tab[word(7):]
	text, err := b.symbol("runtime.text")
	if err != nil {
		return err
	}
	gofunc, err := b.symbol("go:func.*")
	if err != nil {
		return err
	}
	if b.lines, err = gosym.NewTable(nil, gosym.NewLineTable(tab, text)); err != nil {
		return err
	}
	for i := 0; i < nfunc; i++ {
		entryOff, funcOff := le.Uint32(pcln[8*i:]), le.Uint32(pcln[8*i+4:])
		next := le.Uint32(pcln[8*(i+1):])
		fn := pcln[funcOff:]
		g := goFunc{name: b.name(int32(le.Uint32(fn[4:]))), entry: text + uint64(entryOff), end: text + uint64(next), pcsp: le.Uint32(fn[16:]),
			startLine: int32(le.Uint32(fn[36:])), funcID: fn[40]}
		npcdata, nfuncdata := le.Uint32(fn[28:]), fn[43]
		if npcdata > pcdataInlTreeIndex && nfuncdata > funcdataInlTree {
			idx := le.Uint32(fn[44+4*pcdataInlTreeIndex:])
			off := le.Uint32(fn[44+4*npcdata+4*funcdataInlTree:])
			if idx != 0 && off != ^uint32(0) {
				g.inlIndex, g.inlTree = idx, gofunc+uint64(off)
			}
		}
		if nfuncdata > funcdataOpenCodedDeferInfo {
			off := le.Uint32(fn[44+4*npcdata+4*funcdataOpenCodedDeferInfo:])
			if off != ^uint32(0) {
				data, err := b.read(gofunc+uint64(off), 10)
				if err != nil {
					return fmt.Errorf("the open-coded defer info of %s: %w", g.name, err)
				}
				v, n := binary.Uvarint(data)
				if n <= 0 {
					return fmt.Errorf("the open-coded defer info of %s is not a uvarint", g.name)
				}
				g.openCoded, g.bitsOffset = true, uint32(v)
			}
		}
		b.funcs = append(b.funcs, g)
	}
	sort.Slice(b.funcs, func(i, j int) bool { return b.funcs[i].entry < b.funcs[j].entry })
	b.byName = make(map[string]*goFunc, len(b.funcs))
	for i := range b.funcs {
		b.byName[b.funcs[i].name] = &b.funcs[i]
	}
	return nil
}

// name returns the function name at nameOff in funcnametab.
func (b *goBinary) name(nameOff int32) string {
	if nameOff <= 0 || int(nameOff) >= len(b.funcnametab) {
		return ""
	}
	s := b.funcnametab[nameOff:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return string(s)
}

// funcNamed returns the function called name, or nil.
func (b *goBinary) funcNamed(name string) *goFunc {
	return b.byName[name]
}

// funcAt returns the function that holds pc.
func (b *goBinary) funcAt(pc uint64) *goFunc {
	i := sort.Search(len(b.funcs), func(i int) bool { return b.funcs[i].end > pc })
	if i < len(b.funcs) && b.funcs[i].entry <= pc {
		return &b.funcs[i]
	}
	return nil
}

// spDelta returns the SP delta of f at pc (the size of the frame pushed
// so far, return address included), from its pcsp table as
// runtime.pcvalue decodes it.
func (b *goBinary) spDelta(f *goFunc, pc uint64) (int32, error) {
	return b.pcvalue(f, f.pcsp, pc)
}

// inlined returns the calls inlined at pc in f, innermost first, as
// the runtime's inlineUnwinder walks them: the tree index at pc, then
// that of each entry's parentPc.
func (b *goBinary) inlined(f *goFunc, pc uint64) []inlinedFrame {
	if f.inlTree == 0 {
		return nil
	}
	var out []inlinedFrame
	le := binary.LittleEndian
	for i := 0; i < 1000; i++ {
		idx, err := b.pcvalue(f, f.inlIndex, pc)
		if err != nil || idx < 0 {
			break
		}
		data, err := b.read(f.inlTree+uint64(idx)*inlinedCallSize, inlinedCallSize)
		if err != nil {
			break
		}
		out = append(out, inlinedFrame{name: b.name(int32(le.Uint32(data[4:]))), funcID: data[0]})
		pc = f.entry + uint64(le.Uint32(data[8:]))
	}
	return out
}

// pcvalue returns the value at pc of f's table at off in pctab, as
// runtime.pcvalue decodes it.
func (b *goBinary) pcvalue(f *goFunc, off uint32, pc uint64) (int32, error) {
	p := b.pctab[off:]
	val, at := int32(-1), f.entry
	for first := true; ; first = false {
		uv, n := binary.Uvarint(p)
		if n <= 0 || (uv == 0 && !first) {
			return 0, fmt.Errorf("no table value for %#x in %s", pc, f.name)
		}
		val += int32(-(uv & 1) ^ (uv >> 1))
		p = p[n:]
		pcd, n := binary.Uvarint(p)
		if n <= 0 {
			return 0, fmt.Errorf("a bad pc table in %s", f.name)
		}
		p = p[n:]
		at += pcd
		if pc < at {
			return val, nil
		}
	}
}

func (b *goBinary) readLayout() error {
	addr, err := b.symbol("runtime.deferTraceLayout")
	if err != nil {
		return fmt.Errorf("unable to find the probes in the program (was it built with the probed runtime?): %w", err)
	}
	data, err := b.read(addr, 48)
	if err != nil {
		return fmt.Errorf("unable to read the probes' layout: %w", err)
	}
	le := binary.LittleEndian
	if le.Uint64(data) != 0xdefe12ace {
		return errors.New("unable to read the probes' layout: a bad magic number")
	}
	b.layout = layout{gDefer: le.Uint64(data[8:]), gGoid: le.Uint64(data[16:]), deferLink: le.Uint64(data[24:]), gStackHi: le.Uint64(data[32:]), funcIDWrapper: data[40]}
	return nil
}
