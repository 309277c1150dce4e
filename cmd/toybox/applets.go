package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func ls(args []string) int {
	long := false
	if len(args) > 0 && args[0] == "-l" {
		long, args = true, args[1:]
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	status := 0
	for _, dir := range args {
		fi, err := os.Lstat(dir)
		if err != nil {
			status = fail("ls", err)
			continue
		}
		if !fi.IsDir() {
			printEntry(dir, fi, long)
			continue
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			status = fail("ls", err)
			continue
		}
		for _, e := range entries {
			info, err := e.Info()
			if err != nil {
				continue
			}
			printEntry(e.Name(), info, long)
		}
	}
	return status
}

func printEntry(name string, fi os.FileInfo, long bool) {
	if !long {
		fmt.Println(name)
		return
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	uid, gid := uint32(0), uint32(0)
	if st != nil {
		uid, gid = st.Uid, st.Gid
	}
	fmt.Printf("%s %5d %5d %8d %s\n", fi.Mode(), uid, gid, fi.Size(), name)
}

func cat(args []string) int {
	if len(args) == 0 {
		if _, err := io.Copy(os.Stdout, os.Stdin); err != nil {
			return fail("cat", err)
		}
		return 0
	}
	status := 0
	for _, a := range args {
		f, err := os.Open(a)
		if err != nil {
			status = fail("cat", err)
			continue
		}
		if _, err := io.Copy(os.Stdout, f); err != nil {
			status = fail("cat", err)
		}
		f.Close()
	}
	return status
}

func ps([]string) int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return fail("ps", err)
	}
	var pids []int
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, n)
		}
	}
	sort.Ints(pids)
	fmt.Printf("%5s %5s %s\n", "PID", "PPID", "CMD")
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open {
			continue
		}
		f := strings.Fields(s[close+1:])
		ppid := "?"
		if len(f) > 1 {
			ppid = f[1]
		}
		cmd := s[open+1 : close]
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && len(b) > 0 {
			cmd = strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
		}
		fmt.Printf("%5d %5s %s\n", pid, ppid, cmd)
	}
	return 0
}

func id([]string) int {
	groups, _ := syscall.Getgroups()
	gs := make([]string, len(groups))
	for i, g := range groups {
		gs[i] = strconv.Itoa(g)
	}
	fmt.Printf("uid=%d gid=%d groups=%s\n", os.Getuid(), os.Getgid(), strings.Join(gs, ","))
	return 0
}

func hostname(args []string) int {
	if len(args) == 1 {
		if err := syscall.Sethostname([]byte(args[0])); err != nil {
			return fail("hostname", err)
		}
		return 0
	}
	h, err := os.Hostname()
	if err != nil {
		return fail("hostname", err)
	}
	fmt.Println(h)
	return 0
}

func mount(args []string) int {
	if len(args) == 0 {
		return cat([]string{"/proc/self/mounts"})
	}
	typ, flags := "", uintptr(0)
	var rest []string
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "-t" && i+1 < len(args):
			typ = args[i+1]
			i++
		case args[i] == "-o" && i+1 < len(args):
			for _, o := range strings.Split(args[i+1], ",") {
				switch o {
				case "ro":
					flags |= syscall.MS_RDONLY
				case "bind":
					flags |= syscall.MS_BIND
				}
			}
			i++
		default:
			rest = append(rest, args[i])
		}
	}
	if len(rest) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mount [-t TYPE] [-o ro,bind] SRC DEST")
		return 2
	}
	if err := syscall.Mount(rest[0], rest[1], typ, flags, ""); err != nil {
		return fail("mount", err)
	}
	return 0
}

func echo(args []string) int {
	fmt.Println(strings.Join(args, " "))
	return 0
}

func sleep(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: sleep SECONDS")
		return 2
	}
	secs, err := strconv.ParseFloat(args[0], 64)
	if err != nil || secs < 0 {
		fmt.Fprintf(os.Stderr, "sleep: %q is not a number of seconds\n", args[0])
		return 2
	}
	time.Sleep(time.Duration(secs * float64(time.Second)))
	return 0
}

func env([]string) int {
	for _, e := range os.Environ() {
		fmt.Println(e)
	}
	return 0
}

func pwd([]string) int {
	d, err := os.Getwd()
	if err != nil {
		return fail("pwd", err)
	}
	fmt.Println(d)
	return 0
}

func write(args []string) int {
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: write FILE TEXT")
		return 2
	}
	if err := os.WriteFile(args[0], []byte(args[1]+"\n"), 0o644); err != nil {
		return fail("write", err)
	}
	return 0
}

func readlink(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: readlink PATH")
		return 2
	}
	t, err := os.Readlink(args[0])
	if err != nil {
		return fail("readlink", err)
	}
	fmt.Println(t)
	return 0
}

// sh runs commands separated by ";" from -c or from stdin, one line at a
// time. Words split on spaces; '...' keeps spaces. Applets run in-process
// (so sh works without links), anything else through PATH.
func sh(args []string) int {
	if len(args) >= 2 && args[0] == "-c" {
		return runLine(args[1])
	}
	if len(args) != 0 {
		fmt.Fprintln(os.Stderr, "usage: sh [-c 'CMD; CMD']")
		return 2
	}
	status := 0
	in := bufio.NewScanner(os.Stdin)
	for {
		fmt.Print("# ")
		if !in.Scan() {
			fmt.Println()
			return status
		}
		if strings.TrimSpace(in.Text()) == "exit" {
			return status
		}
		status = runLine(in.Text())
	}
}

func runLine(line string) int {
	status := 0
	for _, cmd := range strings.Split(line, ";") {
		words := splitWords(cmd)
		if len(words) == 0 {
			continue
		}
		if _, ok := applets[words[0]]; ok {
			status = run(words)
			continue
		}
		c := exec.Command(words[0], words[1:]...)
		c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
		if err := c.Run(); err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				status = ee.ExitCode()
				continue
			}
			status = fail("sh", err)
		} else {
			status = 0
		}
	}
	return status
}

func splitWords(s string) []string {
	var words []string
	var cur strings.Builder
	inQuote, have := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			inQuote, have = !inQuote, true
		case (r == ' ' || r == '\t') && !inQuote:
			if have {
				words = append(words, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	if have {
		words = append(words, cur.String())
	}
	return words
}

// hog allocates n MiB and writes to every page, so that the memory is
// really charged to the cgroup.
func hog(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: hog MIB")
		return 2
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 0 || n > 1<<20 {
		fmt.Fprintf(os.Stderr, "hog: %q is not a number of MiB\n", args[0])
		return 2
	}
	var keep [][]byte
	for i := 0; i < n; i++ {
		b := make([]byte, 1<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		keep = append(keep, b)
	}
	fmt.Printf("allocated %d MiB\n", len(keep))
	return 0
}
