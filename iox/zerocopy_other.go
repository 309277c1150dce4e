//go:build !linux

package iox

import "io"

// writeAtTo has no zero-copy path outside Linux.
func writeAtTo(w io.Writer, ra io.ReaderAt, off, n int64) (int64, bool, error) { return 0, false, nil }

// copyRangeAt has no zero-copy path outside Linux.
func copyRangeAt(dst io.WriterAt, src io.ReaderAt, off, n int64) (int64, bool, error) {
	return 0, false, nil
}
