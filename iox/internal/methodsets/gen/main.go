// Command gen writes iox/methodsets.go from the table in package
// methodsets. Run it through `go generate ./iox`.
package main

import (
	"fmt"
	"os"

	"github.com/deferio/deferio/iox/internal/methodsets"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen OUTPUT.go")
		os.Exit(2)
	}
	src, err := methodsets.Source()
	if err == nil {
		err = os.WriteFile(os.Args[1], src, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: unable to write %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
