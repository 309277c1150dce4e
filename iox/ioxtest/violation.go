// Package ioxtest checks implementations of the io interfaces against the
// contracts written in package io's doc comments, and injects the faults
// that break them.
//
// Each checker (TestReader, TestWriter, TestSeeker, TestReaderAt,
// TestWriterAt, TestReaderFrom, TestWriterTo, TestByteScanner,
// TestRuneScanner) returns nil or an error made of [Violation]s: each names
// the rule broken, says what happened, and quotes the io sentence that
// states the rule. They go past testing/iotest.TestReader: (0, nil)
// streaks, n > len(p), the identity of io.EOF, buffers retained after
// return, short writes without error, modified buffers, invalid whence,
// ReadAt that moves the seek offset, parallel ReadAt, ReaderFrom returning
// EOF, and the Unread rules. A checker never panics on a misbehaving
// implementation: a panic is reported as a violation.
//
// The checkers return errors like testing/iotest.TestReader, so they work
// outside tests too; [Report] hands each violation to a *testing.T.
//
// The injectors (ZeroReader, ShortWriter, ShortReaderAt, ...) wrap a
// correct implementation and break exactly one rule each.
package ioxtest

import (
	"errors"
	"fmt"
)

// A Rule is one machine-checkable sentence of package io's contracts.
type Rule struct {
	// Name identifies the rule, such as "Read.n-bounds".
	Name string
	// Doc quotes the io doc comment that states it.
	Doc string
}

// The rules the checkers enforce.
var (
	ReadBounds      = Rule{"Read.n-bounds", "Read reads up to len(p) bytes into p. It returns the number of bytes read (0 <= n <= len(p)) and any error encountered."}
	ReadEmpty       = Rule{"Read.empty", "If len(p) == 0, Read should always return n == 0."}
	ReadNoProgress  = Rule{"Read.no-progress", "Implementations of Read are discouraged from returning a zero byte count with a nil error, except when len(p) == 0."}
	ReadEOFSticky   = Rule{"Read.eof-sticky", "a Reader returning a non-zero number of bytes at the end of the input stream may return either err == EOF or err == nil. The next Read should return 0, EOF."}
	ReadEOFIdentity = Rule{"Read.eof-identity", "Read must return EOF itself, not an error wrapping EOF, because callers will test for EOF using ==."}
	ReadRetain      = Rule{"Read.retain", "Implementations must not retain p."}
	ReadContent     = Rule{"Read.content", "Read reads up to len(p) bytes into p."}
	WriteBounds     = Rule{"Write.n-bounds", "It returns the number of bytes written from p (0 <= n <= len(p))"}
	WriteShort      = Rule{"Write.short", "Write must return a non-nil error if it returns n < len(p)."}
	WriteModify     = Rule{"Write.modify", "Write must not modify the slice data, even temporarily."}
	WriteContent    = Rule{"Write.content", "Write writes len(p) bytes from p to the underlying data stream."}
	SeekWhence      = Rule{"Seek.whence", "Seek sets the offset for the next Read or Write to offset, interpreted according to whence: SeekStart ..., SeekCurrent ..., and SeekEnd (stdlib convention: any other whence is an error)"}
	SeekNegative    = Rule{"Seek.negative", "Seeking to an offset before the start of the file is an error."}
	SeekResult      = Rule{"Seek.result", "Seek returns the new offset relative to the start of the file or an error, if any."}
	SeekRead        = Rule{"Seek.read", "Seek sets the offset for the next Read or Write to offset"}
	ReadAtBounds    = Rule{"ReadAt.n-bounds", "It returns the number of bytes read (0 <= n <= len(p)) and any error encountered."}
	ReadAtShort     = Rule{"ReadAt.short", "When ReadAt returns n < len(p), it returns a non-nil error explaining why more bytes were not returned."}
	ReadAtContent   = Rule{"ReadAt.content", "ReadAt reads len(p) bytes into p starting at offset off in the underlying input source."}
	ReadAtOffset    = Rule{"ReadAt.offset", "If ReadAt is reading from an input source with a seek offset, ReadAt should not affect nor be affected by the underlying seek offset."}
	ReadAtParallel  = Rule{"ReadAt.parallel", "Clients of ReadAt can execute parallel ReadAt calls on the same input source."}
	WriteAtBounds   = Rule{"WriteAt.n-bounds", "It returns the number of bytes written from p (0 <= n <= len(p))"}
	WriteAtShort    = Rule{"WriteAt.short", "WriteAt must return a non-nil error if it returns n < len(p)."}
	WriteAtContent  = Rule{"WriteAt.content", "WriteAt writes len(p) bytes from p to the underlying data stream at offset off."}
	WriteAtOffset   = Rule{"WriteAt.offset", "If WriteAt is writing to a destination with a seek offset, WriteAt should not affect nor be affected by the underlying seek offset."}
	ReadFromEOF     = Rule{"ReadFrom.eof", "ReadFrom reads data from r until EOF or error. ... Any error except EOF encountered during the read is also returned."}
	ReadFromCount   = Rule{"ReadFrom.count", "The return value n is the number of bytes read."}
	ReadFromError   = Rule{"ReadFrom.error", "Any error except EOF encountered during the read is also returned."}
	WriteToCount    = Rule{"WriteTo.count", "WriteTo writes data to w until there's no more data to write or when an error occurs. The return value n is the number of bytes written."}
	WriteToError    = Rule{"WriteTo.error", "Any error encountered during the write is also returned."}
	UnreadByteRule  = Rule{"UnreadByte", "UnreadByte causes the next call to ReadByte to return the last byte read."}
	ReadByteContent = Rule{"ReadByte.content", "ReadByte reads and returns the next byte from the input or any error encountered."}
	UnreadRuneRule  = Rule{"UnreadRune", "UnreadRune causes the next call to ReadRune to return the last rune read."}
	ReadRuneContent = Rule{"ReadRune.content", "ReadRune reads a single encoded Unicode character and returns the rune and its size in bytes."}
	PanicRule       = Rule{"no-panic", "(ioxtest) a method called with valid arguments must return, not panic."}
)

