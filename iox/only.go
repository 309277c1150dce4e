package iox

import "io"

// OnlyReader returns a Reader whose only method is r's Read. It hides
// WriterTo, ReaderAt, Seeker and any other method r has, exactly as a
// struct that embeds only io.Reader would: io.Copy from it can no longer
// take a fast path through r's WriteTo, nor can the destination's ReadFrom
// recognise r (an *os.File, say) to use copy_file_range or sendfile.
func OnlyReader(r io.Reader) io.Reader { return onlyReader{r} }

type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// OnlyWriter returns a Writer whose only method is w's Write. It hides
// ReaderFrom, WriterAt, Seeker and any other method w has, so io.Copy into
// it always copies through a user-space buffer.
func OnlyWriter(w io.Writer) io.Writer { return onlyWriter{w} }

type onlyWriter struct{ w io.Writer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.w.Write(p) }
