// Package iobench measures what wrapping a reader costs io.Copy, side by
// side in one run, and the parallel copier of package iox against
// io.Copy.
//
//   - BenchmarkCopyFileToFile: 64 MiB from one file to another, with the
//     source unwrapped (wrap=none), inside iox.NewCountingReader
//     (wrap=counting, which forwards WriteTo and keeps copy_file_range) and
//     inside iox.OnlyReader (wrap=hidden, a naive wrapper that loses it).
//   - BenchmarkCopyFileToSocket: the same three ways, 64 MiB from a file
//     to a loopback TCP connection (sendfile, or read and write).
//   - BenchmarkParallelCopy: a 256 MiB file copied by io.Copy
//     (copier=io.Copy), by iox.ParallelCopy with copy_file_range
//     (copier=parallel) and by iox.ParallelCopy through buffers
//     (copier=parallel-buffered, the source's *os.File hidden).
//
// Sub-benchmarks are named key=value so that benchstat can pivot:
//
//	cd benchmarks && go test -run '^$' -bench . -count 6 ./iobench > io.txt
//	go run golang.org/x/perf/cmd/benchstat -col /wrap io.txt
//
// Files live in b.TempDir(). The figures measured on the project's
// machine are in README.md next to this file.
package iobench
