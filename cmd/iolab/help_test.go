package main

import (
	"testing"

	"github.com/deferio/deferio/internal/cli/clitest"
)

// -h, --help, help and help VERB, and the usage errors, as every command.
func TestHelpForms(t *testing.T) { clitest.HelpForms(t, command) }