// A Violation is one broken rule, with what happened.
type Violation struct {
	// Rule is the rule that was broken.
	Rule Rule
	// Detail says what the implementation did, with the call and values.
	Detail string
}

// Error says which rule was broken, what happened, and quotes io.
func (v *Violation) Error() string {
	return fmt.Sprintf("%s: %s (io: %q)", v.Rule.Name, v.Detail, v.Rule.Doc)
}

// Violations returns the violations in err, which a checker returned.
func Violations(err error) []*Violation {
	var out []*Violation
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if v, ok := err.(*Violation); ok {
			out = append(out, v)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		walk(errors.Unwrap(err))
	}
	walk(err)
	return out
}

// Broke reports whether err holds a violation of rule.
func Broke(err error, rule Rule) bool {
	for _, v := range Violations(err) {
		if v.Rule.Name == rule.Name {
			return true
		}
	}
	return false
}

// TB is the part of *testing.T that [Report] uses.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// Report calls t.Errorf once per violation in err (or once with err when
// it holds none), prefixed with what; it does nothing when err is nil.
func Report(t TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	vs := Violations(err)
	if len(vs) == 0 {
		t.Errorf("%s: %v", what, err)
		return
	}
	for _, v := range vs {
		t.Errorf("%s: %v", what, v)
	}
}

// report collects violations, at most one per rule.
type report struct {
	seen map[string]bool
	errs []error
}

func (r *report) add(rule Rule, format string, args ...any) {
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if r.seen[rule.Name] {
		return
	}
	r.seen[rule.Name] = true
	r.errs = append(r.errs, &Violation{Rule: rule, Detail: fmt.Sprintf(format, args...)})
}

func (r *report) err() error { return errors.Join(r.errs...) }

// call runs f, turning a panic into a violation; it reports whether f
// returned normally.
func (r *report) call(what string, f func()) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			r.add(PanicRule, "%s panicked: %v", what, p)
			ok = false
		}
	}()
	f()
	return true
}
