package main

import (
	"errors"
	"fmt"
	"sort"
)

type Request struct {
	Path string
	ID   int
}

type Handler func(r *Request) string

func recoverer(name string, h Handler) Handler {
	return func(r *Request) (out string) {
		defer func() {
			if v := recover(); v != nil {
				out = fmt.Sprintf("500 %s: %v", name, v)
			}
		}()
		return h(r)
	}
}

func main() {
	routes := map[string]Handler{
		"/ok":    func(r *Request) string { return fmt.Sprintf("200 %d", r.ID) },
		"/panic": func(r *Request) string { panic("boom") },
		"/err":   func(r *Request) string { panic(errors.New("bad request")) },
		"/index": func(r *Request) string { return []string{"x"}[r.ID] },
		"/nil": func(r *Request) string {
			var p *Request
			return p.Path
		},
	}
	var paths []string
	for p := range routes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for i, p := range paths {
		h := recoverer(p, routes[p])
		fmt.Println(p, "->", h(&Request{Path: p, ID: i}))
	}
}
