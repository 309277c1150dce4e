package realtrace

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/arch/x86/x86asm"
)

// rawRun is what one run of the probed binary gave.
type rawRun struct {
	stdout, stderr string
	status         int
	records        []byte // probe records, recordSize bytes each, in order
	truncated      bool   // the event limit ended the run
	timedOut       bool   // the time limit ended the run
}

// runner runs a probed binary and collects its records.
type runner struct {
	bin    *goBinary
	stores map[uint64]*bitsStore // breakpoints by address
	frames map[[2]uint64]uint8   // reported deferBits by goroutine and distance from the stack's top
	limits Options

	recW      *os.File // the write end of the records pipe, shared with the probes
	pid       int
	mu        sync.Mutex
	truncated bool
}

// run starts path with descriptor 3 on the records pipe, under ptrace
// when there are breakpoints, and waits for it within the limits.
func (r *runner) run(ctx context.Context, path string) (rawRun, error) {
	recR, recW, err := os.Pipe()
	if err != nil {
		return rawRun{}, fmt.Errorf("unable to create the records pipe: %w", err)
	}
	r.recW = recW
	outR, outW, err := os.Pipe()
	if err != nil {
		recR.Close()
		recW.Close()
		return rawRun{}, fmt.Errorf("unable to create the stdout pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		recR.Close()
		recW.Close()
		outR.Close()
		outW.Close()
		return rawRun{}, fmt.Errorf("unable to create the stderr pipe: %w", err)
	}
	var stdout, stderr bytes.Buffer
	var records []byte
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); io.Copy(&stdout, outR); outR.Close() }()
	go func() { defer wg.Done(); io.Copy(&stderr, errR); errR.Close() }()
	go func() { defer wg.Done(); records = r.readRecords(recR); recR.Close() }()

	res, err := r.supervise(ctx, path, [4]*os.File{nil, outW, errW, recW})
	outW.Close()
	errW.Close()
	recW.Close()
	wg.Wait()
	res.stdout, res.stderr, res.records = stdout.String(), stderr.String(), records
	r.mu.Lock()
	res.truncated = r.truncated
	r.mu.Unlock()
	return res, err
}

// readRecords reads the records pipe to its end, keeping at most
// MaxEvents records; past them it kills the program and discards the
// rest.
func (r *runner) readRecords(f *os.File) []byte {
	var buf []byte
	chunk := make([]byte, 64*recordSize)
	limit := r.limits.MaxEvents * recordSize
	for {
		n, err := f.Read(chunk)
		if n > 0 && len(buf) < limit {
			buf = append(buf, chunk[:n]...)
			if len(buf) >= limit {
				buf = buf[:limit]
				r.mu.Lock()
				r.truncated = true
				if r.pid > 0 {
					syscall.Kill(r.pid, syscall.SIGKILL)
				}
				r.mu.Unlock()
			}
		}
		if err != nil {
			return buf
		}
	}
}

// supervise starts the program and waits for it. Everything ptrace
// does happens on one locked OS thread, as the kernel requires.
func (r *runner) supervise(ctx context.Context, path string, files [4]*os.File) (rawRun, error) {
	type result struct {
		res rawRun
		err error
	}
	done := make(chan result, 1)
	started := make(chan int, 1)
	go func() {
		// The thread stays locked to the end: it is the tracer, and the
		// program's parent-death signal fires when it exits.
		runtime.LockOSThread()
		res, err := r.startAndWait(path, files, started)
		done <- result{res, err}
	}()
	var pid int
	select {
	case pid = <-started:
	case d := <-done:
		return d.res, d.err
	}
	select {
	case d := <-done:
		return d.res, d.err
	case <-ctx.Done():
		syscall.Kill(pid, syscall.SIGKILL)
		d := <-done
		d.res.timedOut = true
		return d.res, d.err
	}
}

