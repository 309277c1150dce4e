package main

import "fmt"

type Celsius float64
type Weekday int

const (
	Sunday Weekday = iota
	Monday
	Tuesday
)

func (d Weekday) String() string { return [...]string{"Sun", "Mon", "Tue"}[d] }

type Grid [2][2]int

func main() {
	c := Celsius(36.6)
	fmt.Println(c, Monday, Tuesday+0, []Weekday{Sunday, Tuesday})
	fmt.Printf("%v %d %s %.1f\n", Monday, Monday, Tuesday, c)
	var g Grid
	g[0][1] = 5
	h := g
	h[1][0] = 7
	fmt.Println(g, h, g == h, len(g))
	m := map[Weekday]string{Monday: "work", Sunday: "rest"}
	fmt.Println(m)
	keys := map[[2]int]bool{{1, 2}: true, {0, 1}: false}
	fmt.Println(keys, keys[[2]int{1, 2}])
	type P struct{ X, Y int }
	set := map[P]int{{1, 2}: 3}
	set[P{1, 2}]++
	fmt.Println(set)
	var iface any = P{1, 2}
	switch v := iface.(type) {
	case fmt.Stringer:
		fmt.Println("stringer", v)
	case P:
		fmt.Println("P", v.X)
	}
	defer fmt.Println(Weekday(5))
}
