package main

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"os"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The chart: for every workload that sync.Pool ran, a panel of horizontal
// bars, one row per contender and one bar per -cpu value, each the
// contender's time relative to sync.Pool's on a log scale, from the 1× line:
// left is faster, right is slower. This module's contenders are blue, the
// peers orange; a -cpu value's shade darkens with its place in -cpu; the
// fallback rows (NAME/fallback) are bars drawn in outline. The legend is a
// strip above the panels.

// Chart layout.
const (
	chartPanelWidth = 5.5 * vg.Inch
	chartRowHeight  = 0.24 * vg.Inch // per contender row
	chartPanelExtra = 1.1 * vg.Inch  // title, axis and margins of a panel
	chartLegend     = 0.45 * vg.Inch // the legend strip
	chartPerRow     = 2              // panels side by side
)

// Colour families: blues for this module's contenders, oranges for the
// peers, light to dark with the -cpu value's place.
var (
	projectShades = []color.RGBA{{158, 202, 225, 255}, {66, 146, 198, 255}, {8, 81, 156, 255}, {8, 48, 107, 255}}
	peerShades    = []color.RGBA{{253, 208, 162, 255}, {253, 141, 60, 255}, {217, 72, 1, 255}, {127, 39, 4, 255}}
	oneLineColour = color.Gray{Y: 40}
)

