package container

import "strings"

// disabledDefences names, comma-separated, escape defences that are
// turned off. It is empty in every build but the escape tests', which
// link a second runtime with
//
//	-ldflags=-X=github.com/deferio/deferio/container.disabledDefences=memfd
//
// to prove that each test's attack succeeds without its defence, so that
// the test would catch the defence's loss. Nothing at run time (no flag,
// file or environment variable) can set it. The names:
//
//   - memfd: execute the runtime binary itself instead of a sealed memfd
//     copy (the defence against CVE-2019-5736).
var disabledDefences string

// defenceOff reports whether the defence called name is disabled in this
// build.
func defenceOff(name string) bool {
	for d := range strings.SplitSeq(disabledDefences, ",") {
		if d == name {
			return true
		}
	}
	return false
}
