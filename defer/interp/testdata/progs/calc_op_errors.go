package main

import (
	"errors"
	"fmt"
)

type Op struct {
	Name string
	Args []int
}

type OpError struct {
	Op  Op
	Err error
}

func (e OpError) Error() string { return fmt.Sprintf("%s%v: %v", e.Op.Name, e.Op.Args, e.Err) }

var ErrDiv = errors.New("division by zero")

type Calc struct {
	history []Op
	memory  map[string]float64
}

func (c *Calc) Do(op Op) (res float64, err error) {
	defer func() {
		c.history = append(c.history, op)
		if r := recover(); r != nil {
			err = OpError{op, fmt.Errorf("%v", r)}
		}
	}()
	switch op.Name {
	case "add":
		for _, a := range op.Args {
			res += float64(a)
		}
	case "div":
		if op.Args[1] == 0 {
			return 0, OpError{op, ErrDiv}
		}
		res = float64(op.Args[0]) / float64(op.Args[1])
	case "store":
		c.memory["x"] = float64(op.Args[0])
	default:
		panic("unknown op " + op.Name)
	}
	return res, nil
}

func main() {
	c := &Calc{}
	ops := []Op{{"add", []int{1, 2, 3}}, {"div", []int{7, 2}}, {"div", []int{1, 0}}, {"mul", nil}, {"store", []int{5}}, {"div", []int{1}}}
	for _, op := range ops {
		res, err := c.Do(op)
		var oe OpError
		fmt.Printf("%-6s %6.2f %v %v %v\n", op.Name, res, err, errors.Is(err, ErrDiv), errors.As(err, &oe))
	}
	fmt.Println(len(c.history), c.history[0], c.memory == nil)
	defer fmt.Println("main deferred")
	panic(OpError{Op{"final", []int{9}}, ErrDiv})
}