// plotFile writes the chart of rep to path as SVG.
func plotFile(path string, rep *Report) error {
	cpus := distinct(rep.Results, everyResult, func(r Result) int { return r.CPU })
	slices.Sort(cpus)
	var panels []*plot.Plot
	rows := 0
	for _, name := range distinct(rep.Results, everyResult, func(r Result) string { return r.Workload }) {
		p, n := ratioPanel(name, rep.Results, cpus)
		if p != nil {
			panels = append(panels, p)
			rows = max(rows, n)
		}
	}
	if len(panels) == 0 {
		return fmt.Errorf("-plot: no workload ran sync.Pool (%s), nothing to compare with", referenceImpl)
	}
	cols := min(len(panels), chartPerRow)
	grid := make([][]*plot.Plot, (len(panels)+cols-1)/cols)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, p := range panels {
		grid[i/cols][i%cols] = p
	}
	panelHeight := chartPanelExtra + chartRowHeight*vg.Length(rows)
	width, height := chartPanelWidth*vg.Length(cols), panelHeight*vg.Length(len(grid))+chartLegend
	canvas := vgsvg.New(width, height)
	dc := draw.New(canvas)
	// A white background: the SVG is also read on dark pages.
	dc.FillPolygon(color.White, []vg.Point{{X: 0, Y: 0}, {X: width, Y: 0}, {X: width, Y: height}, {X: 0, Y: height}})
	legendArea := draw.Crop(dc, vg.Inch/4, 0, height-chartLegend, 0)
	chartLegendOf(cpus).Draw(legendArea)
	panelsArea := draw.Crop(dc, 0, 0, 0, -chartLegend)
	pad := vg.Millimeter * 2
	tiles := draw.Tiles{Rows: len(grid), Cols: cols, PadX: pad * 3, PadY: pad * 2,
		PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad * 2}
	canvases := plot.Align(grid, tiles, panelsArea)
	for i := range grid {
		for j, p := range grid[i] {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := canvas.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ratioPanel draws one workload's bars, or returns nil if sync.Pool did
// not run it. It also returns its number of contender rows.
func ratioPanel(workload string, results []Result, cpus []int) (*plot.Plot, int) {
	bars, rows := panelBars(workload, results, cpus)
	if bars == nil {
		return nil, 0
	}
	var ticks []plot.Tick
	for y, impl := range rows {
		ticks = append(ticks, plot.Tick{Value: float64(y), Label: impl})
	}
	p := plot.New()
	p.Title.Text = workload + " — time ÷ sync.Pool's (left is faster)"
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.X.Scale = plot.LogScale{}
	lo, hi := bars.xRange()
	p.X.Min, p.X.Max = min(lo/1.25, 0.5), max(hi*1.25, 2) // 0.5× to 2× at least, in every panel
	p.X.Tick.Marker = ratioTicks{}
	p.X.Label.Text = "ns/op ÷ sync.Pool's ns/op at the same -cpu (log scale)"
	p.X.Label.TextStyle.Font.Size = vg.Points(9)
	p.Y.Min, p.Y.Max = -0.5, float64(len(rows))-0.5
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Label.Font.Size = vg.Points(9)
	p.Y.Tick.Length = 0
	p.Add(bars)
	return p, len(rows)
}

// panelBars returns the bars of one workload's panel and the contender of
// each row, bottom row first: every contender but sync.Pool, the one with
// the best geometric mean of its ratios on top. It returns nil if sync.Pool
// did not run the workload.
func panelBars(workload string, results []Result, cpus []int) (*ratioBars, []string) {
	if !slices.ContainsFunc(results, func(r Result) bool { return r.Workload == workload && r.Impl == referenceImpl }) {
		return nil, nil
	}
	refs := referencesOf(results)
	type row struct {
		impl   string
		ratios map[int]float64
		mean   float64 // of the logarithms
	}
	var rows []*row
	for _, impl := range distinct(results, ofWorkload(workload), func(r Result) string { return r.Impl }) {
		if impl == referenceImpl {
			continue
		}
		rw := &row{impl: impl, ratios: map[int]float64{}}
		for i := range results {
			r := &results[i]
			if r.Workload != workload || r.Impl != impl {
				continue
			}
			if base, ok := refs.base(r); ok {
				rw.ratios[r.CPU] = r.median(nsPerOp) / base
				rw.mean += math.Log(rw.ratios[r.CPU])
			}
		}
		if len(rw.ratios) > 0 {
			rw.mean /= float64(len(rw.ratios))
			rows = append(rows, rw)
		}
	}
	slices.SortStableFunc(rows, func(a, b *row) int { return cmp.Compare(b.mean, a.mean) })

	bars := &ratioBars{}
	var impls []string
	thickness := 0.8 / float64(len(cpus))
	for y, rw := range rows {
		impls = append(impls, rw.impl)
		name, fallback := (&Result{Impl: rw.impl}).contender()
		shades := peerShades
		if c := lookupContender(name); c != nil && c.Fallback {
			shades = projectShades
		}
		for k, cpu := range cpus {
			if ratio, ok := rw.ratios[cpu]; ok {
				center := float64(y) + 0.4 - thickness*(float64(k)+0.5) // the first -cpu value on top
				bars.add(ratioBar{y: center, thickness: thickness, ratio: ratio,
					colour: shadeFor(shades, k, len(cpus)), outline: fallback})
			}
		}
	}
	return bars, impls
}

// A ratioBar is one contender's ratio at one -cpu value.
type ratioBar struct {
	y, thickness float64 // centre and thickness, in rows
	ratio        float64
	colour       color.Color
	outline      bool // a fallback row: drawn in outline
}

// ratioBars draws bars from the 1× line to each ratio, and the line.
type ratioBars struct{ bars []ratioBar }

func (b *ratioBars) add(bar ratioBar) { b.bars = append(b.bars, bar) }

// xRange returns the smallest and largest ratio, 1 included.
func (b *ratioBars) xRange() (lo, hi float64) {
	lo, hi = 1, 1
	for _, bar := range b.bars {
		lo, hi = min(lo, bar.ratio), max(hi, bar.ratio)
	}
	return lo, hi
}

// DataRange makes plot.Plot's axes cover the bars.
func (b *ratioBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	lo, hi := b.xRange()
	return lo, hi, -0.5, 0.5
}

// Plot draws the bars, then the 1× line over them.
func (b *ratioBars) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	one := trX(1)
	for _, bar := range b.bars {
		x := trX(bar.ratio)
		y0, y1 := trY(bar.y-bar.thickness/2), trY(bar.y+bar.thickness/2)
		rect := []vg.Point{{X: one, Y: y0}, {X: x, Y: y0}, {X: x, Y: y1}, {X: one, Y: y1}}
		if bar.outline {
			c.StrokeLines(draw.LineStyle{Color: bar.colour, Width: vg.Points(1.2)}, append(rect, rect[0]))
			continue
		}
		c.FillPolygon(bar.colour, rect)
	}
	c.StrokeLine2(draw.LineStyle{Color: oneLineColour, Width: vg.Points(1)}, one, c.Min.Y, one, c.Max.Y)
}

// ratioTicks marks powers of two as ratios (0.25×, 0.5×, 1×, 2×, …), every
// one when they are few and every second, fourth, … when the range is wide,
// always including 1×.
type ratioTicks struct{}

// maxRatioTicks bounds the labels on a ratio axis.
const maxRatioTicks = 7

func (ratioTicks) Ticks(lo, hi float64) []plot.Tick {
	first, last := math.Ceil(math.Log2(lo)), math.Floor(math.Log2(hi))
	step := math.Max(1, math.Ceil((last-first+1)/maxRatioTicks))
	var ticks []plot.Tick
	for e := math.Ceil(first/step) * step; e <= last; e += step {
		v := math.Exp2(e)
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 3, 64) + "×"})
	}
	return ticks
}

