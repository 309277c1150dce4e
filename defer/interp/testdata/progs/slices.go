package main

import "fmt"

func main() {
	s := make([]int, 0, 2)
	s = append(s, 1)
	t := append(s, 2)
	u := append(s, 3)
	fmt.Println(s, t, u, len(t), cap(t))
	v := append(t, 4)
	v[0] = 99
	fmt.Println(t, v, cap(v) >= 3)
	w := v[1:3]
	fmt.Println(w, len(w))
	defer fmt.Println("deferred slice", w)
	w[0] = 7
	var names []string
	for _, n := range []string{"a", "b"} {
		names = append(names, n+n)
	}
	fmt.Println(names, len(names))
}
