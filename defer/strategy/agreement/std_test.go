package agreement_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/deferio/deferio/defer/strategy/agreement"
)

// TestStd compares the prediction with the compiler on the whole
// standard library. It takes about a minute; set DEFERSTRATEGY_STD=1 (and
// DEFERSTRATEGY_PATTERNS to other patterns) to run it.
func TestStd(t *testing.T) {
	if os.Getenv("DEFERSTRATEGY_STD") == "" {
		t.Skip("set DEFERSTRATEGY_STD=1 to compare on the whole standard library (about a minute)")
	}
	patterns := []string{"std"}
	if p := os.Getenv("DEFERSTRATEGY_PATTERNS"); p != "" {
		patterns = strings.Fields(p)
	}
	var out strings.Builder
	sum, err := agreement.Run(context.Background(), &out, agreement.Options{Dir: os.Getenv("DEFERSTRATEGY_DIR"), Patterns: patterns})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("compile %v, predict %v\n%s", sum.CompileTime, sum.PredictTime, out.String())
	if sum.Ratio() < 0.999 {
		t.Errorf("agreement %d/%d is below 99.9%%", sum.Agree, sum.Defers)
	}
}
