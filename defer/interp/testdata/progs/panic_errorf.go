package main

import (
	"errors"
	"fmt"
)

func main() {
	base := errors.New("root cause")
	panic(fmt.Errorf("layer %d: %w", 2, base))
}
