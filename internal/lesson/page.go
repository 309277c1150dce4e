package lesson

import (
	"fmt"
	"io"
	"strings"
)

// ANSI escape sequences used when colour is on.
const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
	ansiCyan  = "\x1b[36m"
	ansiGreen = "\x1b[32m"
	ansiYel   = "\x1b[33m"
)

// A Page is where a lesson writes. It renders headings, code and program
// output for a terminal: plain text, with ANSI colour only when asked for.
// The first write error is kept and returned by [Page.Err]; later writes
// are dropped.
type Page struct {
	w     io.Writer
	color bool
	err   error
}

// NewPage returns a Page writing to w, coloured when color is true.
func NewPage(w io.Writer, color bool) *Page { return &Page{w: w, color: color} }

// Err returns the first error met while writing, if any.
func (p *Page) Err() error { return p.err }

// Color reports whether the page is coloured.
func (p *Page) Color() bool { return p.color }

func (p *Page) write(s string) {
	if p.err != nil {
		return
	}
	_, p.err = io.WriteString(p.w, s)
}

func (p *Page) style(code, s string) string {
	if !p.color || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (p *Page) title(title, id string) {
	line := strings.Repeat("═", max(len([]rune(title))+4, 40))
	p.write("\n" + p.style(ansiBold+ansiCyan, line) + "\n")
	p.write(p.style(ansiBold, "  "+title) + p.style(ansiDim, "   ["+id+"]") + "\n")
	p.write(p.style(ansiBold+ansiCyan, line) + "\n\n")
}

// Heading writes a section heading.
func (p *Page) Heading(s string) {
	p.write(p.style(ansiBold+ansiYel, "── "+s) + "\n\n")
}

// Text writes a paragraph, followed by a blank line.
func (p *Page) Text(s string) {
	p.write(strings.TrimRight(s, "\n") + "\n\n")
}

// Textf is Text with formatting.
func (p *Page) Textf(format string, args ...any) { p.Text(fmt.Sprintf(format, args...)) }

// Note writes a remark set off from the lesson's text.
func (p *Page) Note(s string) {
	p.write(p.style(ansiYel, "note: ") + strings.TrimRight(s, "\n") + "\n\n")
}

// Code shows source code under a caption (a file name, or "" for none),
// with line numbers, so the text can refer to "line 7".
func (p *Page) Code(caption, src string) {
	if caption != "" {
		p.write(p.style(ansiDim, "┌─ "+caption) + "\n")
	}
	lines := strings.Split(strings.TrimRight(src, "\n"), "\n")
	width := len(fmt.Sprint(len(lines)))
	for i, l := range lines {
		num := fmt.Sprintf("│ %*d", width, i+1)
		if l == "" {
			p.write(p.style(ansiDim, num) + "\n")
			continue
		}
		p.write(p.style(ansiDim, num+" ") + p.style(ansiGreen, strings.ReplaceAll(l, "\t", "    ")) + "\n")
	}
	p.write(p.style(ansiDim, "└─") + "\n\n")
}

// Output shows what a program really printed, under a caption such as
// "go run main.go" or "stdout". Empty output is shown as "(no output)".
func (p *Page) Output(caption, out string) {
	p.write(p.style(ansiDim, "$ "+caption) + "\n")
	out = strings.TrimRight(out, "\n")
	if out == "" {
		p.write(p.style(ansiDim, "(no output)") + "\n\n")
		return
	}
	for _, l := range strings.Split(out, "\n") {
		p.write("  " + l + "\n")
	}
	p.write("\n")
}

// Markdown writes a notes/ section for a terminal: headings lose their
// hashes and are styled, fenced code is indented, the rest is passed on.
func (p *Page) Markdown(md string) {
	inFence := false
	for _, l := range strings.Split(strings.TrimSpace(md), "\n") {
		switch {
		case strings.HasPrefix(l, "```"):
			inFence = !inFence
		case inFence:
			p.write("    " + p.style(ansiGreen, l) + "\n")
		case strings.HasPrefix(l, "#"):
			p.write(p.style(ansiBold+ansiYel, "── "+strings.TrimSpace(strings.TrimLeft(l, "#"))) + "\n")
		default:
			p.write(p.inline(l) + "\n")
		}
	}
	p.write("\n")
}

// inline renders **bold** spans: bold on a coloured page, plain otherwise.
func (p *Page) inline(l string) string {
	parts := strings.Split(l, "**")
	if len(parts)%2 == 0 { // unbalanced: leave the line as written
		return l
	}
	var b strings.Builder
	for i, part := range parts {
		if i%2 == 1 {
			part = p.style(ansiBold, part)
		}
		b.WriteString(part)
	}
	return b.String()
}

// Writer returns an io.Writer that writes straight to the page, for
// output that is already formatted (diagrams, tables).
func (p *Page) Writer() io.Writer { return pageWriter{p} }

type pageWriter struct{ p *Page }

func (w pageWriter) Write(b []byte) (int, error) {
	if w.p.err != nil {
		return 0, w.p.err
	}
	w.p.write(string(b))
	if w.p.err != nil {
		return 0, w.p.err
	}
	return len(b), nil
}
