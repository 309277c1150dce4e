package main

import (
	"errors"
	"fmt"
	"strconv"
)

type NotFound struct{ Key string }

func (e *NotFound) Error() string { return "not found: " + e.Key }

var ErrPerm = errors.New("permission denied")

func find(db map[string]string, key string) (string, error) {
	v, ok := db[key]
	if !ok {
		return "", &NotFound{key}
	}
	if v == "secret" {
		return "", fmt.Errorf("find %q: %w", key, ErrPerm)
	}
	return v, nil
}

func parse(s string) (n int, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("parse: %w", err)
		}
	}()
	return strconv.Atoi(s)
}

func main() {
	db := map[string]string{"a": "1", "b": "secret", "c": "x"}
	for _, k := range []string{"a", "b", "c", "z"} {
		v, err := find(db, k)
		var nf *NotFound
		switch {
		case errors.As(err, &nf):
			fmt.Println("as NotFound:", nf.Key, err)
		case errors.Is(err, ErrPerm):
			fmt.Println("is ErrPerm:", err)
		case err != nil:
			fmt.Println("other:", err)
		default:
			n, err := parse(v)
			fmt.Println("value", n, err)
			fmt.Println(errors.Unwrap(err) != nil)
		}
	}
	joined := errors.Join(ErrPerm, &NotFound{"q"})
	fmt.Println(joined)
	fmt.Println(errors.Is(joined, ErrPerm))
}
