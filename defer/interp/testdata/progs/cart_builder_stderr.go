package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

type Item struct {
	Name  string
	Price float64
	Qty   int
}

type Cart struct {
	Items    []Item
	Discount float64
}

func (c *Cart) Add(it Item) error {
	if it.Qty <= 0 {
		return fmt.Errorf("add %s: invalid quantity %d", it.Name, it.Qty)
	}
	for i := range c.Items {
		if c.Items[i].Name == it.Name {
			c.Items[i].Qty += it.Qty
			return nil
		}
	}
	c.Items = append(c.Items, it)
	return nil
}

func (c Cart) Total() (t float64) {
	defer func() { t = t * (1 - c.Discount) }()
	for _, it := range c.Items {
		t += it.Price * float64(it.Qty)
	}
	return t
}

func (c Cart) String() string {
	var sb strings.Builder
	for _, it := range c.Items {
		fmt.Fprintf(&sb, "%-8s %3d x %6.2f\n", it.Name, it.Qty, it.Price)
	}
	fmt.Fprintf(&sb, "total: %.2f", c.Total())
	return sb.String()
}

var ErrEmpty = errors.New("cart is empty")

func checkout(c *Cart) (err error) {
	defer func() {
		if err != nil {
			fmt.Fprintln(os.Stderr, "checkout failed:", err)
		}
	}()
	if len(c.Items) == 0 {
		return ErrEmpty
	}
	fmt.Println(c)
	return nil
}

func main() {
	c := &Cart{Discount: 0.1}
	for _, it := range []Item{{"apple", 0.5, 4}, {"pear", 0.75, 2}, {"apple", 0.5, 2}, {"plum", 1, 0}} {
		if err := c.Add(it); err != nil {
			fmt.Println("error:", err)
		}
	}
	fmt.Println(checkout(c))
	fmt.Println(errors.Is(checkout(&Cart{}), ErrEmpty))
	items := c.Items
	items[0].Qty = 100
	fmt.Println(c.Items[0].Qty, len(items), cap(items) >= len(items))
	cp := *c
	cp.Items = append([]Item(nil), c.Items...)
	cp.Items[1].Qty = 9
	fmt.Println(c.Items[1].Qty, cp.Items[1].Qty)
	if c.Total() > 10 {
		os.Exit(4)
	}
}
