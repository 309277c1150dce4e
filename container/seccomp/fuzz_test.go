package seccomp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// bytesource hands out the fuzzer's bytes as choices; zeros when done.
type bytesource struct{ b []byte }

func (s *bytesource) byte() byte {
	if len(s.b) == 0 {
		return 0
	}
	c := s.b[0]
	s.b = s.b[1:]
	return c
}

func (s *bytesource) u64() uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(s.byte())
	}
	return v
}

// value returns a small, a boundary or an arbitrary 64-bit value.
func (s *bytesource) value() uint64 {
	switch s.byte() % 4 {
	case 0:
		return uint64(s.byte() % 8)
	case 1:
		return uint64(s.byte()%4) << 32
	case 2:
		return uint64(s.byte()%4)<<32 | uint64(s.byte()%4)
	}
	return s.u64()
}

var (
	fuzzActions = []specs.LinuxSeccompAction{specs.ActAllow, specs.ActErrno, specs.ActKill, specs.ActKillProcess, specs.ActKillThread, specs.ActTrap, specs.ActTrace, specs.ActLog, specs.ActNotify, "SCMP_ACT_NONE"}
	fuzzArches  = []specs.Arch{specs.ArchX86_64, specs.ArchX86, specs.ArchX32, specs.ArchAARCH64, specs.ArchARM, specs.ArchMIPS, "SCMP_ARCH_NONE"}
	fuzzOps     = append(append([]specs.LinuxSeccompOperator(nil), operators...), "SCMP_CMP_NONE")
	fuzzNames   = []string{"read", "write", "personality", "mkdir", "socketcall", "open", "execve", "getpid", "nosuchcall"}
)

// randomConfig makes a configuration from the fuzzer's bytes: mostly
// valid, sometimes not.
func randomConfig(s *bytesource) *specs.LinuxSeccomp {
	errno := func() *uint {
		if s.byte()%3 != 0 {
			return nil
		}
		v := uint(s.byte()) * uint(s.byte()%20+1)
		return &v
	}
	c := &specs.LinuxSeccomp{DefaultAction: fuzzActions[int(s.byte())%len(fuzzActions)], DefaultErrnoRet: errno()}
	for range s.byte() % 4 {
		c.Architectures = append(c.Architectures, fuzzArches[int(s.byte())%len(fuzzArches)])
	}
	for range s.byte() % 8 {
		call := specs.LinuxSyscall{Action: fuzzActions[int(s.byte())%len(fuzzActions)], ErrnoRet: errno()}
		for range s.byte()%3 + 1 {
			call.Names = append(call.Names, fuzzNames[int(s.byte())%len(fuzzNames)])
		}
		for range s.byte() % 4 {
			a := specs.LinuxSeccompArg{Index: uint(s.byte() % 7), Op: fuzzOps[int(s.byte())%len(fuzzOps)], Value: s.value()}
			if a.Op == specs.OpMaskedEqual {
				a.ValueTwo = s.value()
			}
			call.Args = append(call.Args, a)
		}
		c.Syscalls = append(c.Syscalls, call)
	}
	return c
}

// reference is what the filter must return for in, from the configuration
// itself: the arch, then the first matching rule, then the default.
func reference(c *specs.LinuxSeccomp, in call) uint32 {
	ts, _ := targets(c.Architectures)
	var a *arch
	for i, t := range ts {
		if t.audit == in.arch && (t.audit != unix.AUDIT_ARCH_X86_64 || (uint32(in.nr) >= x32Bit) == (t.table == "x32")) {
			a = &ts[i]
		}
	}
	if a == nil {
		return unix.SECCOMP_RET_KILL_PROCESS
	}
	for _, s := range c.Syscalls {
		ret, _, _ := action(s.Action, s.ErrnoRet, "", "")
		named := false
		for _, n := range s.Names {
			if got, ok := a.number(n); ok && got == in.nr {
				named = true
			}
		}
		if named && argsMatch(s.Args, in.args, a.bits32) {
			return ret
		}
	}
	ret, _, _ := action(c.DefaultAction, c.DefaultErrnoRet, "", "")
	return ret
}

func argsMatch(args []specs.LinuxSeccompArg, in [6]uint64, narrow bool) bool {
	seen := map[uint]bool{}
	repeated := false
	for _, a := range args {
		repeated = repeated || seen[a.Index]
		seen[a.Index] = true
	}
	holds := func(a specs.LinuxSeccompArg) bool {
		x, v, two := in[a.Index], a.Value, a.ValueTwo
		if narrow {
			x, v, two = uint64(uint32(x)), uint64(uint32(v)), uint64(uint32(two))
		}
		switch a.Op {
		case specs.OpEqualTo:
			return x == v
		case specs.OpNotEqual:
			return x != v
		case specs.OpLessThan:
			return x < v
		case specs.OpLessEqual:
			return x <= v
		case specs.OpGreaterThan:
			return x > v
		case specs.OpGreaterEqual:
			return x >= v
		}
		return x&v == two
	}
	if len(args) == 0 {
		return true
	}
	for _, a := range args {
		if h := holds(a); repeated && h {
			return true
		} else if !repeated && !h {
			return false
		}
	}
	return !repeated
}

