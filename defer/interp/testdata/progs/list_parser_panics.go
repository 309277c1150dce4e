package main

import (
	"errors"
	"fmt"
	"strings"
)

type Parser struct {
	input string
	pos   int
}

var ErrEOF = errors.New("unexpected end of input")

type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("at %d: %s", e.Pos, e.Msg) }

func (p *Parser) peek() byte {
	if p.pos >= len(p.input) {
		panic(ErrEOF)
	}
	return p.input[p.pos]
}

func (p *Parser) expect(c byte) {
	if got := p.peek(); got != c {
		panic(&SyntaxError{p.pos, fmt.Sprintf("want %q, got %q", c, got)})
	}
	p.pos++
}

func (p *Parser) list() (items []string) {
	p.expect('[')
	for p.peek() != ']' {
		start := p.pos
		for p.peek() != ',' && p.peek() != ']' {
			p.pos++
		}
		items = append(items, strings.TrimSpace(p.input[start:p.pos]))
		if p.peek() == ',' {
			p.pos++
		}
	}
	p.expect(']')
	return items
}

func Parse(s string) (items []string, err error) {
	defer func() {
		switch r := recover().(type) {
		case nil:
		case error:
			err = fmt.Errorf("parse %q: %w", s, r)
		default:
			panic(r)
		}
	}()
	p := &Parser{input: s}
	return p.list(), nil
}

func main() {
	for _, in := range []string{"[a, b,c]", "[]", "[a, b", "(x)"} {
		items, err := Parse(in)
		var se *SyntaxError
		fmt.Printf("%q -> %q err=%v eof=%v syntax=%v\n", in, items, err, errors.Is(err, ErrEOF), errors.As(err, &se))
	}
}