// chartLegendOf returns the legend strip: the two families, the fallback
// outline, and the shade of each -cpu value.
func chartLegendOf(cpus []int) *horizontalLegend {
	l := &horizontalLegend{}
	dark := len(cpus) - 1
	l.add("this module (rseq)", swatch{fill: shadeFor(projectShades, dark, len(cpus))})
	l.add("this module, fallback (PERCPU_RSEQ=off)", swatch{stroke: shadeFor(projectShades, dark, len(cpus))})
	l.add("peers", swatch{fill: shadeFor(peerShades, dark, len(cpus))})
	for k, cpu := range cpus {
		l.add("-cpu "+strconv.Itoa(cpu), swatch{fill: shadeFor(projectShades, k, len(cpus))}, swatch{fill: shadeFor(peerShades, k, len(cpus))})
	}
	return l
}

// shadeFor returns the shade of the k-th of n -cpu values: the darkest
// shades for the last values.
func shadeFor(shades []color.RGBA, k, n int) color.RGBA {
	if n <= len(shades) {
		return shades[k+len(shades)-n]
	}
	return shades[min(k, len(shades)-1)]
}

// A swatch is a legend thumbnail: a filled or outlined square.
type swatch struct{ fill, stroke color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	pts := []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}}
	if s.fill != nil {
		c.FillPolygon(s.fill, pts)
	}
	if s.stroke != nil {
		c.StrokeLines(draw.LineStyle{Color: s.stroke, Width: vg.Points(1.2)}, append(pts, pts[0]))
	}
}

// A horizontalLegend lays its entries out in one line.
type horizontalLegend struct {
	entries []legendEntry
}

type legendEntry struct {
	text   string
	thumbs []swatch
}

func (l *horizontalLegend) add(text string, thumbs ...swatch) {
	l.entries = append(l.entries, legendEntry{text, thumbs})
}

// Draw draws the entries from the left of c, centred vertically.
func (l *horizontalLegend) Draw(c draw.Canvas) {
	sty := draw.TextStyle{Color: color.Black, Font: font.From(plot.DefaultFont, vg.Points(9)), Handler: plot.DefaultTextHandler}
	size := vg.Points(9)
	x := c.Min.X
	y := (c.Min.Y+c.Max.Y)/2 - size/2
	for _, e := range l.entries {
		for _, t := range e.thumbs {
			t.Thumbnail(&draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: x, Y: y}, Max: vg.Point{X: x + size, Y: y + size}}})
			x += size + vg.Points(2)
		}
		x += vg.Points(3)
		c.FillText(sty, vg.Point{X: x, Y: y}, e.text)
		// SVG viewers may render a wider font than the one measured.
		x += sty.Width(e.text)*1.25 + vg.Points(14)
	}
}