// randomCall picks a call the rules of c are likely to be about.
func randomCall(s *bytesource, c *specs.LinuxSeccomp) call {
	audits := []uint32{unix.AUDIT_ARCH_X86_64, unix.AUDIT_ARCH_I386, unix.AUDIT_ARCH_AARCH64, unix.AUDIT_ARCH_ARM, uint32(s.u64())}
	in := call{arch: audits[int(s.byte())%len(audits)]}
	a := arches[int(s.byte())%len(arches)]
	if n, ok := a.number(fuzzNames[int(s.byte())%len(fuzzNames)]); ok {
		in.nr = n
	} else {
		in.nr = int(uint32(s.u64()))
	}
	for i := range in.args {
		in.args[i] = s.value()
		for _, sc := range c.Syscalls {
			for _, arg := range sc.Args {
				if int(arg.Index) == i && s.byte()%2 == 0 {
					in.args[i] = arg.Value + uint64(int8(s.byte()%3)-1)
				}
			}
		}
	}
	return in
}

// FuzzCompile compiles random configurations: Compile must not panic;
// what it accepts must be a program the VM runs, no longer than the
// kernel's limit, that returns for random calls what the configuration
// says.
func FuzzCompile(f *testing.F) {
	for _, seed := range []string{"", "\x01\x02\x03\x01\x02\x05\x03\x00\x02\x01\x02\x03\x04", "\x00\x00\x01\x01\x03\x02\x02\x03\x01\x04\x05\x06\x07\x08\x09"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := &bytesource{b}
		c := randomConfig(s)
		prog, err := Compile(c)
		if err != nil {
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				if !strings.HasPrefix(e.Error(), "linux.seccomp.") {
					t.Fatalf("error names no field: %v", e)
				}
			}
			return
		}
		if len(prog.Instructions) > MaxInstructions || len(prog.Comments) != len(prog.Instructions) {
			t.Fatalf("%d instructions, %d comments", len(prog.Instructions), len(prog.Comments))
		}
		for range 16 {
			in := randomCall(s, c)
			if got, want := run(t, prog, in), reference(c, in); got != want {
				t.Fatalf("call %+v: filter %#x, configuration %#x\nconfig %+v\n%s", in, got, want, c, prog)
			}
		}
	})
}

// envLoadChild makes the test binary a child that loads filters.
const envLoadChild = "_SECCOMP_TEST_LOAD"

func TestMain(m *testing.M) {
	if path := os.Getenv(envLoadChild); path != "" {
		os.Exit(loadChild(path))
	}
	os.Exit(m.Run())
}

// allowOnly returns f with every return turned into SECCOMP_RET_ALLOW:
// the kernel checks the same program, and the child that loads it lives on.
func allowOnly(f *Filter) *Filter {
	g := *f
	g.Instructions = append([]bpf.Instruction(nil), f.Instructions...)
	for i, ins := range g.Instructions {
		if _, ok := ins.(bpf.RetConstant); ok {
			g.Instructions[i] = bpf.RetConstant{Val: unix.SECCOMP_RET_ALLOW}
		}
	}
	return &g
}

// loadChild loads each program of the file (raw instructions, each
// preceded by its length and flags) and prints "ok" or the error per
// program.
func loadChild(path string) int {
	runtime.LockOSThread()
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		fmt.Println(err)
		return 1
	}
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	for len(b) >= 8 {
		n, fl := binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint32(b[4:])
		b = b[8:]
		raw := make([]bpf.RawInstruction, n)
		for i := range raw {
			raw[i] = bpf.RawInstruction{Op: binary.LittleEndian.Uint16(b), Jt: b[2], Jf: b[3], K: binary.LittleEndian.Uint32(b[4:])}
			b = b[8:]
		}
		ins, _ := bpf.Disassemble(raw)
		if err := (&Filter{Instructions: ins, Flags: uint(fl)}).Load(); err != nil {
			fmt.Println(err)
		} else {
			fmt.Println("ok")
		}
	}
	return 0
}

// TestKernelLoadsCompiledFilters loads compiled random configurations (and
// every flag) with seccomp(2) in a child process: the kernel's checker
// accepts each. Loading needs no root with no_new_privs.
func TestKernelLoadsCompiledFilters(t *testing.T) {
	var file []byte
	total, n := 0, 0
	add := func(f *Filter) {
		raw, err := bpf.Assemble(allowOnly(f).Instructions)
		if err != nil {
			t.Fatal(err)
		}
		file = binary.LittleEndian.AppendUint32(file, uint32(len(raw)))
		file = binary.LittleEndian.AppendUint32(file, uint32(f.Flags))
		for _, r := range raw {
			file = binary.LittleEndian.AppendUint16(file, r.Op)
			file = append(file, r.Jt, r.Jf)
			file = binary.LittleEndian.AppendUint32(file, r.K)
		}
		total += len(raw) + 4
		n++
	}
	add(compile(t, &specs.LinuxSeccomp{DefaultAction: specs.ActLog, Flags: []specs.LinuxSeccompFlag{"SECCOMP_FILTER_FLAG_TSYNC", specs.LinuxSeccompFlagLog, specs.LinuxSeccompFlagSpecAllow}}))
	for seed := uint64(0); n < 60; seed++ {
		b := binary.LittleEndian.AppendUint64(nil, seed*0x9e3779b97f4a7c15)
		for len(b) < 200 {
			b = binary.LittleEndian.AppendUint64(b, binary.LittleEndian.Uint64(b[len(b)-8:])*6364136223846793005+1442695040888963407)
		}
		f, err := Compile(randomConfig(&bytesource{b}))
		if err != nil || total+len(f.Instructions)+4 > 30000 {
			continue
		}
		add(f)
	}
	path := t.TempDir() + "/programs"
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), envLoadChild+"="+path)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	lines := strings.Fields(strings.TrimSpace(string(out)))
	if err != nil || len(lines) != n || strings.Count(string(out), "ok\n") != n {
		t.Fatalf("%d programs, the child said (%v):\n%s", n, err, out)
	}
}
