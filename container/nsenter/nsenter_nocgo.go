//go:build !linux || !cgo

package nsenter

// Available reports whether the constructor is linked into this binary. It
// is false here: the binary was built without cgo.
const Available = false
