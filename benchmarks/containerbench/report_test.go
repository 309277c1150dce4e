package containerbench

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

var (
	startReport = flag.String("start-report", "", "write the container start report (report.md, chart.svg) into this directory")
	startPairs  = flag.Int("start-pairs", 20, "alternating nsinit/runc pairs the start report measures")
)

// TestStartReport measures a container start side by side: `run` of
// /bin/true by nsinit and by runc, alternating, pair after pair (the first
// of each pair alternates too); then create, start and delete apart; then
// where nsinit's time goes by its --trace steps. With -start-report DIR
// (make bench-start) it writes DIR/report.md and DIR/chart.svg from
// -start-pairs pairs; without it, it makes a report of two pairs in a
// temporary directory, so that the report cannot rot.
func TestStartReport(t *testing.T) {
	setup(t)
	dir, pairs := *startReport, *startPairs
	if dir == "" {
		dir, pairs = t.TempDir(), 2
	}
	if pairs < 1 {
		t.Fatalf("-start-pairs %d: want at least one pair", pairs)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := startRun{pairs: pairs}
	for i := range pairs {
		order := []string{"nsinit", "runc"}
		if i%2 == 1 {
			slices.Reverse(order)
		}
		for _, rt := range order {
			wall, cpu := timedRun(t, rt)
			r.wall[rtIndex(rt)] = append(r.wall[rtIndex(rt)], wall)
			r.cpu[rtIndex(rt)] = append(r.cpu[rtIndex(rt)], cpu)
		}
	}
	for i := range pairs {
		order := []string{"nsinit", "runc"}
		if i%2 == 1 {
			slices.Reverse(order)
		}
		for _, rt := range order {
			ph := timedPhases(t, rt)
			for p, d := range ph {
				r.phases[rtIndex(rt)][p] = append(r.phases[rtIndex(rt)][p], d)
			}
		}
	}
	for range pairs {
		steps, err := tracedRun()
		if err != nil {
			t.Fatal(err)
		}
		r.addTrace(steps)
	}
	if len(r.steps) == 0 {
		t.Fatal("nsinit --trace run printed no trace step")
	}
	var md bytes.Buffer
	if err := r.writeMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.md"), md.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := r.chart()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Save(7*vg.Inch, vg.Length(1.2+0.32*float64(len(r.steps)))*vg.Inch, filepath.Join(dir, "chart.svg")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| nsinit |", "| runc |", "ratio of medians", "| create |", "| delete |", "start: init forked and executed"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md.String())
		}
	}
	t.Logf("report in %s:\n%s", dir, md.String())
}

var runtimes = [2]string{"nsinit", "runc"}

func rtIndex(rt string) int { return slices.Index(runtimes[:], rt) }

func rtCommand(rt string, args ...string) *exec.Cmd {
	bin, state := nsinitBin, filepath.Join(work, "nsinit-state")
	if rt == "runc" {
		bin, state = runcBin, filepath.Join(work, "runc-state")
	}
	return exec.Command(bin, append([]string{"--root", state}, args...)...)
}

// timedRun runs one container to completion and returns the wall time
// and the CPU time of the runtime and everything it waited for (init).
func timedRun(t *testing.T, rt string) (wall, cpu time.Duration) {
	t.Helper()
	seq++
	id := fmt.Sprintf("report-%d-%d", os.Getpid(), seq)
	cmd := rtCommand(rt, "run", "--bundle", bundleDir, id)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall = time.Since(start)
	if err != nil {
		t.Fatalf("%s run: %v\n%s", rt, err, out)
	}
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// The phases timed apart: OCI create, start, and delete of the stopped
// container (the wait between start and delete is not counted).
var phaseNames = [3]string{"create", "start", "delete"}

func timedPhases(t *testing.T, rt string) [3]time.Duration {
	t.Helper()
	seq++
	id := fmt.Sprintf("report-%d-%d", os.Getpid(), seq)
	// create's process keeps the container's stdio: a pipe would make
	// the wait for create's output last until the container ends.
	out, err := os.CreateTemp(work, "phase-out-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(out.Name())
	defer out.Close()
	run := func(args ...string) time.Duration {
		cmd := rtCommand(rt, args...)
		cmd.Stdout, cmd.Stderr = out, out
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		if err != nil {
			b, _ := os.ReadFile(out.Name())
			t.Fatalf("%s %s: %v\n%s", rt, strings.Join(args, " "), err, b)
		}
		return d
	}
	var ph [3]time.Duration
	ph[0] = run("create", "--bundle", bundleDir, id)
	ph[1] = run("start", id)
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := rtCommand(rt, "state", id).Output()
		if err == nil && bytes.Contains(b, []byte(`"stopped"`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: container %s did not stop: %v %s", rt, id, err, b)
		}
		time.Sleep(time.Millisecond)
	}
	ph[2] = run("delete", id)
	return ph
}

// A traceStep is one line of `nsinit --trace`: its label and how long
// the step took.
type traceStep struct {
	label string
	d     time.Duration
}

var traceLine = regexp.MustCompile(`^trace +([0-9.]+)ms +[0-9.]+ms  (.+)$`)

// parseTrace reads the trace lines of `nsinit --trace` output.
func parseTrace(r io.Reader) ([]traceStep, error) {
	var steps []traceStep
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := traceLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		ms, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return nil, fmt.Errorf("trace line %q: %w", sc.Text(), err)
		}
		steps = append(steps, traceStep{m[2], time.Duration(ms * float64(time.Millisecond))})
	}
	return steps, sc.Err()
}

