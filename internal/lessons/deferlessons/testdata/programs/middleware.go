package main

import (
	"fmt"
	"sort"
)

type Handler func(path string) string

// recoverer turns a handler's panic into a 500 answer: the deferred
// closure recovers and sets the named result.
func recoverer(h Handler) Handler {
	return func(path string) (resp string) {
		defer func() {
			if v := recover(); v != nil {
				resp = fmt.Sprintf("500 %s: %v", path, v)
			}
		}()
		return h(path)
	}
}

func main() {
	routes := map[string]Handler{
		"/":      func(p string) string { return "200 home" },
		"/boom":  func(p string) string { panic("handler bug") },
		"/index": func(p string) string { return []string{"a"}[len(p)] },
	}
	paths := make([]string, 0, len(routes))
	for p := range routes {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		fmt.Println(recoverer(routes[p])(p))
	}
}
