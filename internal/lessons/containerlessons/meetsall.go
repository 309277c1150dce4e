package containerlessons

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/deferio/deferio/container"
	"github.com/deferio/deferio/container/bundle"
	"github.com/deferio/deferio/internal/lesson"
	"github.com/deferio/deferio/procx/peer/peertest"
	"github.com/vishvananda/netlink"
)

// The tour's addresses; they exist only while it runs.
var (
	tourClientHost = netip.MustParsePrefix("10.214.0.1/24")
	tourClient     = netip.MustParsePrefix("10.214.0.2/24")
)

const tourNetwork = "addr=10.215.0.2/24,host=10.215.0.1/24"

func runMeetsAll(ctx context.Context, p *lesson.Page) error {
	bb, err := bundle.StaticBusybox()
	if err != nil {
		return err
	}
	l, err := newLab(ctx)
	if err != nil {
		return err
	}
	defer l.close()
	tag := strconv.Itoa(os.Getpid() % 100000)
	client, err := peertest.NewClient("dvmc"+tag, tourClientHost, tourClient)
	if err != nil {
		return err
	}
	defer client.Close()
	hostIf := "dvmh" + tag
	network, err := container.ParseNetwork(tourNetwork + ",hostname=" + hostIf)
	if err != nil {
		return err
	}

	stateRoot := filepath.Join(l.dir, "state")
	if err := meetsAllUndo(p, l, network, hostIf, stateRoot); err != nil {
		return err
	}
	return meetsAllTour(p, l, bb, client, network, hostIf, stateRoot)
}

// meetsAllUndo is the lesson's first part: a start whose last step fails
// (its published port is taken) and what the deferred cleanup undid.
func meetsAllUndo(p *lesson.Page, l *lab, network *container.Network, hostIf, stateRoot string) error {
	p.Heading("1. every setup step is undone when a later one fails")
	p.Text("Start registers one deferred cleanup before its first step; each step records what it made in state.json before making it, so the cleanup (and a later delete --force, if the runtime is killed) knows what to undo. Here the last step fails: the published port is taken.")
	p.Code("container/start.go", `func (c *Container) Start(p *Process) (err error) {
	...
	defer func() {
		if err != nil {
			if derr := c.destroy(); derr != nil {
				err = fmt.Errorf("%w (and cleaning up: %w)", err, derr)
			}
		}
	}()
	// cgroup, exec FIFO, /etc files, sealed binary, init, veth, forwarder...`)
	busy, err := net.Listen("tcp", ":0")
	if err != nil {
		return err
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port
	cfg, err := l.bundle("sleep", "10")
	if err != nil {
		return err
	}
	cfg.Network = network
	port, err := container.ParsePort(fmt.Sprintf("%d:80", busyPort))
	if err != nil {
		return err
	}
	cfg.Ports = []container.Port{port}
	c, err := container.Create(stateRoot, "undo", cfg)
	if err != nil {
		return err
	}
	var trace bytes.Buffer
	container.TraceTo(&trace)
	runErr := c.Run(&container.Process{})
	container.TraceTo(nil)
	if runErr == nil {
		c.ForceDestroy()
		return errors.New("the container started although its port was taken")
	}
	var steps []string
	for _, line := range strings.Split(strings.TrimSpace(trace.String()), "\n") {
		if f := strings.Fields(line); len(f) > 3 {
			steps = append(steps, strings.ReplaceAll(strings.Join(f[3:], " "), hostIf, "HOSTIF"))
		}
	}
	p.Output("nsinit --trace shows the same steps (times left out)", strings.Join(steps, "\n"))
	p.Output("the error", strings.ReplaceAll(runErr.Error(), strconv.Itoa(busyPort), "PORT"))
	p.Output("left behind", leftBehind(stateRoot, "undo", hostIf, cfg.Spec.Linux.CgroupsPath))
	return nil
}

// meetsAllTour is the lesson's second part: one container with a reaping
// init, a veth, a published port with a PROXY header and counted stdio.
func meetsAllTour(p *lesson.Page, l *lab, bb string, client *peertest.Client, network *container.Network, hostIf, stateRoot string) error {
	p.Heading("2. one container, every topic")
	p.Text("A toybox rootfs with busybox's sh, run with Init (a procx.Reaper as PID 1), a veth pair, port 80 published with a PROXY v2 header (peer.Relay, copying through iox), and its stdio counted by iox. The program leaves an orphan behind, answers one connection, then waits.")
	cfg, err := l.bundle("sh", "-c", "(sleep 0.1 &); peerserve 80 1; sleep 60")
	if err != nil {
		return err
	}
	if err := bundle.AddMultiCall(filepath.Join(cfg.Bundle, "rootfs"), bb, "sh", "sleep"); err != nil {
		return err
	}
	free, err := net.Listen("tcp", ":0")
	if err != nil {
		return err
	}
	hostPort := free.Addr().(*net.TCPAddr).Port
	free.Close()
	port, err := container.ParsePort(fmt.Sprintf("%d:80", hostPort))
	if err != nil {
		return err
	}
	cfg.Network, cfg.Ports, cfg.Init = network, []container.Port{port}, true
	c, err := container.Create(stateRoot, "tour", cfg)
	if err != nil {
		return err
	}
	defer c.ForceDestroy()
	out, err := os.Create(filepath.Join(l.dir, "tour.out"))
	if err != nil {
		return err
	}
	defer out.Close()
	proc := &container.Process{Stdout: out, Stderr: out, CountIO: true}
	if err := c.Run(proc); err != nil {
		return err
	}
	status := make(chan int, 1)
	go func() {
		code, err := proc.Wait()
		if err != nil {
			code = -1
		}
		status <- code
	}()

	answer, local, err := askFrom(client, netip.AddrPortFrom(tourClientHost.Addr(), uint16(hostPort)))
	if err != nil {
		return err
	}
	p.Output(fmt.Sprintf("procx/peer: the client %s dials the published port; the server inside answers", local.Addr()), maskAnswer(answer, local))

	// The orphan's sleep lasts 0.1 s; wait until it is gone from the
	// cgroup, then look for zombies among the container's children.
	var procs []string
	var zombies int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		procs, zombies = containerProcs(c)
		all := strings.Join(procs, "\n")
		if !strings.Contains(all, "sleep 0.1") && strings.Contains(all, "sleep 60") {
			break
		}
	}
	p.Output("procx: the container's processes after the orphan exited (PID 1 is the runtime's reaper, not the program)",
		strings.Join(procs, "\n")+fmt.Sprintf("\nzombies: %d", zombies))

	st, err := c.Stats()
	if err != nil {
		return err
	}
	for _, i := range st.Interfaces {
		if i.Name == "eth0" {
			p.Output("stats: eth0's counters, from the container's network namespace", fmt.Sprintf("rx %d packets, tx %d packets, rx bytes > 0: %v", i.RxPackets, i.TxPackets, i.RxBytes > 0))
		}
	}
	if err := c.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	var code int
	select {
	case code = <-status:
	case <-time.After(20 * time.Second):
		return errors.New("the container did not stop after SIGTERM")
	}
	b, err := os.ReadFile(out.Name())
	if err != nil {
		return err
	}
	counts := proc.IOCounts()
	p.Output("procx: SIGTERM to PID 1 is forwarded to the program; the reaper exits with its status", fmt.Sprintf("exit status %d (128 + SIGTERM)", code))
	p.Output("iox: the bytes the program wrote, counted on their way to the file", fmt.Sprintf("stdout+stderr counted: %d bytes; in the file: %d bytes", counts.Stdout+counts.Stderr, len(b)))
	if err := c.Destroy(); err != nil {
		return err
	}
	p.Output("after delete, left behind", leftBehind(stateRoot, "tour", hostIf, cfg.Spec.Linux.CgroupsPath))
	return nil
}