func tracedRun() ([]traceStep, error) {
	seq++
	id := fmt.Sprintf("report-%d-%d", os.Getpid(), seq)
	cmd := exec.Command(nsinitBin, "--root", filepath.Join(work, "nsinit-state"), "--trace", "run", "--bundle", bundleDir, id)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("nsinit --trace run: %v\n%s", err, out)
	}
	return parseTrace(bytes.NewReader(out))
}

type startRun struct {
	pairs  int
	wall   [2][]time.Duration
	cpu    [2][]time.Duration
	phases [2][3][]time.Duration
	steps  []string // trace labels in the order they came
	trace  map[string][]time.Duration
}

func (r *startRun) addTrace(steps []traceStep) {
	if r.trace == nil {
		r.trace = map[string][]time.Duration{}
	}
	for _, s := range steps {
		if _, ok := r.trace[s.label]; !ok {
			r.steps = append(r.steps, s.label)
		}
		r.trace[s.label] = append(r.trace[s.label], s.d)
	}
}

// median returns the middle of ds (the mean of the two middle ones for
// an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// medianInterval returns a distribution-free interval that holds the
// true median with at least 95% confidence: the order statistics
// s[k-1] and s[n-k] for the largest k with P(Binomial(n, 1/2) < k) <=
// 2.5%. Below six runs no such k exists and the interval is the range.
func medianInterval(ds []time.Duration) (lo, hi time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0, 0
	}
	k := 0
	cum := 0.0
	for j := 0; j < n/2; j++ {
		cum += binomial(n, j) / math.Pow(2, float64(n))
		if cum > 0.025 {
			break
		}
		k = j + 1
	}
	if k == 0 {
		return s[0], s[n-1]
	}
	return s[k-1], s[n-k]
}

func binomial(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) }

func (r *startRun) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Container start: nsinit and runc side by side\n\n")
	fmt.Fprintf(&b, "%s. `run` of /bin/true on the same toybox bundle, %d alternating pairs (the first of each pair alternates too); wall time from outside the runtime, CPU time of the runtime and its init.\n\n", machine(), r.pairs)
	fmt.Fprintf(&b, "| runtime | median ms | 95%% interval of the median | min-max | CPU median ms |\n|---|---|---|---|---|\n")
	for i, rt := range runtimes {
		lo, hi := medianInterval(r.wall[i])
		fmt.Fprintf(&b, "| %s | %s | %s-%s | %s-%s | %s |\n", rt, ms(median(r.wall[i])), ms(lo), ms(hi), ms(slices.Min(r.wall[i])), ms(slices.Max(r.wall[i])), ms(median(r.cpu[i])))
	}
	ratios := make([]float64, r.pairs)
	for i := range ratios {
		ratios[i] = float64(r.wall[0][i]) / float64(r.wall[1][i])
	}
	slices.Sort(ratios)
	fmt.Fprintf(&b, "\nratio of medians (nsinit / runc): **%.2f**; per pair: median %.2f, range %.2f-%.2f; CPU ratio of medians %.2f.\n\n",
		float64(median(r.wall[0]))/float64(median(r.wall[1])), medianFloat(ratios), ratios[0], ratios[len(ratios)-1],
		float64(median(r.cpu[0]))/float64(median(r.cpu[1])))
	fmt.Fprintf(&b, "## create, start, delete apart\n\nThe same bundle, %d alternating pairs, each verb its own process; median ms (the wait between start and delete is not counted).\n\n", r.pairs)
	fmt.Fprintf(&b, "| verb | nsinit | runc | ratio |\n|---|---|---|---|\n")
	for p, name := range phaseNames {
		n, c := median(r.phases[0][p]), median(r.phases[1][p])
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f |\n", name, ms(n), ms(c), float64(n)/float64(c))
	}
	fmt.Fprintf(&b, "\n## Where nsinit's time goes\n\n`nsinit --trace run`, %d runs: each step's time since the previous one, median and quartiles (ms). The time before the first step is the runtime's own start (exec, Go runtime, flags, bundle).\n\n", r.pairs)
	fmt.Fprintf(&b, "| step | median | quartiles |\n|---|---|---|\n")
	for _, s := range r.steps {
		q1, q3 := quartiles(r.trace[s])
		fmt.Fprintf(&b, "| %s | %s | %s-%s |\n", s, ms(median(r.trace[s])), ms(q1), ms(q3))
	}
	fmt.Fprintf(&b, "\n![the trace steps](chart.svg)\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func medianFloat(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func quartiles(ds []time.Duration) (q1, q3 time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	return s[(n-1)/4], s[(3*(n-1)+3)/4]
}

