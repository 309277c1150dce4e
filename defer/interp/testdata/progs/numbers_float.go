package main

import (
	"fmt"
	"strconv"
)

func mean(xs []float64) (m float64) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Println("recovered:", r)
			m = -1
		}
	}()
	if len(xs) == 0 {
		panic("empty")
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

func main() {
	fmt.Println(mean([]float64{1, 2, 4}), mean(nil))
	var big int64 = 1 << 40
	fmt.Println(big, int(big>>38), 7/2, -7/2, 7%3, -7%3, 7.0/2)
	fmt.Printf("%.3f %6.2f|%-5d|%5s|%x %o %b\n", 3.14159, 2.5, 42, "hi", 255, 8, 5)
	f29 := 2.9
	fmt.Println(1e21, 1e20, 0.1+0.2, float64(3), int(f29), int(-f29))
	fmt.Println(strconv.Itoa(12), strconv.Quote("a\"b"), 6&3, 6|3, 6^3, 6&^3, ^5)
	n, err := strconv.Atoi("12a")
	fmt.Println(n, err)
	s := "héllo"
	for i := range s {
		fmt.Print(i, " ")
	}
	fmt.Println(len(s), s[1:3] == "é", s[:1])
}
