package realtrace

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

//go:embed probes.go.txt
var probesSrc string

// A patch inserts code into a copy of a runtime source file, at the
// point of anchor marked by "@" (its end when it has none); the anchor
// must occur exactly once.
type patch struct {
	file, anchor, code string
}

// patches are the probe calls, in the order the runtime reaches them.
var patches = []patch{
	{file: "panic.go", anchor: "\td.sp = sys.GetCallerSP()\n@}\n\nvar rangeDoneError",
		code: "\tdtProbe(dtDeferProc, dtHeap, gp, sys.GetCallerPC(), sys.GetCallerSP(), d.pc, d.sp, uintptr(unsafe.Pointer(d)), -1, 0, 0)\n"},
	{file: "panic.go", anchor: "\t*(*uintptr)(unsafe.Pointer(&gp._defer)) = uintptr(unsafe.Pointer(d))\n",
		code: "\tdtProbe(dtDeferProcStack, 0, gp, sys.GetCallerPC(), sys.GetCallerSP(), d.pc, d.sp, uintptr(unsafe.Pointer(d)), -1, 0, 0)\n"},
	{file: "panic.go", anchor: "\tp.deferreturn = true\n",
		code: "\tdtProbe(dtDeferReturn, 0, getg(), sys.GetCallerPC(), sys.GetCallerSP(), sys.GetCallerPC(), sys.GetCallerSP(), 0, -1, 0, 0)\n"},
	{file: "panic.go", anchor: "\t\t\t*p.deferBitsPtr = bits\n",
		code: "\t\t\tdtProbe(dtRunOpen, dtLoopFlag(p), gp, sys.GetCallerPC(), sys.GetCallerSP(), p.retpc, uintptr(p.sp), 0, int8(i), bits|1<<i, bits)\n"},
	{file: "panic.go", anchor: "\t\t\tp.retpc = d.pc\n",
		code: "\t\t\tif d.heap {\n\t\t\t\tdtProbe(dtRunLinked, dtHeap|dtLoopFlag(p), gp, sys.GetCallerPC(), sys.GetCallerSP(), d.pc, d.sp, uintptr(unsafe.Pointer(d)), -1, 0, 0)\n\t\t\t} else {\n\t\t\t\tdtProbe(dtRunLinked, dtLoopFlag(p), gp, sys.GetCallerPC(), sys.GetCallerSP(), d.pc, d.sp, uintptr(unsafe.Pointer(d)), -1, 0, 0)\n\t\t\t}\n"},
	{file: "panic.go", anchor: "\td.link = nil\n\t// After this point we can copy the stack.\n",
		code: "\tif d.heap {\n\t\tdtProbe(dtFreeDefer, dtHeap, gp, sys.GetCallerPC(), sys.GetCallerSP(), d.pc, d.sp, uintptr(unsafe.Pointer(d)), -1, 0, 0)\n\t} else {\n\t\tdtProbe(dtFreeDefer, 0, gp, sys.GetCallerPC(), sys.GetCallerSP(), d.pc, d.sp, uintptr(unsafe.Pointer(d)), -1, 0, 0)\n\t}\n"},
	{file: "panic.go", anchor: "\tp.gopanicFP = unsafe.Pointer(sys.GetCallerSP())\n",
		code: "\tdtHere(dtPanic, 0)\n"},
	{file: "panic.go", anchor: "\tif p == nil || p.goexit || p.recovered {\n",
		code: "\t\tdtProbe(dtRecover, 0, gp, sys.GetCallerPC(), sys.GetCallerSP(), sys.GetCallerPC(), sys.GetCallerSP(), 0, -1, 0, 0)\n"},
	{file: "panic.go", anchor: "\tif !canRecover {\n\t\treturn nil\n\t}\n",
		code: "\tdtProbe(dtRecover, dtAccepted, gp, sys.GetCallerPC(), sys.GetCallerSP(), sys.GetCallerPC(), sys.GetCallerSP(), 0, -1, 0, 0)\n"},
	{file: "panic.go", anchor: "\tif !canRecover {\n",
		code: "\t\tdtProbe(dtRecover, 0, gp, sys.GetCallerPC(), sys.GetCallerSP(), sys.GetCallerPC(), sys.GetCallerSP(), 0, -1, 0, 0)\n"},
	{file: "panic.go", anchor: "\tp0, saveOpenDeferState := p, p.deferBitsPtr != nil && *p.deferBitsPtr != 0\n",
		code: "\tdtProbe(dtRecovery, 0, gp, 0, 0, pc, sp, 0, -1, 0, 0)\n"},
	{file: "panic.go", anchor: "\tp.goexit = true\n",
		code: "\tdtHere(dtGoexit, 0)\n"},
	{file: "panic.go", anchor: "func fatalpanic(msgs *_panic) {\n",
		code: "\tdtHere(dtCrash, 0)\n"},
	{file: "panic.go", anchor: "\tif gp.m.throwing == throwTypeNone {\n\t\tgp.m.throwing = t\n@\t}\n",
		code: "\t\tdtThrown(pc, sp)\n"},
	{file: "proc.go", anchor: "func os_beforeExit(exitCode int) {\n",
		code: "\tdtHere(dtExit, 0)\n"},
}

// apply returns src with the patches for file applied.
func apply(file, src string) (string, error) {
	for _, p := range patches {
		if p.file != file {
			continue
		}
		head, tail, _ := strings.Cut(p.anchor, "@")
		anchor := head + tail
		if n := strings.Count(src, anchor); n != 1 {
			return "", fmt.Errorf("unable to patch runtime/%s: the anchor %q occurs %d times (this tracer follows go1.26's runtime)", file, firstLine(anchor), n)
		}
		src = strings.Replace(src, anchor, head+p.code+tail, 1)
	}
	return src, nil
}

// writeOverlay writes the probed copies of goroot's runtime files and
// the probes into dir, and the overlay file for go build; it returns the
// overlay file's path.
func writeOverlay(goroot, dir string) (string, error) {
	replace := map[string]string{}
	for _, file := range []string{"panic.go", "proc.go"} {
		orig := filepath.Join(goroot, "src", "runtime", file)
		src, err := os.ReadFile(orig)
		if err != nil {
			return "", fmt.Errorf("unable to read the runtime's %s: %w", file, err)
		}
		patched, err := apply(file, string(src))
		if err != nil {
			return "", err
		}
		copyPath := filepath.Join(dir, "runtime_"+file)
		if err := os.WriteFile(copyPath, []byte(patched), 0o644); err != nil {
			return "", fmt.Errorf("unable to write the probed %s: %w", file, err)
		}
		replace[orig] = copyPath
	}
	probes := filepath.Join(dir, "runtime_defertrace.go")
	if err := os.WriteFile(probes, []byte(probesSrc), 0o644); err != nil {
		return "", fmt.Errorf("unable to write the probes: %w", err)
	}
	replace[filepath.Join(goroot, "src", "runtime", "defertrace.go")] = probes
	b, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return "", fmt.Errorf("unable to write the overlay: %w", err)
	}
	path := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return "", fmt.Errorf("unable to write the overlay: %w", err)
	}
	return path, nil
}

func firstLine(s string) string {
	s = strings.TrimLeft(s, "\t")
	l, _, _ := strings.Cut(s, "\n")
	return l
}