// containerProcs gives the command lines of the container's processes,
// sorted, PID 1's marked, and counts the zombies among their children.
func containerProcs(c *container.Container) ([]string, int) {
	pids, err := c.Processes()
	if err != nil {
		return []string{err.Error()}, 0
	}
	var out []string
	for _, pid := range pids {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		cmd := strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))
		for _, line := range strings.Split(string(status), "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == "NSpid:" && f[len(f)-1] == "1" {
				cmd = "PID 1: " + cmd
			}
		}
		out = append(out, cmd)
	}
	slices.Sort(out)
	zs, err := c.Zombies()
	if err != nil {
		return append(out, err.Error()), 0
	}
	return out, len(zs)
}

// leftBehind lists what a container may leave on the host: its state
// directory, its cgroup directories, the host's end of its veth.
func leftBehind(root, id, hostIf, cgroupsPath string) string {
	var found []string
	if _, err := os.Stat(filepath.Join(root, id)); err == nil {
		found = append(found, "state directory")
	}
	if dirs, _ := filepath.Glob("/sys/fs/cgroup/*" + cgroupsPath); len(dirs) > 0 {
		found = append(found, fmt.Sprintf("%d cgroup directories", len(dirs)))
	}
	if d, _ := os.Stat("/sys/fs/cgroup" + cgroupsPath); d != nil {
		found = append(found, "unified cgroup directory")
	}
	if _, err := netlink.LinkByName(hostIf); err == nil {
		found = append(found, "interface "+hostIf)
	}
	if len(found) == 0 {
		return "nothing: no state, no cgroup, no interface"
	}
	return strings.Join(found, ", ")
}
