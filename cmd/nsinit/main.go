// Command nsinit runs containers with package container: the classic
// nsinit verbs of libcontainer and the OCI runtime lifecycle that
// runc and the OCI runtime-tools validation speak.
//
// Usage:
//
//	nsinit [--root DIR] [--trace] VERB [FLAGS] [ARGS]
//
// The OCI lifecycle:
//
//	create --bundle DIR ID    set a container up; its init waits on a FIFO
//	                          (--console-socket PATH receives the pty master when
//	                          process.terminal is set, as with runc)
//	start ID                  let it run its program
//	state ID                  print the OCI state as JSON
//	kill ID [SIGNAL]          signal its init (default SIGTERM)
//	delete [--force] ID       remove it (--force: kill it first, in any state)
//	run [-t] --bundle DIR ID  create and start, wait, delete; exits with its status
//	                          (--trace-io: print the bytes each stdio stream moved)
//	list                      one line per container
//	ps ID                     the pids in its cgroup
//
// run and create also take:
//
//	--network addr=CIDR,host=CIDR[,gw=IP][,mtu=N]   a veth pair to the host
//	-p [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp]        publish a port (repeatable) through a
//	                          forwarder that sends a PROXY header (--proxy-protocol
//	                          none|v1|v2, default v2), so the server sees the real client
//	--init                    PID 1 is a reaping init that runs the program, forwards
//	                          signals and exits with its status (like docker run --init)
//
// and a bundle can ask for the same with the annotations org.deferio.network,
// org.deferio.ports, org.deferio.ports.proxy and org.deferio.init.
//
// Through its cgroup:
//
//	pause ID / resume ID      freeze and thaw it (unpause is resume)
//	stats [--json] ID         its cpu, memory and pids counters and each interface's
//	update [--memory N] [--pids-limit N] [--cpu-*] [-r FILE] ID
//	oom ID                    a line per OOM kill, until it stops
//	events [--interval D] [--stats] ID   stats and OOM events as JSON lines
//
// Through CRIU (criu check must pass; where it fails, both say CRIU's words
// and change nothing):
//
//	checkpoint --image-path DIR [--leave-running] ID   save its processes into DIR
//	restore --image-path DIR [--bundle DIR] ID         make container ID from them
//
// The classic verbs:
//
//	config [--bundle DIR] [ARGS...]   write the default config.json (stdout without --bundle)
//	exec [-t] [--config FILE] [--id ID] [--user UID[:GID]] [--cwd DIR] [--env K=V] [CMD ARGS...]
//	                          run a process in container ID when it runs, or run a new
//	                          container from FILE (default ./config.json) and remove it after
//	state                     without ID: the state of every container
//
// help [VERB], -h and --help print the help of the command or of one
// verb (VERB -h and VERB --help too, never taken as an ID) and exit 0.
//
// And: bundle --toybox FILE DIR [ARGS...] builds a bundle from a static
// toybox binary (cmd/toybox); lessons and lesson ID print the container
// lessons. The hidden verb init is how the runtime re-executes itself
// inside a new container; it is never typed by hand.
//
// Containers are recorded under --root (default /run/deferio). Most verbs
// need root. Usage errors exit with status 2, runtime errors with 1; run
// and exec exit with the container process's status.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/deferio/deferio/container"
)

