package main

import "fmt"

type Point struct{ X, Y int }

func (p Point) Show()   { fmt.Println("value", p) }
func (p *Point) PShow() { fmt.Println("pointer", *p) }

func main() {
	p := Point{1, 2}
	defer p.Show()
	defer p.PShow()
	defer fmt.Println("arg", p)
	defer func() { fmt.Println("closure", p) }()
	show := p.Show
	p.X = 10
	p.Y++
	show()
	q := p
	q.X = 99
	fmt.Println(p, q, p == q)
	arr := [3]Point{{1, 1}, {2, 2}}
	brr := arr
	brr[0].X = 7
	fmt.Println(arr, brr, arr == brr)
	pp := &arr[1]
	pp.Y = 20
	fmt.Printf("%v %+v\n", arr[1], *pp)
}
