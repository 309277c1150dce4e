package seccomp

import (
	"encoding/binary"
	"runtime"
	"slices"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// x32Bit is set in the number of every x32 system call (__X32_SYSCALL_BIT).
// An x32 call reaches the kernel with AUDIT_ARCH_X86_64, so a filter that
// compares only x86_64 numbers would let it through.
const x32Bit = 0x40000000

// arch is one architecture a filter can be compiled for.
type arch struct {
	name   specs.Arch
	table  string // key of sysTables
	audit  uint32 // seccomp_data.arch
	bits32 bool   // arguments are 32 bits wide: only the low word is compared
}

// arches are the architectures this package has system call tables for.
var arches = []arch{
	{specs.ArchX86_64, "x86_64", unix.AUDIT_ARCH_X86_64, false},
	{specs.ArchX86, "x86", unix.AUDIT_ARCH_I386, true},
	{specs.ArchX32, "x32", unix.AUDIT_ARCH_X86_64, true},
	{specs.ArchAARCH64, "aarch64", unix.AUDIT_ARCH_AARCH64, false},
	{specs.ArchARM, "arm", unix.AUDIT_ARCH_ARM, true},
	{specs.ArchRISCV64, "riscv64", unix.AUDIT_ARCH_RISCV64, false},
	{specs.ArchPPC64LE, "ppc64le", unix.AUDIT_ARCH_PPC64LE, false},
	{specs.ArchS390X, "s390x", unix.AUDIT_ARCH_S390X, false},
}

// knownArches are the other names the runtime-spec lists: they are refused
// as unsupported rather than unknown.
var knownArches = []specs.Arch{
	specs.ArchMIPS, specs.ArchMIPS64, specs.ArchMIPS64N32, specs.ArchMIPSEL,
	specs.ArchMIPSEL64, specs.ArchMIPSEL64N32, specs.ArchPPC, specs.ArchPPC64,
	specs.ArchS390, specs.ArchPARISC, specs.ArchPARISC64,
	specs.ArchLOONGARCH64, specs.ArchM68K, specs.ArchSH, specs.ArchSHEB,
}

// nativeArch is the architecture of the running binary, as GOARCH names it.
var nativeArch = map[string]specs.Arch{
	"amd64": specs.ArchX86_64, "386": specs.ArchX86, "arm64": specs.ArchAARCH64,
	"arm": specs.ArchARM, "riscv64": specs.ArchRISCV64, "ppc64le": specs.ArchPPC64LE,
	"s390x": specs.ArchS390X,
}

// Native returns the runtime-spec name of this binary's architecture, or
// "" when this package has no table for it.
func Native() specs.Arch { return nativeArch[runtime.GOARCH] }

// Architectures returns the architecture names [Compile] supports.
func Architectures() []specs.Arch {
	out := make([]specs.Arch, len(arches))
	for i, a := range arches {
		out[i] = a.name
	}
	return out
}

func archByName(name specs.Arch) (arch, bool) {
	for _, a := range arches {
		if a.name == name {
			return a, true
		}
	}
	return arch{}, false
}

// Syscall returns the number of the system call name on architecture a
// (x32 numbers include the x32 bit).
func Syscall(a specs.Arch, name string) (int, bool) {
	ar, ok := archByName(a)
	if !ok {
		return 0, false
	}
	return ar.number(name)
}

// SyscallName returns the name of system call nr on architecture a.
func SyscallName(a specs.Arch, nr int) (string, bool) {
	ar, ok := archByName(a)
	if !ok {
		return "", false
	}
	t := sysTables[ar.table]
	if ar.table == "x32" {
		if nr&x32Bit == 0 {
			return "", false
		}
		nr &^= x32Bit
	}
	for i, n := range t {
		if int(n) == nr && n >= 0 {
			return sysNames[i], true
		}
	}
	return "", false
}

func (a arch) number(name string) (int, bool) {
	i := sort.SearchStrings(sysNames[:], name)
	if i == len(sysNames) || sysNames[i] != name {
		return 0, false
	}
	n := int(sysTables[a.table][i])
	if n < 0 {
		return 0, false
	}
	if a.table == "x32" {
		n |= x32Bit
	}
	return n, true
}

// knownSyscall reports whether any table has name.
func knownSyscall(name string) bool {
	i := sort.SearchStrings(sysNames[:], name)
	return i < len(sysNames) && sysNames[i] == name
}

// argOffsets returns where the low and the high word of argument i are
// in seccomp_data: its args are u64 in the kernel's byte order, which is
// this binary's.
func argOffsets(i int) (lo, hi uint32) {
	off := uint32(16 + 8*i)
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		return off, off + 4
	}
	return off + 4, off
}

func archNames(as []arch) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = string(a.name)
	}
	return strings.Join(names, ", ")
}

// targets returns the architectures a filter for names is compiled for:
// the native one first (libseccomp, and so runc, always keep it), then
// the others in the order given, each once.
func targets(names []specs.Arch) ([]arch, []error) {
	var out []arch
	var errs []error
	if a, ok := archByName(Native()); ok {
		out = append(out, a)
	}
	for i, n := range names {
		a, ok := archByName(n)
		switch {
		case ok:
			if !slices.ContainsFunc(out, func(b arch) bool { return b.name == a.name }) {
				out = append(out, a)
			}
		case slices.Contains(knownArches, n):
			errs = append(errs, fieldf("architectures[%d]: %s is not supported by this runtime (supported: %s)", i, n, archNames(arches)))
		default:
			errs = append(errs, fieldf("architectures[%d]: unknown architecture %q (supported: %s)", i, n, archNames(arches)))
		}
	}
	return out, errs
}
