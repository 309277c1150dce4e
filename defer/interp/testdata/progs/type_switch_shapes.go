package main

import (
	"fmt"
	"math"
)

type Shape interface {
	Area() float64
}

type Rect struct{ W, H float64 }
type Circle struct{ R float64 }
type Named string

func (r Rect) Area() float64    { return r.W * r.H }
func (c *Circle) Area() float64 { return math.Pi * c.R * c.R }

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case int, int64:
		return fmt.Sprintf("integer %v", x)
	case float64:
		return fmt.Sprintf("float %.2f", x)
	case Shape:
		return fmt.Sprintf("%T with area %.2f", x, x.Area())
	case error:
		return "error " + x.Error()
	case fmt.Stringer:
		return "stringer " + x.String()
	case []int:
		return fmt.Sprint("ints ", len(x))
	default:
		return fmt.Sprintf("other %T %v", x, x)
	}
}

func main() {
	shapes := []Shape{Rect{2, 3}, &Circle{1}}
	total := 0.0
	for _, s := range shapes {
		total += s.Area()
	}
	fmt.Printf("total %.3f\n", total)
	for _, v := range []any{nil, 1, int64(2), 2.5, Rect{1, 1}, &Circle{2}, fmt.Errorf("e%d", 1), []int{1, 2}, Named("n"), map[string]int{"a": 1}} {
		fmt.Println(describe(v))
	}
	defer func() {
		r := recover()
		fmt.Println("recovered:", r)
		var s Shape = Rect{}
		_ = s.(*Circle)
	}()
	var v any = Rect{}
	_ = v.(fmt.Stringer)
}