// machine names what the figures were measured on.
func machine() string {
	var u syscall.Utsname
	kernel := "?"
	if syscall.Uname(&u) == nil {
		kernel = utsString(u.Release[:])
	}
	runc := "runc"
	if out, err := exec.Command(runcBin, "--version").Output(); err == nil {
		runc = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	cores := 0
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		cores = bytes.Count(b, []byte("\nprocessor"))
		if bytes.HasPrefix(b, []byte("processor")) {
			cores++
		}
	}
	return fmt.Sprintf("Linux %s, %d cores, %s", kernel, cores, runc)
}

func utsString(b []int8) string {
	var s []byte
	for _, c := range b {
		if c == 0 {
			break
		}
		s = append(s, byte(c))
	}
	return string(s)
}

// chart draws each trace step's median as a horizontal bar, the first
// step on top, with its quartiles as an error bar.
func (r *startRun) chart() (*plot.Plot, error) {
	if len(r.steps) == 0 {
		return nil, errors.New("no trace steps to chart")
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("nsinit --trace run: where a start goes (%d runs)", r.pairs)
	p.X.Label.Text = "ms since the previous step: median, quartiles"
	n := len(r.steps)
	vals := make(plotter.Values, n)
	labels := make([]string, n)
	var errs plotterXErrors
	for i, s := range r.steps {
		y := n - 1 - i
		m := median(r.trace[s])
		vals[y] = float64(m) / 1e6
		labels[y] = s
		q1, q3 := quartiles(r.trace[s])
		errs = append(errs, xErr{float64(m) / 1e6, float64(y), float64(m-q1) / 1e6, float64(q3-m) / 1e6})
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(10))
	if err != nil {
		return nil, err
	}
	bars.Horizontal = true
	bars.LineStyle.Width = 0
	bars.Color = plotColor
	p.Add(plotter.NewGrid(), bars)
	eb, err := plotter.NewXErrorBars(errs)
	if err != nil {
		return nil, err
	}
	p.Add(eb)
	p.NominalY(labels...)
	return p, nil
}

var plotColor = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}

type xErr struct{ x, y, lo, hi float64 }

type plotterXErrors []xErr

func (e plotterXErrors) Len() int                        { return len(e) }
func (e plotterXErrors) XY(i int) (float64, float64)     { return e[i].x, e[i].y }
func (e plotterXErrors) XError(i int) (float64, float64) { return e[i].lo, e[i].hi }

// TestMedianInterval checks the interval against the binomial table: for
// 20 runs the 95% interval of the median is the 6th to the 15th value.
func TestMedianInterval(t *testing.T) {
	var ds []time.Duration
	for i := 20; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	lo, hi := medianInterval(ds)
	if lo != 6*time.Millisecond || hi != 15*time.Millisecond {
		t.Errorf("medianInterval of 1..20 ms = %v-%v, want 6ms-15ms", lo, hi)
	}
	if m := median(ds); m != 10500*time.Microsecond {
		t.Errorf("median of 1..20 ms = %v, want 10.5ms", m)
	}
	lo, hi = medianInterval(ds[:4])
	if lo != 17*time.Millisecond || hi != 20*time.Millisecond {
		t.Errorf("medianInterval of four runs = %v-%v, want their range 17ms-20ms", lo, hi)
	}
}

func TestParseTrace(t *testing.T) {
	in := "trace    2.035ms    2.035ms  start: begin\nsomething else\ntrace    0.467ms    3.818ms  start: sealed binary ready\n"
	steps, err := parseTrace(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 2 || steps[1].label != "start: sealed binary ready" || steps[1].d != 467*time.Microsecond {
		t.Errorf("parseTrace = %+v", steps)
	}
}
