package container

// SetTrace replaces the step tracer for a test.
func SetTrace(f func(format string, args ...any)) { tracef = f }
