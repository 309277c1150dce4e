// Package procx runs processes the way a careful program should, over
// os/exec and the system calls under it.
//
// [Command] builds an *exec.Cmd whose cancellation ends the whole process
// tree: the child is put in a process group of its own (Setpgid), and when
// the context is done the group is signalled (Cmd.Cancel) and Wait stops
// waiting for pipes after a delay (Cmd.WaitDelay), so a grandchild that
// still holds the output pipe cannot make Wait hang.
//
// [Run] does the same without exec's per-command context goroutine, and
// [Output], [CombinedOutput] and [Stream] are built on it. Around them:
// [Capture] keeps at most a fixed number of bytes of output;
// [LineWriter] turns a byte stream into lines (LF, CRLF, a lone CR; over-long
// lines are split, never lost) and [Stream] runs a command calling back once
// per line of stdout and stderr; [CombinedOutput] merges both streams in the
// order the kernel received the writes; [Pipeline] connects commands over
// os.Pipe and reports every exit status; [Status] explains how a process
// ended (exit code, signal name, core dump, CPU time and peak memory).
//
// [Reaper] is the loop a PID 1 needs: it starts a main child, reaps every
// child that exits (orphans included), forwards signals to the main child and
// returns the main child's status.
//
// The low-level helpers ([ForkExec], [Wait4], [LookPath], [PidFD]) exist for
// lessons that show what os/exec does on Linux.
package procx
