package main

import "fmt"

type counter int

func (c counter) report(tag string) {
	fmt.Println(tag, "counter =", int(c))
}

func (c counter) next() counter { return c + 1 }

func main() {
	c := counter(1)
	defer c.report("deferred with the receiver evaluated at the defer:")
	c = c.next().next()
	defer c.report("second defer:")
	c.report("now:")
}
