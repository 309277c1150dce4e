package procx_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/deferio/deferio/procx"
)

func collect(maxLine int, chunks ...string) []procx.Line {
	var got []procx.Line
	w := procx.NewLineWriter(maxLine, func(l procx.Line) { got = append(got, l) })
	for _, c := range chunks {
		w.Write([]byte(c))
	}
	w.Close()
	return got
}

func render(ls []procx.Line) string {
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "%q/%v ", l.Text, l.End)
	}
	return strings.TrimSpace(b.String())
}

func TestLineWriter(t *testing.T) {
	tests := []struct {
		name   string
		max    int
		chunks []string
		want   string
	}{
		{"LF", 0, []string{"a\nb\n"}, `"a"/LF "b"/LF`},
		{"CRLF is one terminator", 0, []string{"a\r\nb\r\n"}, `"a"/CRLF "b"/CRLF`},
		{"CRLF split across writes", 0, []string{"a\r", "\nb"}, `"a"/CRLF "b"/EOF`},
		{"lone CR", 0, []string{"10%\r20%\rdone\n"}, `"10%"/CR "20%"/CR "done"/LF`},
		{"CR at the very end", 0, []string{"x\r"}, `"x"/CR`},
		{"CR CR LF", 0, []string{"a\r\r\n"}, `"a"/CR ""/CRLF`},
		{"LF CR", 0, []string{"a\n\rb"}, `"a"/LF ""/CR "b"/EOF`},
		{"empty lines", 0, []string{"\n\n"}, `""/LF ""/LF`},
		{"no terminator", 0, []string{"tail"}, `"tail"/EOF`},
		{"nothing", 0, nil, ``},
		{"split long line", 4, []string{"abcdefghij\n"}, `"abcd"/split "efgh"/split "ij"/LF`},
		{"exactly the limit is not split", 4, []string{"abcd\nefgh"}, `"abcd"/LF "efgh"/EOF`},
		{"split across writes", 3, []string{"ab", "cd", "ef", "g\r\n"}, `"abc"/split "def"/split "g"/CRLF`},
		{"limit 1", 1, []string{"ab\n"}, `"a"/split "b"/LF`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(collect(tt.max, tt.chunks...)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// reassemble turns lines back into bytes. It is exact because every
// terminator is kept as its End.
func reassemble(ls []procx.Line) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.Text)
		switch l.End {
		case procx.EndLF:
			b.WriteString("\n")
		case procx.EndCRLF:
			b.WriteString("\r\n")
		case procx.EndCR:
			b.WriteString("\r")
		}
	}
	return b.String()
}

// FuzzLineWriter checks that no byte is lost or invented, that pieces
// respect the limit, and that how the input is cut into Writes does not
// change the lines.
func FuzzLineWriter(f *testing.F) {
	f.Add([]byte("a\r\nb\rc\n"), uint8(3), uint8(2))
	f.Add([]byte("\r\r\n\n\r"), uint8(1), uint8(1))
	f.Add([]byte("long line without end"), uint8(5), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, maxLine, cut uint8) {
		limit := int(maxLine)%16 + 1
		whole := collect(limit, string(data))
		var chunks []string
		step := int(cut)%7 + 1
		for i := 0; i < len(data); i += step {
			chunks = append(chunks, string(data[i:min(i+step, len(data))]))
		}
		cutUp := collect(limit, chunks...)
		if render(whole) != render(cutUp) {
			t.Fatalf("whole %s\ncut   %s", render(whole), render(cutUp))
		}
		if got := reassemble(whole); got != string(data) {
			t.Fatalf("reassembled %q, want %q", got, data)
		}
		for i, l := range whole {
			if len(l.Text) > limit {
				t.Fatalf("line %d is %d bytes, limit %d", i, len(l.Text), limit)
			}
			if l.End == procx.EndSplit && len(l.Text) != limit {
				t.Fatalf("split piece %d is %d bytes, want %d", i, len(l.Text), limit)
			}
			if l.End == procx.EndEOF && i != len(whole)-1 {
				t.Fatalf("EOF line %d is not last", i)
			}
		}
	})
}

func TestStream(t *testing.T) {
	script := `printf 'one\r\ntwo\rthree\n'; printf 'e1\ne2' >&2; printf '%0200d\n' 0`
	var out, errs []string
	st, err := procx.Stream(context.Background(), []string{"sh", "-c", script}, 64, func(src procx.Source, l procx.Line) {
		s := fmt.Sprintf("%s/%v", l.Text, l.End)
		if src == procx.FromStdout {
			out = append(out, s)
		} else {
			errs = append(errs, s)
		}
	})
	if err != nil || !st.Success() {
		t.Fatalf("%v %v", st, err)
	}
	zeros := strings.Repeat("0", 64)
	want := []string{"one/CRLF", "two/CR", "three/LF", zeros + "/split", zeros + "/split", zeros + "/split", "00000000/LF"}
	if strings.Join(out, " ") != strings.Join(want, " ") {
		t.Errorf("stdout lines %q\nwant %q", out, want)
	}
	if strings.Join(errs, " ") != "e1/LF e2/EOF" {
		t.Errorf("stderr lines %q", errs)
	}
	if _, err := procx.Stream(context.Background(), []string{"true"}, 0, nil); err == nil {
		t.Error("nil callback accepted")
	}
	if procx.FromStderr.String() != "stderr" || procx.EndSplit.String() != "split" || procx.End(9).String() != "End(9)" {
		t.Error("names")
	}
}
