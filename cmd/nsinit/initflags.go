package main

import (
	"flag"
	"fmt"

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

// applyInitAnnotation sets cfg.Init from the bundle's org.deferio.init
// annotation ([container.AnnotationInit]), "true" or "false".
func applyInitAnnotation(cfg *container.Config) error {
	if cfg.Spec == nil {
		return nil
	}
	v, ok := cfg.Spec.Annotations[container.AnnotationInit]
	switch {
	case !ok:
	case v == "true":
		cfg.Init = true
	case v == "false":
		cfg.Init = false
	default:
		return fmt.Errorf("%w: annotation %s is %q, want true or false", container.ErrInvalidConfig, container.AnnotationInit, v)
	}
	return nil
}
