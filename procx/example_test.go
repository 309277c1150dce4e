package procx_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/deferio/deferio/procx"
)

// Ending the context ends the shell and the sleep it put in the
// background, so the output pipe closes and Run returns. Here the context
// is cancelled as soon as the shell says it has started; a timeout
// (context.WithTimeout) ends it through the same Cancel.
func ExampleCommand() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd, err := procx.Command(ctx, []string{"sh", "-c", "sleep 100 & echo started; sleep 100"})
	if err != nil {
		fmt.Println(err)
		return
	}
	out := procx.NewCapture(1 << 10)
	cmd.Stdout = io.MultiWriter(out, procx.NewLineWriter(0, func(procx.Line) { cancel() }))
	err = cmd.Run()
	fmt.Printf("%q\n", out.String())
	fmt.Println(err) // the exit status wins over the context's error
	fmt.Println(ctx.Err())
	fmt.Println(procx.StatusOf(cmd.ProcessState))
	// Output:
	// "started\n"
	// signal: killed
	// context canceled
	// killed by SIGKILL
}

func ExampleCommand_badInput() {
	ctx := context.Background()
	_, err := procx.Command(ctx, nil)
	fmt.Println(err)
	_, err = procx.Command(ctx, []string{"no-such-program"})
	fmt.Println(err)
	// Output:
	// empty argv: a command needs at least a program name
	// unable to run "no-such-program": no such program in PATH: exec: "no-such-program": executable file not found in $PATH
}

func ExampleLineWriter() {
	w := procx.NewLineWriter(8, func(l procx.Line) {
		fmt.Printf("%-8q %v\n", l.Text, l.End)
	})
	w.Write([]byte("unix\nwindows\r"))
	w.Write([]byte("\n10%\r20%\rvery long line\nno end"))
	w.Close()
	// Output:
	// "unix"   LF
	// "windows" CRLF
	// "10%"    CR
	// "20%"    CR
	// "very lon" split
	// "g line" LF
	// "no end" EOF
}

func ExampleCapture() {
	c := procx.NewCapture(5)
	fmt.Fprint(c, "hello, world")
	fmt.Printf("%q dropped %d\n", c.String(), c.Dropped())
	// Output:
	// "hello" dropped 7
}

func ExamplePipeline() {
	ctx := context.Background()
	yes, _ := procx.Command(ctx, []string{"yes"})
	head, _ := procx.Command(ctx, []string{"head", "-n", "2"})
	out := procx.NewCapture(100)
	head.Stdout = out
	statuses, err := procx.Pipeline(yes, head)
	fmt.Printf("%q\n", out.String())
	for i, s := range statuses {
		fmt.Printf("stage %d: %v\n", i+1, s)
	}
	fmt.Println(err)
	// Output:
	// "y\ny\n"
	// stage 1: killed by SIGPIPE
	// stage 2: exit code 0
	// pipeline failed: stage 1 (yes) killed by SIGPIPE
}

func ExampleFromWaitStatus() {
	// The raw status wait4(2) returns: exit code in bits 8-15, the signal
	// in bits 0-6, and bit 7 set when a core was dumped.
	for _, ws := range []syscall.WaitStatus{3 << 8, 15, 11 | 0x80} {
		fmt.Printf("%#04x  %v\n", uint32(ws), procx.FromWaitStatus(0, ws, nil))
	}
	// Output:
	// 0x0300  exit code 3
	// 0x000f  killed by SIGTERM
	// 0x008b  killed by SIGSEGV (core dumped)
}

// A container's init: re-executed as PID 1 of a new PID namespace, it runs
// the user's program as its main child, reaps every orphan, forwards
// SIGTERM and friends, and exits with the main child's status. (Not run
// here: it needs to be PID 1, see TestReaperAsPID1.)
func ExampleReaper() {
	if os.Getpid() != 1 {
		return
	}
	r := procx.Reaper{OnReap: func(s procx.Status) {
		fmt.Fprintf(os.Stderr, "init: reaped %d: %v\n", s.Pid, s)
	}}
	st, err := r.Run(context.Background(), []string{"/bin/sh", "-c", "exec my-server"}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "init:", err)
		os.Exit(1)
	}
	if st.Signaled {
		os.Exit(128 + int(st.Signal))
	}
	os.Exit(st.Code)
}
