package main

import "fmt"

type Logger struct {
	prefix string
	lines  int
}

func (l *Logger) Log(msg string) {
	l.lines++
	fmt.Println(l.prefix + msg)
}

type Server struct {
	Logger
	Name  string
	ports [2]int
}

func (s Server) String() string { return fmt.Sprintf("server %s (%d lines)", s.Name, s.lines) }

func main() {
	s := &Server{Logger: Logger{prefix: "[srv] "}, Name: "web"}
	s.ports[0] = 80
	s.Log("starting")
	defer s.Log("stopped")
	log := s.Log
	log("via method value")
	f := (*Logger).Log
	f(&s.Logger, "via method expression")
	fmt.Println(s)
	fmt.Println(s.ports, s.Logger.lines)
	var st fmt.Stringer = *s
	fmt.Println(st)
}
