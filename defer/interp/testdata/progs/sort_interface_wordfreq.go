package main

import (
	"fmt"
	"sort"
	"strings"
)

type Student struct {
	Name   string
	Grades []int
}

func (s Student) Avg() float64 {
	if len(s.Grades) == 0 {
		return 0
	}
	sum := 0
	for _, g := range s.Grades {
		sum += g
	}
	return float64(sum) / float64(len(s.Grades))
}

type ByAvg []Student

func (a ByAvg) Len() int           { return len(a) }
func (a ByAvg) Less(i, j int) bool { return a[i].Avg() > a[j].Avg() }
func (a ByAvg) Swap(i, j int)      { a[i], a[j] = a[j], a[i] }

func wordFreq(text string) map[string]int {
	freq := make(map[string]int)
	for _, w := range strings.Fields(strings.ToLower(text)) {
		w = strings.Trim(w, ".,!?")
		if w != "" {
			freq[w]++
		}
	}
	return freq
}

func main() {
	ss := []Student{{"ann", []int{90, 85}}, {"bob", []int{70}}, {"cid", nil}, {"dee", []int{95, 99, 100}}}
	sort.Sort(ByAvg(ss))
	for i, s := range ss {
		fmt.Printf("%d. %-4s %6.2f\n", i+1, s.Name, s.Avg())
	}
	freq := wordFreq("The cat and the hat. The END, the end!")
	type kv struct {
		k string
		v int
	}
	var kvs []kv
	for k, v := range freq {
		kvs = append(kvs, kv{k, v})
	}
	sort.Slice(kvs, func(i, j int) bool {
		if kvs[i].v != kvs[j].v {
			return kvs[i].v > kvs[j].v
		}
		return kvs[i].k < kvs[j].k
	})
	fmt.Println(kvs)
	names := []string{"zoe", "Al", "bo"}
	sort.Strings(names)
	fmt.Println(names, sort.SearchInts([]int{1, 3, 5}, 4))
}