func (r *runner) startAndWait(path string, files [4]*os.File, started chan<- int) (rawRun, error) {
	traced := len(r.stores) > 0
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return rawRun{}, fmt.Errorf("unable to open %s: %w", os.DevNull, err)
	}
	defer devnull.Close()
	files[0] = devnull
	attr := &os.ProcAttr{
		Env:   append(os.Environ(), "GOTRACEBACK=single"),
		Files: files[:],
		// A traced program leads a process group of its own, so that the
		// tracer waits for its threads (wait4 on -pgid) and never reaps
		// another child of this process, such as a go build that runs
		// at the same time.
		Sys: &syscall.SysProcAttr{Ptrace: traced, Setpgid: traced, Pdeathsig: syscall.SIGKILL},
	}
	proc, err := os.StartProcess(path, []string{path}, attr)
	if err != nil {
		if traced {
			return rawRun{}, fmt.Errorf("%w: unable to start the program under ptrace: %v", ErrUnavailable, err)
		}
		return rawRun{}, fmt.Errorf("unable to start the program: %w", err)
	}
	r.mu.Lock()
	r.pid = proc.Pid
	r.mu.Unlock()
	started <- proc.Pid
	if !traced {
		st, err := proc.Wait()
		if err != nil {
			return rawRun{}, fmt.Errorf("unable to wait for the program: %w", err)
		}
		return rawRun{status: exitStatus(st.Sys().(syscall.WaitStatus))}, nil
	}
	return r.trace(proc.Pid)
}

func exitStatus(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// trace sets the breakpoints in the program stopped at its exec, and
// runs it to its end: new threads are traced too (PTRACE_O_TRACECLONE),
// the program dies with the tracer (PTRACE_O_EXITKILL), signals are
// passed on, and each breakpoint on a deferBits store is handled by
// doing the store itself (handleStore), so no thread is ever stepped and
// none waits for another.
func (r *runner) trace(pid int) (rawRun, error) {
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, syscall.WALL, nil); err != nil {
		return rawRun{}, fmt.Errorf("unable to wait for the program's exec: %w", err)
	}
	if !ws.Stopped() {
		return rawRun{status: exitStatus(ws)}, nil
	}
	kill := func(err error) (rawRun, error) {
		syscall.Kill(pid, syscall.SIGKILL)
		for {
			if _, werr := syscall.Wait4(-pid, &ws, syscall.WALL, nil); werr != nil {
				return rawRun{status: -1}, err
			}
		}
	}
	if err := syscall.PtraceSetOptions(pid, syscall.PTRACE_O_TRACECLONE|0x100000 /* PTRACE_O_EXITKILL */); err != nil {
		return kill(fmt.Errorf("%w: unable to set the ptrace options: %v", ErrUnavailable, err))
	}
	for addr := range r.stores {
		if _, err := syscall.PtracePokeText(pid, uintptr(addr), []byte{0xcc}); err != nil {
			return kill(fmt.Errorf("unable to set a breakpoint at %#x: %w", addr, err))
		}
	}
	if err := syscall.PtraceCont(pid, 0); err != nil {
		return kill(fmt.Errorf("unable to resume the program: %w", err))
	}
	status := -1
	for {
		tid, err := syscall.Wait4(-pid, &ws, syscall.WALL, nil)
		if err != nil {
			if errors.Is(err, syscall.ECHILD) {
				return rawRun{status: status}, nil
			}
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			return kill(fmt.Errorf("unable to wait for the program: %w", err))
		}
		switch {
		case ws.Exited() || ws.Signaled():
			if tid == pid {
				status = exitStatus(ws)
			}
			continue
		case !ws.Stopped():
			continue
		}
		sig := ws.StopSignal()
		deliver := 0
		switch {
		case sig == syscall.SIGTRAP && ws.TrapCause() != 0:
			// a clone event; the new thread starts traced
		case sig == syscall.SIGSTOP:
			// a new thread's first stop
		case sig == syscall.SIGTRAP:
			handled, err := r.handleStore(tid)
			if errors.Is(err, syscall.ESRCH) {
				continue // killed meanwhile (a limit); Wait4 reports its end
			}
			if err != nil {
				return kill(err)
			}
			if !handled {
				deliver = int(sig)
			}
		default:
			deliver = int(sig)
		}
		// A thread that died meanwhile (the program is exiting) makes
		// PtraceCont fail with ESRCH; its exit is reported by Wait4.
		syscall.PtraceCont(tid, deliver)
	}
}

