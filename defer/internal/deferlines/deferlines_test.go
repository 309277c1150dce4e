package deferlines

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	out := "# example.com/p\n./p/main.go:6:2: open-coded defer\np/x.go:12:3: heap-allocated defer\n" +
		"/abs/q.go:1:10: stack-allocated defer\np/main.go:7:1: syntax error: unexpected }\n\n"
	want := []Line{
		{"p/main.go", 6, 2, "open-coded"},
		{"p/x.go", 12, 3, "heap-allocated"},
		{"/abs/q.go", 1, 10, "stack-allocated"},
	}
	if got, err := Parse(out); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Parse = %+v, %v; want %+v", got, err, want)
	}
	if _, err := Parse(out + "p/main.go:99999999999999999999:1: open-coded defer\n"); err == nil {
		t.Error("an out-of-range line number was accepted")
	}
	if got := want[0].Pos(); got != "6:2" {
		t.Errorf("Pos = %q", got)
	}
	for _, s := range []string{"", "# pkg", "main.go:1:1: open-coded defers", "main.go:1: open-coded defer", "main.go:a:1: heap-allocated defer"} {
		if l, ok, err := ParseLine(s); ok || err != nil {
			t.Errorf("ParseLine(%q) = %+v, %v, want no line and no error", s, l, err)
		}
	}
}
