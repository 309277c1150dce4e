// Command toybox is a static multi-call binary that makes the default
// container root filesystem: installed as /bin/toybox with a link
// /bin/NAME -> toybox per applet, it runs the applet named by argv[0]
// (or by its first argument: `toybox ls /`).
//
// Applets: ls, cat, ps, id, hostname, mount, echo, sleep, env, pwd, true,
// false, hog (allocate memory, to meet a memory limit), sh (a tiny shell: commands separated by ";", no quoting rules
// beyond single quotes), write (write text to a file, to test read-only
// mounts), readlink, and inspect, which prints the process's capability
// sets (decoded) and namespaces (/proc/self/ns links), the two things a
// container runtime changes that ordinary tools do not show.
//
// Build it static, so that it needs nothing from the rootfs:
//
//	CGO_ENABLED=0 go build -o build/toybox ./cmd/toybox
//
// `toybox --list` prints the applet names, one a line; the bundle builder
// (nsinit bundle) uses it to make the links.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type applet struct {
	usage string
	run   func(args []string) int
}

var applets map[string]applet

func init() {
	applets = map[string]applet{
		"ls":                {"ls [-l] [PATH...]: list directory contents", ls},
		"cat":               {"cat [FILE...]: print files (or stdin)", cat},
		"ps":                {"ps: list processes from /proc", ps},
		"id":                {"id: print uid, gid and groups", id},
		"hostname":          {"hostname [NAME]: print or set the host name", hostname},
		"mount":             {"mount [-t TYPE] [-o ro] SRC DEST: mount, or list mounts without arguments", mount},
		"echo":              {"echo [ARG...]: print arguments", echo},
		"sleep":             {"sleep SECONDS: sleep", sleep},
		"env":               {"env: print the environment", env},
		"pwd":               {"pwd: print the working directory", pwd},
		"true":              {"true: exit 0", func([]string) int { return 0 }},
		"false":             {"false: exit 1", func([]string) int { return 1 }},
		"sh":                {"sh [-c 'CMD; CMD']: run commands (from -c or stdin)", sh},
		"write":             {"write FILE TEXT: write TEXT to FILE", write},
		"readlink":          {"readlink PATH: print a symbolic link's target", readlink},
		"inspect":           {"inspect: print capabilities and namespaces", inspect},
		"hog":               {"hog MIB: allocate and touch MIB mebibytes, then exit (to meet a memory limit)", hog},
		"overwrite-runtime": {"overwrite-runtime SECONDS: try CVE-2019-5736 on a runtime that joins this container (escape tests)", overwriteRuntime},
		"peerserve":         {"peerserve PORT [COUNT]: answer each connection with the peer the kernel and the PROXY header name", peerserve},
	}
}

func main() {
	os.Exit(run(os.Args))
}

func run(argv []string) int {
	name := filepath.Base(argv[0])
	args := argv[1:]
	if name == "toybox" {
		if len(args) == 0 {
			usage(os.Stderr)
			return 2
		}
		switch {
		case args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" && len(args) == 1:
			usage(os.Stdout)
			return 0
		case args[0] == "help":
			a, ok := applets[args[1]]
			if !ok || len(args) > 2 {
				fmt.Fprintf(os.Stderr, "toybox: usage: help takes one applet name (toybox --list), got %q\n", strings.Join(args[1:], " "))
				return 2
			}
			fmt.Println("usage: " + a.usage)
			return 0
		}
		if args[0] == "--list" {
			for _, n := range names() {
				fmt.Println(n)
			}
			return 0
		}
		name, args = args[0], args[1:]
	}
	a, ok := applets[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "toybox: unknown applet %q (toybox --list)\n", name)
		return 127
	}
	return a.run(args)
}

func names() []string {
	var ns []string
	for n := range applets {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: toybox APPLET [ARG...]  (or call it through a link named APPLET)")
	fmt.Fprintln(w, "       toybox --list | help [APPLET]")
	for _, n := range names() {
		fmt.Fprintln(w, "  "+applets[n].usage)
	}
}

func fail(applet string, err error) int {
	fmt.Fprintf(os.Stderr, "%s: %v\n", applet, err)
	return 1
}