// handleStore handles a breakpoint on a deferBits store: it stores the
// byte as the instruction would, moves the
// thread past the instruction and writes a record for the step. It
// reports false for a SIGTRAP that is none of its breakpoints.
func (r *runner) handleStore(tid int) (bool, error) {
	var regs syscall.PtraceRegs
	if err := syscall.PtraceGetRegs(tid, &regs); err != nil {
		return false, fmt.Errorf("unable to read the registers of thread %d: %w", tid, err)
	}
	s := r.stores[regs.Rip-1]
	if s == nil {
		return false, nil
	}
	addr := uintptr(int64(regs.Rsp) + s.disp)
	v := byte(s.imm)
	if s.reg != 0 {
		rv, ok := byteReg(&regs, s.reg)
		if !ok {
			return false, fmt.Errorf("unable to emulate %v in %s: an unexpected register", s.inst, s.fn.name)
		}
		v = rv
	}
	if _, err := syscall.PtracePokeData(tid, addr, []byte{v}); err != nil {
		return false, fmt.Errorf("unable to write deferBits of %s: %w", s.fn.name, err)
	}
	regs.Rip = s.pc + uint64(s.len)
	if err := syscall.PtraceSetRegs(tid, &regs); err != nil {
		return false, fmt.Errorf("unable to move thread %d past the store: %w", tid, err)
	}
	if rec := r.storeRecords(tid, &regs, s, v); len(rec) > 0 {
		if _, err := r.recW.Write(rec); err != nil {
			return false, fmt.Errorf("unable to write a record: %w", err)
		}
	}
	return true, nil
}

// storeRecords builds the records of a deferBits store. The tracer
// keeps, per frame (goroutine and distance from its stack's top), the
// bits it has reported set: the entry block's zeroing store resets
// them; bits the store adds are open-defer steps, lowest slot first; a
// bit it removes is an open-exit step. The compiler drops stores that nothing can observe: two defer
// statements in a row leave one store, and a defer statement right
// before the exit leaves none, so that the exit's store finds its bit
// never set: that bit is the lowest above the stored value's highest,
// since exits run from the highest bit down; its open-defer step is
// reported just before its exit. R14 holds g in Go code on amd64, which
// gives the goroutine ID and the defer list; the frame-pointer chain
// gives the depth.
func (r *runner) storeRecords(tid int, regs *syscall.PtraceRegs, s *bitsStore, v byte) []byte {
	g := regs.R14
	// A frame is its goroutine and its distance from the top of the
	// goroutine's stack: when the stack grows, the runtime copies it
	// and every SP changes, but not that distance.
	key := [2]uint64{g, r.peek(tid, g+r.bin.layout.gStackHi) - regs.Rsp}
	if s.init {
		delete(r.frames, key)
		return nil
	}
	bits := r.frames[key]
	var out []byte
	add := func(kind byte, slot int, before, after byte, elided bool) {
		rec := make([]byte, recordSize)
		rec[0], rec[2], rec[3], rec[4] = kind, byte(int8(slot)), before, after
		if elided {
			rec[1] = flElided
		}
		out = append(out, rec...)
	}
	set, cleared := v&^bits, bits&^v
	if set == 0 && cleared == 0 && v < 0x80 {
		slot := topBit(v) + 1
		add(dtOpenDefer, slot, bits, bits|1<<slot, true)
		bits |= 1 << slot
		cleared = 1 << slot
	}
	for i := 0; i < 8; i++ {
		if set&(1<<i) != 0 {
			add(dtOpenDefer, i, bits, bits|1<<i, set>>(i+1) != 0)
			bits |= 1 << i
		}
	}
	for i := 7; i >= 0; i-- {
		if cleared&(1<<i) != 0 {
			add(dtOpenExit, i, bits, bits&^(1<<i), false)
			bits &^= 1 << i
		}
	}
	r.frames[key] = bits
	le := binary.LittleEndian
	goid := uint32(r.peek(tid, g+r.bin.layout.gGoid))
	n := 0
	for d := r.peek(tid, g+r.bin.layout.gDefer); d != 0 && n < 0xffff; d = r.peek(tid, d+r.bin.layout.deferLink) {
		n++
	}
	depth, mainDepth := r.fpDepth(tid, regs.Rbp)
	for off := 0; off < len(out); off += recordSize {
		rec := out[off:]
		le.PutUint16(rec[6:], uint16(n))
		le.PutUint16(rec[8:], uint16(depth))
		le.PutUint16(rec[10:], uint16(mainDepth))
		le.PutUint32(rec[12:], goid)
		le.PutUint64(rec[16:], s.pc)
		le.PutUint64(rec[24:], regs.Rsp)
	}
	return out
}

