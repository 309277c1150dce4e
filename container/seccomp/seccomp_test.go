package seccomp

import (
	"encoding/binary"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// call is one seccomp_data: a system call as the filter sees it.
type call struct {
	nr   int
	arch uint32
	args [6]uint64
}

// run evaluates f over c with x/net/bpf's VM. The VM loads words big
// endian, so each word is stored big endian where the program loads it.
func run(t testing.TB, f *Filter, c call) uint32 {
	t.Helper()
	vm, err := bpf.NewVM(f.Instructions)
	if err != nil {
		t.Fatalf("the VM refuses the program: %v\n%s", err, f)
	}
	data := make([]byte, 64)
	binary.BigEndian.PutUint32(data[offNr:], uint32(c.nr))
	binary.BigEndian.PutUint32(data[offArch:], c.arch)
	for i, a := range c.args {
		lo, hi := argOffsets(i)
		binary.BigEndian.PutUint32(data[lo:], uint32(a))
		binary.BigEndian.PutUint32(data[hi:], uint32(a>>32))
	}
	out, err := vm.Run(data)
	if err != nil {
		t.Fatalf("VM: %v", err)
	}
	return uint32(out)
}

func nr(t testing.TB, a specs.Arch, name string) int {
	t.Helper()
	n, ok := Syscall(a, name)
	if !ok {
		t.Fatalf("no %s on %s", name, a)
	}
	return n
}

func compile(t testing.TB, c *specs.LinuxSeccomp) *Filter {
	t.Helper()
	f, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func uintp(v uint) *uint { return &v }

const (
	retErrno = unix.SECCOMP_RET_ERRNO
	retAllow = unix.SECCOMP_RET_ALLOW
	retKillP = unix.SECCOMP_RET_KILL_PROCESS
)

func TestCompileErrnoForOneCall(t *testing.T) {
	f := compile(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls:      []specs.LinuxSyscall{{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno}},
	})
	x86 := uint32(unix.AUDIT_ARCH_X86_64)
	if got := run(t, f, call{nr: nr(t, specs.ArchX86_64, "mkdir"), arch: x86}); got != retErrno|uint32(unix.EPERM) {
		t.Errorf("mkdir: %#x, want ERRNO(EPERM)", got)
	}
	if got := run(t, f, call{nr: nr(t, specs.ArchX86_64, "mkdirat"), arch: x86}); got != retErrno|uint32(unix.EPERM) {
		t.Errorf("mkdirat: %#x", got)
	}
	if got := run(t, f, call{nr: nr(t, specs.ArchX86_64, "getpid"), arch: x86}); got != retAllow {
		t.Errorf("getpid: %#x, want ALLOW", got)
	}
	// An i386 call (int 0x80) with mkdir's x86_64 number is another arch:
	// not listed, so killed, not let through.
	if got := run(t, f, call{nr: nr(t, specs.ArchX86_64, "mkdir"), arch: unix.AUDIT_ARCH_I386}); got != retKillP {
		t.Errorf("i386 call: %#x, want KILL_PROCESS", got)
	}
	// x32: mkdir with the x32 bit set would bypass an x86_64-only rule.
	if got := run(t, f, call{nr: nr(t, specs.ArchX32, "mkdir"), arch: x86}); got != retKillP {
		t.Errorf("x32 call: %#x, want KILL_PROCESS", got)
	}
	for _, want := range []string{"; 83: mkdir", "; 258: mkdirat", "SCMP_ACT_ERRNO(EPERM)", "default action: SCMP_ACT_ALLOW", "jeq #0xc000003e"} {
		if !strings.Contains(f.String(), want) {
			t.Errorf("disassembly lacks %q:\n%s", want, f)
		}
	}
}

func TestCompileArchitectures(t *testing.T) {
	f := compile(t, &specs.LinuxSeccomp{
		DefaultAction:   specs.ActErrno,
		DefaultErrnoRet: uintp(uint(unix.ENOSYS)),
		Architectures:   []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
		Syscalls:        []specs.LinuxSyscall{{Names: []string{"getpid", "socketcall"}, Action: specs.ActAllow}},
	})
	for _, c := range []struct {
		a    specs.Arch
		arch uint32
	}{{specs.ArchX86_64, unix.AUDIT_ARCH_X86_64}, {specs.ArchX86, unix.AUDIT_ARCH_I386}, {specs.ArchX32, unix.AUDIT_ARCH_X86_64}} {
		if got := run(t, f, call{nr: nr(t, c.a, "getpid"), arch: c.arch}); got != retAllow {
			t.Errorf("%s getpid: %#x, want ALLOW", c.a, got)
		}
		if got := run(t, f, call{nr: nr(t, c.a, "mkdir"), arch: c.arch}); got != retErrno|uint32(unix.ENOSYS) {
			t.Errorf("%s mkdir: %#x, want ERRNO(ENOSYS)", c.a, got)
		}
	}
	// socketcall exists on x86 only: allowed there, the default elsewhere.
	if got := run(t, f, call{nr: nr(t, specs.ArchX86, "socketcall"), arch: unix.AUDIT_ARCH_I386}); got != retAllow {
		t.Errorf("x86 socketcall: %#x", got)
	}
	if got := run(t, f, call{nr: nr(t, specs.ArchX86, "socketcall"), arch: unix.AUDIT_ARCH_X86_64}); got == retAllow {
		t.Errorf("x86_64 call with socketcall's x86 number allowed")
	}
	if got := run(t, f, call{nr: 1, arch: unix.AUDIT_ARCH_AARCH64}); got != retKillP {
		t.Errorf("aarch64 call: %#x", got)
	}
}

func TestCompileArguments(t *testing.T) {
	const personality = "personality"
	rule := func(op specs.LinuxSeccompOperator, v, two uint64) *Filter {
		return compile(t, &specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Architectures: []specs.Arch{specs.ArchX86},
			Syscalls: []specs.LinuxSyscall{{Names: []string{personality}, Action: specs.ActErrno, ErrnoRet: uintp(1),
				Args: []specs.LinuxSeccompArg{{Index: 0, Value: v, ValueTwo: two, Op: op}}}},
		})
	}
	cases := []struct {
		op       specs.LinuxSeccompOperator
		v, two   uint64
		arg      uint64
		want64   bool // denied on x86_64
		want32   bool // denied on x86 (low word only)
		describe string
	}{
		{specs.OpEqualTo, 8, 0, 8, true, true, "equal"},
		{specs.OpEqualTo, 8, 0, 1<<32 | 8, false, true, "equal low word, other high word"},
		{specs.OpNotEqual, 8, 0, 8, false, false, "not equal, equal"},
		{specs.OpNotEqual, 8, 0, 1<<32 | 8, true, false, "not equal by the high word"},
		{specs.OpMaskedEqual, 0xff, 8, 0x1208, true, true, "masked equal"},
		{specs.OpMaskedEqual, 0xff, 8, 0x1209, false, false, "masked not equal"},
		{specs.OpMaskedEqual, 1<<40 | 0xff, 1<<40 | 8, 0x08, false, true, "masked, high bit missing"},
		{specs.OpGreaterThan, 1 << 32, 0, 1<<32 + 1, true, true, "greater by the low word"},
		{specs.OpGreaterThan, 1 << 32, 0, 1 << 32, false, false, "greater, equal"},
		{specs.OpGreaterThan, 5, 0, 1 << 33, true, false, "greater by the high word"},
		{specs.OpGreaterEqual, 1<<32 | 5, 0, 1<<32 | 5, true, true, "greater or equal, equal"},
		{specs.OpGreaterEqual, 1<<32 | 5, 0, 6, false, true, "greater or equal, smaller high word"},
		{specs.OpLessThan, 1<<32 | 5, 0, 6, true, false, "less by the high word"},
		{specs.OpLessThan, 5, 0, 5, false, false, "less, equal"},
		{specs.OpLessEqual, 5, 0, 5, true, true, "less or equal, equal"},
		{specs.OpLessEqual, 5, 0, 1<<32 | 4, false, true, "less or equal, bigger high word"},
	}
	denied := uint32(retErrno | 1)
	for _, c := range cases {
		f := rule(c.op, c.v, c.two)
		got64 := run(t, f, call{nr: nr(t, specs.ArchX86_64, personality), arch: unix.AUDIT_ARCH_X86_64, args: [6]uint64{c.arg}}) == denied
		got32 := run(t, f, call{nr: nr(t, specs.ArchX86, personality), arch: unix.AUDIT_ARCH_I386, args: [6]uint64{c.arg}}) == denied
		if got64 != c.want64 || got32 != c.want32 {
			t.Errorf("%s: %s %#x (two %#x) on %#x: denied x86_64 %v x86 %v, want %v %v\n%s", c.describe, c.op, c.v, c.two, c.arg, got64, got32, c.want64, c.want32, f)
		}
	}
}

