package main

import (
	"flag"

	"github.com/deferio/deferio/container"
)

// initFlag registers --init (run and create) on fs and returns what
// applies it, once fs is parsed, to a configuration loadBundle made: a
// flag given on the command line, true or false, wins over the bundle's
// org.deferio.init annotation.
func initFlag(fs *flag.FlagSet) func(*container.Config) {
	on := fs.Bool("init", false, "run the program under a reaping init: PID 1 forwards signals to it, reaps orphans and exits with its status (like docker run --init)")
	return func(cfg *container.Config) {
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "init" {
				cfg.Init = *on
			}
		})
	}
}
