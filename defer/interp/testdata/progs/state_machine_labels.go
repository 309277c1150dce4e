package main

import "fmt"

type State int

const (
	Idle State = iota
	Running
	Stopped
)

var names = map[State]string{Idle: "idle", Running: "running", Stopped: "stopped"}

func (s State) String() string { return names[s] }

type Machine struct {
	state State
	log   []string
}

func (m *Machine) transition(to State) (err error) {
	from := m.state
	defer func() {
		if err == nil {
			m.log = append(m.log, fmt.Sprintf("%v->%v", from, to))
		}
	}()
	switch {
	case from == to:
		return fmt.Errorf("already %v", to)
	case from == Stopped:
		return fmt.Errorf("cannot leave %v", from)
	}
	m.state = to
	return nil
}

func main() {
	m := &Machine{}
	for _, s := range []State{Running, Running, Idle, Stopped, Running} {
		if err := m.transition(s); err != nil {
			fmt.Println("error:", err)
		}
	}
	fmt.Println(m.log, m.state)
	fmt.Printf("%v %d %s %q\n", m.state, m.state, Running, Idle)
	var st fmt.Stringer = Stopped
	fmt.Println(st)
	arr := [...]string{2: "c", 0: "a"}
	fmt.Println(len(arr), arr)
	x := 10
	ptr := &x
	pp := &ptr
	**pp = 20
	fmt.Println(x, *ptr == 20)
	fn := func(f func(int) int, v int) int { return f(f(v)) }
	fmt.Println(fn(func(n int) int { return n * 3 }, 2))
	labels := []string{}
outer:
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			if j == 2 {
				continue outer
			}
			if i == 2 {
				break outer
			}
			labels = append(labels, fmt.Sprint(i, j))
		}
	}
	fmt.Println(labels)
}