// fpDepth counts the program's frames (not the runtime's) that called
// the frame whose frame pointer is bp, following the saved frame
// pointers, and those of package main among them.
func (r *runner) fpDepth(tid int, bp uint64) (depth, mainDepth int) {
	for i := 0; bp != 0 && i < 10000 && depth < 32767; i++ {
		ret := r.peek(tid, bp+8)
		f := r.bin.funcAt(ret - 1)
		if f == nil {
			break
		}
		// A go statement with arguments runs a compiler-made wrapper
		// (F.gowrapN), which the model has no frame for.
		// Wrappers (a method called through an interface with a value
		// receiver runs main.(*T).M first) are no frames of the program,
		// as the runtime's unwinder says.
		// The calls inlined at the return address are frames too, as
		// they are to the unwinder that counts a probe's depth.
		for _, in := range r.bin.inlined(f, ret-1) {
			if !isRuntime(in.name) && in.funcID != r.bin.layout.funcIDWrapper {
				depth++
				if isMain(in.name) {
					mainDepth++
				}
			}
		}
		if !isRuntime(f.name) && !strings.Contains(f.name, ".gowrap") && f.funcID != r.bin.layout.funcIDWrapper {
			depth++
			if isMain(f.name) {
				mainDepth++
			}
		}
		bp = r.peek(tid, bp)
	}
	return depth, mainDepth
}

func (r *runner) peek(tid int, addr uint64) uint64 {
	var b [8]byte
	if _, err := syscall.PtracePeekData(tid, uintptr(addr), b[:]); err != nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b[:])
}

// topBit returns the index of b's highest set bit, or -1 for 0.
func topBit(b byte) int {
	i := 7
	for i >= 0 && b&(1<<i) == 0 {
		i--
	}
	return i
}

// byteReg returns the low byte of the register that reg names.
func byteReg(regs *syscall.PtraceRegs, reg x86asm.Reg) (byte, bool) {
	full := map[x86asm.Reg]uint64{
		x86asm.AL: regs.Rax, x86asm.CL: regs.Rcx, x86asm.DL: regs.Rdx, x86asm.BL: regs.Rbx,
		x86asm.SIB: regs.Rsi, x86asm.DIB: regs.Rdi, x86asm.BPB: regs.Rbp,
		x86asm.R8B: regs.R8, x86asm.R9B: regs.R9, x86asm.R10B: regs.R10, x86asm.R11B: regs.R11,
		x86asm.R12B: regs.R12, x86asm.R13B: regs.R13, x86asm.R14B: regs.R14, x86asm.R15B: regs.R15,
	}
	v, ok := full[reg]
	return byte(v), ok
}