func TestCompileRefuses(t *testing.T) {
	cases := []struct {
		c    specs.LinuxSeccomp
		want string
	}{
		{specs.LinuxSeccomp{DefaultAction: "SCMP_ACT_MAYBE"}, `linux.seccomp.defaultAction: unknown action "SCMP_ACT_MAYBE"`},
		{specs.LinuxSeccomp{DefaultAction: specs.ActNotify}, "defaultAction: SCMP_ACT_NOTIFY needs a seccomp agent"},
		{specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerPath: "/run/agent"}, "listenerPath"},
		{specs.LinuxSeccomp{DefaultAction: specs.ActAllow, DefaultErrnoRet: uintp(1)}, "defaultErrnoRet: SCMP_ACT_ALLOW takes no errno"},
		{specs.LinuxSeccomp{DefaultAction: specs.ActErrno, DefaultErrnoRet: uintp(70000)}, "defaultErrnoRet: 70000 is above 4095"},
		{specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{"SCMP_ARCH_Z80"}}, `architectures[0]: unknown architecture "SCMP_ARCH_Z80"`},
		{specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Architectures: []specs.Arch{specs.ArchMIPS}}, "architectures[0]: SCMP_ARCH_MIPS is not supported"},
		{specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Flags: []specs.LinuxSeccompFlag{specs.LinuxSeccompFlagWaitKillableRecv}}, "flags[0]"},
		{specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdri"}, Action: specs.ActErrno}}}, `syscalls[0].names[0]: unknown system call "mkdri"`},
		{specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Action: specs.ActErrno}}}, "syscalls[0].names is empty"},
		{specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: "kill"}}}, `syscalls[0].action: unknown action "kill"`},
		{specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 6, Op: specs.OpEqualTo}}}}}, "syscalls[0].args[0].index: 6"},
		{specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Op: "SCMP_CMP_LIKE"}}}}}, `syscalls[0].args[0].op: unknown operator "SCMP_CMP_LIKE"`},
		{specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"read"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Op: specs.OpEqualTo, ValueTwo: 3}}}}}, "syscalls[0].args[0].valueTwo"},
	}
	for _, c := range cases {
		_, err := Compile(&c.c)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Compile(%+v) = %v, want an error with %q", c.c, err, c.want)
		}
	}
	// Every problem is reported, not only the first.
	_, err := Compile(&specs.LinuxSeccomp{DefaultAction: "X", Architectures: []specs.Arch{"Y"}})
	if err == nil || !strings.Contains(err.Error(), "defaultAction") || !strings.Contains(err.Error(), "architectures[0]") {
		t.Errorf("two problems: %v", err)
	}
}

