package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/deferio/deferio/container"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func cgroupVerbs() []verb {
	return []verb{
		{"pause", "ID", "freeze every process of the container", false, cmdPause},
		{"resume", "ID", "thaw a paused container (also: unpause)", false, cmdResume},
		{"unpause", "ID", "same as resume", true, cmdResume},
		{"stats", "[--json] ID", "print the container's cgroup counters", false, cmdStats},
		{"update", "[--memory N] [--pids-limit N] [--cpu-shares N] [--cpu-quota N] [--cpu-period N] [--cpuset-cpus S] [-r FILE] ID", "change the container's resource limits", false, cmdUpdate},
		{"oom", "ID", "print a line for each OOM kill in the container, until it stops", false, cmdOOM},
		{"events", "[--interval D] [--stats] ID", "print stats and OOM events as JSON lines, until it stops", false, cmdEvents},
	}
}

func cmdPause(_ context.Context, g *globals, args []string) error {
	c, err := load(g, args)
	if err != nil {
		return err
	}
	return c.Pause()
}

func cmdResume(_ context.Context, g *globals, args []string) error {
	c, err := load(g, args)
	if err != nil {
		return err
	}
	return c.Resume()
}

func cmdStats(_ context.Context, g *globals, args []string) error {
	fs := newFlags("stats", g.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := load(g, fs.Args())
	if err != nil {
		return err
	}
	st, err := c.Stats()
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(g.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	limit := func(n uint64) string {
		if n == 0 {
			return "unlimited"
		}
		return fmt.Sprint(n)
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "cpu total\t%v\n", time.Duration(st.CPU.UsageTotal))
	fmt.Fprintf(tw, "cpu user\t%v\n", time.Duration(st.CPU.UsageUser))
	fmt.Fprintf(tw, "cpu system\t%v\n", time.Duration(st.CPU.UsageSystem))
	fmt.Fprintf(tw, "cpu throttled\t%d of %d periods\n", st.CPU.ThrottledPeriods, st.CPU.Periods)
	fmt.Fprintf(tw, "memory usage\t%d bytes (peak %d)\n", st.Memory.Usage, st.Memory.MaxUsage)
	fmt.Fprintf(tw, "memory limit\t%s\n", limit(st.Memory.Limit))
	fmt.Fprintf(tw, "pids\t%d (limit %s)\n", st.Pids.Current, limit(st.Pids.Limit))
	for _, i := range st.Interfaces {
		fmt.Fprintf(tw, "net %s rx\t%d bytes, %d packets, %d errors, %d dropped\n", i.Name, i.RxBytes, i.RxPackets, i.RxErrors, i.RxDropped)
		fmt.Fprintf(tw, "net %s tx\t%d bytes, %d packets, %d errors, %d dropped\n", i.Name, i.TxBytes, i.TxPackets, i.TxErrors, i.TxDropped)
	}
	return tw.Flush()
}

func cmdUpdate(_ context.Context, g *globals, args []string) error {
	fs := newFlags("update", g.stderr)
	memory := fs.Int64("memory", 0, "memory limit in bytes")
	pids := fs.Int64("pids-limit", 0, "maximum number of tasks")
	shares := fs.Uint64("cpu-shares", 0, "CPU shares (relative weight)")
	quota := fs.Int64("cpu-quota", 0, "CPU quota in microseconds per period")
	period := fs.Uint64("cpu-period", 0, "CPU period in microseconds")
	cpus := fs.String("cpuset-cpus", "", "CPUs allowed, such as 0-1")
	file := fs.String("r", "", "a JSON file of OCI linux.resources (- for stdin)")
	if err := parse(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if len(set) == 0 {
		return usagef("nothing to update: give a limit flag or -r FILE")
	}
	c, err := load(g, fs.Args())
	if err != nil {
		return err
	}
	r := &specs.LinuxResources{}
	if *file != "" {
		f := os.Stdin
		if *file != "-" {
			if f, err = os.Open(*file); err != nil {
				return fmt.Errorf("unable to read the resources: %w", err)
			}
			defer f.Close()
		}
		if err := json.NewDecoder(f).Decode(r); err != nil {
			return fmt.Errorf("unable to parse the resources in %s: %w", *file, err)
		}
	}
	if set["memory"] {
		r.Memory = &specs.LinuxMemory{Limit: memory}
	}
	if set["pids-limit"] {
		r.Pids = &specs.LinuxPids{Limit: pids}
	}
	if set["cpu-shares"] || set["cpu-quota"] || set["cpu-period"] || set["cpuset-cpus"] {
		if r.CPU == nil {
			r.CPU = &specs.LinuxCPU{}
		}
		if set["cpu-shares"] {
			r.CPU.Shares = shares
		}
		if set["cpu-quota"] {
			r.CPU.Quota = quota
		}
		if set["cpu-period"] {
			r.CPU.Period = period
		}
		if set["cpuset-cpus"] {
			r.CPU.Cpus = *cpus
		}
	}
	return c.Update(r)
}

// untilStopped returns a context that ends when the container stops, when
// ctx ends, or on SIGINT/SIGTERM.
func untilStopped(ctx context.Context, c *container.Container) (context.Context, context.CancelFunc) {
	ctx, cancel := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if c.Status() == container.Stopped {
					cancel()
					return
				}
			}
		}
	}()
	return ctx, cancel
}

func cmdOOM(ctx context.Context, g *globals, args []string) error {
	c, err := load(g, args)
	if err != nil {
		return err
	}
	ctx, cancel := untilStopped(ctx, c)
	defer cancel()
	ch, err := c.NotifyOOM(ctx)
	if err != nil {
		return err
	}
	for ev := range ch {
		fmt.Fprintf(g.stdout, "%s OOM kill in %s (oom_kill count %d)\n", ev.Time.UTC().Format(time.RFC3339), c.ID(), ev.OOMKills)
	}
	return nil
}

// event is one line of `nsinit events`, shaped like runc's.
type event struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Data any    `json:"data,omitempty"`
}

func cmdEvents(ctx context.Context, g *globals, args []string) error {
	fs := newFlags("events", g.stderr)
	interval := fs.Duration("interval", 5*time.Second, "time between stats events")
	once := fs.Bool("stats", false, "print one stats event and exit")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *interval <= 0 {
		return usagef("--interval %v must be positive", *interval)
	}
	c, err := load(g, fs.Args())
	if err != nil {
		return err
	}
	enc := json.NewEncoder(g.stdout)
	emitStats := func() error {
		st, err := c.Stats()
		if err != nil {
			return err
		}
		return enc.Encode(event{Type: "stats", ID: c.ID(), Data: st})
	}
	if *once {
		return emitStats()
	}
	ctx, cancel := untilStopped(ctx, c)
	defer cancel()
	ooms, err := c.NotifyOOM(ctx)
	if err != nil {
		return err
	}
	t := time.NewTicker(*interval)
	defer t.Stop()
	if err := emitStats(); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-ooms:
			if !ok {
				ooms = nil
				continue
			}
			if err := enc.Encode(event{Type: "oom", ID: c.ID(), Data: ev}); err != nil {
				return err
			}
		case <-t.C:
			if err := emitStats(); err != nil && c.Status() != container.Stopped {
				return err
			}
		}
	}
}