// usageError is a problem with the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitStatus carries the status of a container process out of a verb.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func main() {
	container.Init() // never returns when this process is a container's init
	os.Exit(mainStatus(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// verb is one subcommand.
type verb struct {
	name, args, help string
	hidden           bool
	run              func(ctx context.Context, g *globals, args []string) error
}

type globals struct {
	root    string
	noColor bool
	stdout  io.Writer
	stderr  io.Writer
}

func verbs() []verb {
	return append([]verb{
		{"create", "--bundle DIR [--console-socket PATH] [--pid-file FILE] [--network SPEC] [-p PORTS] [--init] ID", "set a container up; its init waits until start", false, cmdCreate},
		{"start", "ID", "let a created container run its program", false, cmdStart},
		{"state", "[ID]", "print the OCI state of one container, or of all", false, cmdState},
		{"kill", "ID [SIGNAL]", "send SIGNAL (default SIGTERM) to the container's init", false, cmdKill},
		{"delete", "[--force] ID", "remove a stopped container (--force: kill it first, in any state)", false, cmdDelete},
		{"run", "[-t | -d] --bundle DIR [--pid-file FILE] [--network SPEC] [-p PORTS] [--init] [--trace-io] ID", "create, start, wait and delete; exit with the program's status", false, cmdRun},
		{"list", "", "list containers", false, cmdList},
		{"ps", "ID", "list the pids in the container's cgroup", false, cmdPs},
		{"checkpoint", checkpointArgs, checkpointHelp, false, cmdCheckpoint},
		{"restore", restoreArgs, restoreHelp, false, cmdRestore},
		{"config", "[--bundle DIR] [ARGS...]", "write the default config.json", false, cmdConfig},
		{"exec", "[-t] [--config FILE] [--id ID] [--user U[:G]] [--cwd DIR] [--env K=V] [--trace-io] [CMD...]", "run a process in a running container, or a new one", false, cmdExec},
		{"bundle", "--toybox FILE DIR [ARGS...]", "build a bundle (rootfs and config.json) from toybox", false, cmdBundle},
		{"lessons", "[-list]", "print every container lesson", false, cmdLessons},
		{"lesson", "ID", "print one lesson", false, cmdLesson},
		{"init", "", "internal: the container's first process", true, cmdInit},
	}, cgroupVerbs()...)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: nsinit [--root DIR] [-no-color] [--trace] VERB [FLAGS] [ARGS]")
	fmt.Fprintln(w, "\nverbs:")
	for _, v := range verbs() {
		if v.hidden {
			continue
		}
		fmt.Fprintf(w, "  %-8s %s\n           %s\n", v.name, v.args, v.help)
	}
	fmt.Fprintln(w, "  help     [VERB]\n           this help, or one verb's (VERB -h and VERB --help too)")
	fmt.Fprintln(w, "\nflags before the verb:")
	fmt.Fprintln(w, "  --root DIR   where container state lives (default /run/deferio)")
	fmt.Fprintln(w, "  -no-color    no ANSI colour in lessons")
	fmt.Fprintln(w, "  --trace      print each step of the runtime's work with its time (stderr)")
}

// mainStatus runs the command line and returns the exit status.
func mainStatus(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("nsinit", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&g.root, "root", "/run/deferio", "state directory")
	fs.BoolVar(&g.noColor, "no-color", false, "no colour")
	trace := fs.Bool("trace", false, "print each step of the runtime's work with its time, on standard error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "nsinit: %v\n", err)
		usage(stderr)
		return 2
	}
	if *trace {
		container.TraceTo(stderr)
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprintln(stderr, "nsinit: no verb given")
		usage(stderr)
		return 2
	}
	if rest[0] == "help" {
		switch len(rest) {
		case 1:
			usage(stdout)
			return 0
		case 2:
			if v, ok := findVerb(rest[1]); ok {
				verbHelp(stdout, v)
				return 0
			}
			fmt.Fprintf(stderr, "nsinit: usage: help: unknown verb %q\n", rest[1])
		default:
			fmt.Fprintf(stderr, "nsinit: usage: help takes at most one verb, got %d arguments\n", len(rest)-1)
		}
		usage(stderr)
		return 2
	}
	if v, ok := findVerb(rest[0]); ok {
		// VERB -h and VERB --help are the verb's help, never an ID.
		if len(rest) > 1 && isHelpFlag(rest[1]) {
			verbHelp(stdout, v)
			return 0
		}
		err := v.run(ctx, g, rest[1:])
		var ue usageError
		var es exitStatus
		switch {
		case err == nil:
			return 0
		case errors.As(err, &es):
			return int(es)
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "nsinit %s: %v\nusage: nsinit %s %s\n", v.name, err, v.name, v.args)
			return 2
		default:
			fmt.Fprintf(stderr, "nsinit %s: %v\n", v.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "nsinit: unknown verb %q\n", rest[0])
	usage(stderr)
	return 2
}

// findVerb returns the verb called name (init too: it is hidden from the
// help, not from the command line).
func findVerb(name string) (verb, bool) {
	for _, v := range verbs() {
		if v.name == name {
			return v, true
		}
	}
	return verb{}, false
}

func isHelpFlag(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// verbHelp prints one verb's usage and what it does.
func verbHelp(w io.Writer, v verb) {
	fmt.Fprintf(w, "usage: nsinit [--root DIR] [--trace] %s %s\n\n%s\n", v.name, v.args, v.help)
	if flags := verbFlags(v); flags != "" {
		fmt.Fprintf(w, "\nflags:\n%s", flags)
	}
}

// verbFlags returns the flags a verb defines, as flag.PrintDefaults
// prints them, by running the verb with -h: each verb parses its flags
// before anything else, and one that takes none fails to load a
// container from a state root that does not exist, so nothing is done.
func verbFlags(v verb) string {
	if v.hidden {
		return ""
	}
	var b strings.Builder
	g := &globals{root: "/nonexistent/nsinit-help", stdout: io.Discard, stderr: &b}
	if err := v.run(context.Background(), g, []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		return ""
	}
	_, defaults, _ := strings.Cut(b.String(), "\n") // after "Usage of nsinit VERB:"
	return defaults
}

// newFlags returns a verb's flag set; parse errors become usage errors.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("nsinit "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// oneID checks that args is exactly one container ID.
func oneID(args []string) (string, error) {
	if len(args) != 1 {
		return "", usagef("want one container ID, got %d arguments (%s)", len(args), strings.Join(args, " "))
	}
	if err := container.ValidateID(args[0]); err != nil {
		return "", usageError{err.Error()}
	}
	return args[0], nil
}
