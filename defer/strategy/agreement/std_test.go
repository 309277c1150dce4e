package agreement_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/strategy"
	"github.com/deferio/deferio/defer/strategy/agreement"
)

// TestStd compares the prediction with the compiler on the whole
// standard library. It takes minutes; set DEFERSTRATEGY_STD=1 to run it,
// DEFERSTRATEGY_PATTERNS and DEFERSTRATEGY_DIR for other packages (such
// as golang.org/x/tools/... in a module that requires it), and
// DEFERSTRATEGY_RACE=1 or DEFERSTRATEGY_N=1 for those build modes.
func TestStd(t *testing.T) {
	if os.Getenv("DEFERSTRATEGY_STD") == "" {
		t.Skip("set DEFERSTRATEGY_STD=1 to compare on the whole standard library (about a minute)")
	}
	patterns := []string{"std"}
	if p := os.Getenv("DEFERSTRATEGY_PATTERNS"); p != "" {
		patterns = strings.Fields(p)
	}
	var out strings.Builder
	sum, err := agreement.Run(context.Background(), &out, agreement.Options{
		Dir:      os.Getenv("DEFERSTRATEGY_DIR"),
		Patterns: patterns,
		Config: strategy.Config{
			Race:       os.Getenv("DEFERSTRATEGY_RACE") == "1",
			NoOptimize: os.Getenv("DEFERSTRATEGY_N") == "1",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("compile %v, predict %v\n%s", sum.CompileTime, sum.PredictTime, out.String())
	if sum.Ratio() < 0.999 {
		t.Errorf("agreement %d/%d is below 99.9%%", sum.Agree, sum.Defers)
	}
}
