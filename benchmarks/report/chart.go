package report

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// palette gives each strategy a colour; other values get grey.
var palette = map[string]color.RGBA{
	"direct":          {0x44, 0x44, 0x44, 0xff},
	"open-coded":      {0x1b, 0x9e, 0x77, 0xff},
	"stack-allocated": {0x75, 0x70, 0xb3, 0xff},
	"heap-allocated":  {0xd9, 0x5f, 0x02, 0xff},
}

// Chart draws the table as a dot plot: one line per row, the median ns/op
// as a dot coloured by the row's strategy, its confidence interval as a
// bar, and the ratio to the baseline written beside it. The ns/op axis is
// logarithmic, because a panic costs hundreds of times a call.
func (t *Table) Chart(title string) (*plot.Plot, error) {
	if len(t.Rows) == 0 {
		return nil, errors.New("unable to chart an empty table")
	}
	p := plot.New()
	p.Title.Text = title
	runs := 0
	for _, r := range t.Rows {
		runs = max(runs, r.Runs)
	}
	p.X.Label.Text = fmt.Sprintf("ns/op: median and 95%% CI of %d runs, log scale; ratio to %s", runs, t.Baseline)
	if where := strings.TrimSpace(t.Config["goversion"] + " " + t.Config["goos"] + "/" + t.Config["goarch"] + " " + t.Config["cpu"]); where != "/" {
		p.X.Label.Text += "\n" + where
	}
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Add(plotter.NewGrid())

	n := len(t.Rows)
	labels := make([]string, n)
	lo, hi := math.Inf(1), math.Inf(-1)
	var order []string
	groups := map[string]plotter.XYs{}
	var bars plotterXErrors
	var texts plotter.XYLabels
	for i, r := range t.Rows {
		y := float64(n - 1 - i) // the first row on top
		labels[n-1-i] = r.Label
		c := r.NsOp
		if !(c.Center > 0) {
			return nil, fmt.Errorf("unable to chart %s: ns/op %v is not positive", r.Label, c.Center)
		}
		low, high := c.Lo, c.Hi
		if !(low > 0) || math.IsInf(low, 0) {
			low = c.Center
		}
		if math.IsInf(high, 0) || math.IsNaN(high) {
			high = c.Center
		}
		lo, hi = math.Min(lo, low), math.Max(hi, high)
		s := r.Sample.Key("strategy")
		if _, ok := groups[s]; !ok {
			order = append(order, s)
		}
		groups[s] = append(groups[s], plotter.XY{X: c.Center, Y: y})
		bars.xys = append(bars.xys, plotter.XY{X: c.Center, Y: y})
		bars.errs = append(bars.errs, struct{ Low, High float64 }{c.Center - low, high - c.Center})
		texts.XYs = append(texts.XYs, plotter.XY{X: high, Y: y})
		texts.Labels = append(texts.Labels, "  "+formatNs(c.Center)+" ns  "+formatRatio(r.Ratio))
	}
	p.X.Min = math.Pow(10, math.Floor(math.Log10(lo)))
	p.X.Max = math.Pow(10, math.Ceil(math.Log10(hi*4))) // room for the labels
	p.NominalY(labels...)
	p.Y.Min, p.Y.Max = -0.7, float64(n)-0.3

	eb, err := plotter.NewXErrorBars(bars)
	if err != nil {
		return nil, fmt.Errorf("unable to draw the intervals: %w", err)
	}
	eb.LineStyle.Width = vg.Points(1.2)
	p.Add(eb)
	for _, s := range order {
		sc, err := plotter.NewScatter(groups[s])
		if err != nil {
			return nil, fmt.Errorf("unable to draw %s: %w", s, err)
		}
		col, ok := palette[s]
		if !ok {
			col = color.RGBA{0x99, 0x99, 0x99, 0xff}
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(4.5), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		name := s
		if name == "" {
			name = "(no strategy)"
		}
		p.Legend.Add(name, sc)
	}
	lb, err := plotter.NewLabels(texts)
	if err != nil {
		return nil, fmt.Errorf("unable to draw the labels: %w", err)
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].YAlign = draw.YCenter
	}
	p.Add(lb)
	p.Legend.Top = true
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(4)
	p.Legend.YOffs = -vg.Points(4)
	return p, nil
}

// plotterXErrors feeds plotter.NewXErrorBars.
type plotterXErrors struct {
	xys  plotter.XYs
	errs plotter.XErrors
}

func (e plotterXErrors) Len() int                    { return len(e.xys) }
func (e plotterXErrors) XY(i int) (float64, float64) { return e.xys[i].X, e.xys[i].Y }
func (e plotterXErrors) XError(i int) (float64, float64) {
	return e.errs[i].Low, e.errs[i].High
}

// SaveChart draws the table with [Table.Chart] and saves it to each of
// paths; the extension of each path (.svg, .png, .pdf ...) picks the format.
func (t *Table) SaveChart(title string, paths ...string) error {
	p, err := t.Chart(title)
	if err != nil {
		return err
	}
	w := 9 * vg.Inch
	h := vg.Length(len(t.Rows))*0.36*vg.Inch + 1.6*vg.Inch
	for _, path := range paths {
		if !slices.Contains([]string{".svg", ".png", ".pdf", ".jpg", ".jpeg", ".eps", ".tif", ".tiff"}, filepath.Ext(path)) {
			return fmt.Errorf("unable to save chart %s: unknown image format %q", path, filepath.Ext(path))
		}
		if err := p.Save(w, h, path); err != nil {
			os.Remove(path)
			return fmt.Errorf("unable to save chart %s: %w", path, err)
		}
	}
	return nil
}
