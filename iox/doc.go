// Package iox holds io compositions that keep the standard library's fast
// paths: counting, tracing and progress wrappers, section views, a
// ReadSeeker made from a ReaderAt, multi readers and writers, a tee and a
// parallel copier.
//
// io.Copy looks for two optional methods before it falls back to a 32 KiB
// buffer: the source's WriteTo ([io.WriterTo]) and then the destination's
// ReadFrom ([io.ReaderFrom]). On Linux, *os.File and *net.TCPConn use those
// methods to call the kernel's zero-copy system calls (copy_file_range,
// splice, sendfile). A wrapper that embeds only io.Reader hides them, and
// every byte then goes through user space twice. Every wrapper in this
// package says in its doc comment which of WriterTo, ReaderFrom, ReaderAt,
// WriterAt and Seeker it forwards, and the package's tests prove, by running
// the copy under strace, that the kernel's calls survive the wrapping.
//
// [OnlyReader] and [OnlyWriter] do the opposite on purpose: they hide every
// optional method, which is how a naive wrapper behaves. Lessons and
// benchmarks use them as the slow side of a comparison.
//
// The contract checkers in package iox/ioxtest are run over every type here.
package iox

//go:generate go run ./internal/methodsets/gen methodsets.go
