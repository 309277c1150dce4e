package strategy_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/deferio/deferio/defer/strategy"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), strategy.Analyzer,
		"errcheck", "loops", "counts", "deadcode", "closures", "results", "rangefunc", "inlining")
}

// withFlag runs f with one of the Analyzer's flags set.
func withFlag(t *testing.T, name, value string, f func()) {
	t.Helper()
	fl := strategy.Analyzer.Flags.Lookup(name)
	if fl == nil {
		t.Fatalf("the analyzer has no -%s flag", name)
	}
	old := fl.Value.String()
	if err := fl.Value.Set(value); err != nil {
		t.Fatal(err)
	}
	defer fl.Value.Set(old)
	f()
}

func TestAnalyzerModes(t *testing.T) {
	withFlag(t, "race", "true", func() { analysistest.Run(t, analysistest.TestData(), strategy.Analyzer, "race") })
	withFlag(t, "N", "true", func() { analysistest.Run(t, analysistest.TestData(), strategy.Analyzer, "noopt") })
	withFlag(t, "noopendefer", "true", func() { analysistest.Run(t, analysistest.TestData(), strategy.Analyzer, "noopen") })
	withFlag(t, "goarch", "386", func() {
		withFlag(t, "shared", "true", func() { analysistest.Run(t, analysistest.TestData(), strategy.Analyzer, "shared386") })
	})
}

// raceSupported reports whether this machine can build with -race: cgo
// on and a C compiler present. Under CI=true it must.
func raceSupported(t *testing.T) bool {
	out, err := exec.Command("go", "env", "CGO_ENABLED").Output()
	_, ccErr := exec.LookPath("gcc")
	ok := err == nil && strings.TrimSpace(string(out)) == "1" && ccErr == nil
	if !ok && os.Getenv("CI") == "true" {
		t.Fatalf("-race builds need cgo and gcc (apt-get install gcc): CGO_ENABLED=%s, gcc: %v", strings.TrimSpace(string(out)), ccErr)
	}
	return ok
}
