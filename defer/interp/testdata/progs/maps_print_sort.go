package main

import (
	"fmt"
	"sort"
	"strings"
)

type Employee struct {
	Name string
	Age  int
	Tags []string
}

func main() {
	ages := map[string]int{"bob": 31, "alice": 29, "carol": 35}
	fmt.Println(ages, len(ages))
	delete(ages, "bob")
	ages["dave"] = 40
	fmt.Println(ages)
	if _, ok := ages["bob"]; !ok {
		fmt.Println("bob gone")
	}
	people := []Employee{{"bob", 31, nil}, {"alice", 29, []string{"x"}}, {Name: "carol", Age: 35}}
	sort.Slice(people, func(i, j int) bool { return people[i].Age > people[j].Age })
	fmt.Println(people)
	fmt.Printf("%+v\n", people[0])
	fmt.Printf("%v %d %s %q %T\n", people[1], 42, "s", "q", people)
	byLen := map[int][]string{}
	for _, w := range strings.Fields("a bb cc ddd e") {
		byLen[len(w)] = append(byLen[len(w)], w)
	}
	fmt.Println(byLen)
	keys := make([]int, 0, len(byLen))
	for k := range byLen {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	fmt.Println(keys, strings.Join(byLen[2], "+"), strings.ToUpper("done"))
	var nilMap map[string]bool
	fmt.Println(nilMap["x"], len(nilMap))
	defer func() { fmt.Println("recovered:", recover()) }()
	nilMap["x"] = true
}