func TestCompileFirstRuleDecides(t *testing.T) {
	write := nr(t, specs.ArchX86_64, "write")
	f := compile(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActKillProcess,
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"write"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpEqualTo}}},
			{Names: []string{"write"}, Action: specs.ActErrno, ErrnoRet: uintp(uint(unix.EBADF))},
			// One argument compared twice: one rule per comparison (runc).
			{Names: []string{"close"}, Action: specs.ActAllow, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 3, Op: specs.OpEqualTo}, {Index: 0, Value: 4, Op: specs.OpEqualTo}}},
		},
	})
	x86 := uint32(unix.AUDIT_ARCH_X86_64)
	if got := run(t, f, call{nr: write, arch: x86, args: [6]uint64{1}}); got != retAllow {
		t.Errorf("write(1): %#x", got)
	}
	if got := run(t, f, call{nr: write, arch: x86, args: [6]uint64{2}}); got != retErrno|uint32(unix.EBADF) {
		t.Errorf("write(2): %#x", got)
	}
	closeNr := nr(t, specs.ArchX86_64, "close")
	for arg, want := range map[uint64]uint32{3: retAllow, 4: retAllow, 5: retKillP} {
		if got := run(t, f, call{nr: closeNr, arch: x86, args: [6]uint64{arg}}); got != want {
			t.Errorf("close(%d): %#x, want %#x", arg, got, want)
		}
	}
}

func TestCompileManySyscalls(t *testing.T) {
	// Every name of the x86_64 table allowed, on three architectures: runs
	// longer than a conditional jump reaches, still under 4096.
	var names []string
	for i, n := range sysTables["x86_64"] {
		if n >= 0 {
			names = append(names, sysNames[i])
		}
	}
	f := compile(t, &specs.LinuxSeccomp{
		DefaultAction: specs.ActErrno,
		Architectures: []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32},
		Syscalls:      []specs.LinuxSyscall{{Names: names, Action: specs.ActAllow}},
	})
	for _, n := range names {
		if got := run(t, f, call{nr: nr(t, specs.ArchX86_64, n), arch: unix.AUDIT_ARCH_X86_64}); got != retAllow {
			t.Fatalf("%s: %#x", n, got)
		}
	}
	if got := run(t, f, call{nr: 1000, arch: unix.AUDIT_ARCH_X86_64}); got != retErrno|uint32(unix.EPERM) {
		t.Errorf("nr 1000: %#x", got)
	}
	t.Logf("%d names, %d instructions", len(names), len(f.Instructions))
}

func TestSyscallTable(t *testing.T) {
	for _, c := range []struct {
		a    specs.Arch
		name string
		nr   int
	}{
		{specs.ArchX86_64, "mkdir", unix.SYS_MKDIR}, {specs.ArchX86_64, "personality", unix.SYS_PERSONALITY},
		{specs.ArchX86, "personality", 136}, {specs.ArchX32, "execve", x32Bit | 520}, {specs.ArchX32, "getpid", x32Bit | 39},
		{specs.ArchAARCH64, "openat", 56},
	} {
		if got, ok := Syscall(c.a, c.name); !ok || got != c.nr {
			t.Errorf("Syscall(%s, %s) = %d %v, want %d", c.a, c.name, got, ok, c.nr)
		}
		if got, ok := SyscallName(c.a, c.nr); !ok || got != c.name {
			t.Errorf("SyscallName(%s, %d) = %q %v", c.a, c.nr, got, ok)
		}
	}
	if _, ok := Syscall(specs.ArchAARCH64, "open"); ok {
		t.Error("aarch64 has no open(2)")
	}
}
