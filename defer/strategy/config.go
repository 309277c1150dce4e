package strategy

import (
	"fmt"
	"runtime"
	"slices"
)

// Config is the build mode the prediction is for. The zero value is an
// ordinary optimized build for the GOARCH of the running program.
type Config struct {
	// Race is a -race build: functions get racefuncenter/racefuncexit,
	// which turns open coding off, except in //go:norace functions and
	// in the packages the compiler exempts (sync, sync/atomic,
	// internal/sync and the runtime's own packages).
	Race bool
	// NoOptimize is -gcflags=-N. The runtime's own packages are always
	// optimized and ignore it.
	NoOptimize bool
	// NoOpenDefer is -gcflags=-d=noopendefer=1.
	NoOpenDefer bool
	// GOARCH is the target architecture; "" means runtime.GOARCH. It
	// only matters together with Shared.
	GOARCH string
	// Shared is -shared or -dynlink (-buildmode=shared, c-shared,
	// plugin): on 386 it turns open coding off.
	Shared bool
	// NoInline is -gcflags=-l: no closure is inlined, so a looping
	// label in a closure called on the spot stays in the closure.
	NoInline bool
}

func (c Config) goarch() string {
	if c.GOARCH == "" {
		return runtime.GOARCH
	}
	return c.GOARCH
}

var knownArchs = []string{"386", "amd64", "arm", "arm64", "loong64", "mips", "mipsle",
	"mips64", "mips64le", "ppc64", "ppc64le", "riscv64", "s390x", "wasm"}

// Validate reports a GOARCH the Go toolchain does not know.
func (c Config) Validate() error {
	if c.GOARCH != "" && !slices.Contains(knownArchs, c.GOARCH) {
		return fmt.Errorf("unknown GOARCH %q (want one of %v)", c.GOARCH, knownArchs)
	}
	return nil
}

// runtimePkgs are the packages the compiler compiles as the runtime
// (cmd/internal/objabi/pkgspecial.go runtimePkgs): always optimized, never
// instrumented.
var runtimePkgs = []string{
	"runtime",
	"internal/runtime/atomic", "internal/runtime/cgroup", "internal/runtime/exithook",
	"internal/runtime/gc", "internal/runtime/gc/scan", "internal/runtime/maps",
	"internal/runtime/math", "internal/runtime/sys", "internal/runtime/syscall/linux",
	"internal/runtime/syscall/windows",
	"internal/abi", "internal/bytealg", "internal/byteorder", "internal/chacha8rand",
	"internal/coverage/rtcov", "internal/cpu", "internal/goarch", "internal/godebugs",
	"internal/goexperiment", "internal/goos", "internal/profilerecord", "internal/strconv",
	"internal/stringslite",
}

// noRaceFuncPkgs get no racefuncenter/racefuncexit (pkgspecial.go).
var noRaceFuncPkgs = []string{"sync", "sync/atomic", "internal/sync", "internal/runtime/atomic"}

// raceFuncs reports whether functions of package path get race
// enter/exit instrumentation in a -race build.
func raceFuncs(path string) bool {
	if path == "internal/bytealg" { // runtime package, but instrumented (pkgspecial.go)
		return true
	}
	switch path {
	case "runtime/race", "runtime/msan", "runtime/asan":
		return false
	}
	return !slices.Contains(runtimePkgs, path) && !slices.Contains(noRaceFuncPkgs, path)
}

// ignoresNoOptimize reports whether -N is ignored for package path.
func ignoresNoOptimize(path string) bool { return slices.Contains(runtimePkgs, path) }
