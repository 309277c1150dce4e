package main

import (
	"fmt"
	"strings"
)

func checksum(data []byte) (sum uint8) {
	defer func() { fmt.Println("checksum of", len(data), "bytes:", sum) }()
	for _, b := range data {
		sum += b
	}
	return sum
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func main() {
	b := []byte("hello, wörld")
	checksum(b)
	var i8 int8 = 127
	i8++
	var u16 uint16 = 0
	u16--
	var i32 int32 = 1 << 30
	i32 *= 4
	m8 := int8(-128)
	fmt.Println(i8, u16, i32, ^uint8(1), -m8, m8/-1)
	fmt.Println(reverse("héllo"), string(rune(65)), string(b[:5]), len(b))
	for i, r := range "aé" {
		fmt.Println(i, r, string(r))
	}
	upper := 0
	s := "Hello World"
	for i := range len(s) {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			upper++
		}
	}
	fmt.Println(upper, strings.Count(s, "o"), s[0], s[len(s)-1] == 'd')
	fmt.Println(b[0], b[:3], int(b[1])+1000)
	println(b[0], i8, 'x')
	var x float64 = 1.5
	x++
	fmt.Println(x)
	defer func() { fmt.Println("recovered:", recover()) }()
	fmt.Println(s[20])
}
