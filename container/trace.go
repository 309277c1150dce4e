package container

// tracef marks a step of the runtime's work; tests replace it to time
// the steps.
var tracef = func(format string, args ...any) {}
