package main

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Plot layout: panels of this size, this many to a row.
const (
	panelWidth   = 5 * vg.Inch
	panelHeight  = 3.5 * vg.Inch
	panelsPerRow = 2
)

// plotFile draws, for every workload, the median throughput of each
// contender against the -cpu value, and writes the panels to path as SVG.
func plotFile(path string, rep *Report) error {
	names := distinct(rep.Results, everyResult, func(r Result) string { return r.Workload })
	rows := (len(names) + panelsPerRow - 1) / panelsPerRow
	cols := min(len(names), panelsPerRow)
	plots := make([][]*plot.Plot, rows)
	for i := range plots {
		plots[i] = make([]*plot.Plot, cols)
	}
	// Every contender, so that each keeps one colour in all panels.
	impls := distinct(rep.Results, everyResult, func(r Result) string { return r.Impl })
	for i, name := range names {
		p, err := throughputPlot(name, rep.Results, impls)
		if err != nil {
			return err
		}
		plots[i/panelsPerRow][i%panelsPerRow] = p
	}
	canvas := vgsvg.New(panelWidth*vg.Length(cols), panelHeight*vg.Length(rows))
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter, PadY: vg.Millimeter,
		PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter}
	canvases := plot.Align(plots, tiles, draw.New(canvas))
	for i := range plots {
		for j, p := range plots[i] {
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

// throughputPlot draws one workload: a line per contender, in the colour
// and shape of its index in impls.
func throughputPlot(workload string, results []Result, impls []string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = workload
	p.X.Label.Text = "-cpu (GOMAXPROCS)"
	p.Y.Label.Text = "million ops/s (higher is better)"
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.X.Tick.Marker = plot.ConstantTicks(distinct(results, ofWorkload(workload), func(r Result) plot.Tick {
		return plot.Tick{Value: float64(r.CPU), Label: strconv.Itoa(r.CPU)}
	}))
	top := 0.0
	for i, impl := range impls {
		var pts plotter.XYs
		for _, r := range results {
			if r.Workload == workload && r.Impl == impl {
				pts = append(pts, plotter.XY{X: float64(r.CPU), Y: 1e3 / r.median(nsPerOp)})
				top = max(top, pts[len(pts)-1].Y)
			}
		}
		if len(pts) == 0 {
			continue
		}
		slices.SortFunc(pts, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
		line, dots, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, fmt.Errorf("plot %s %s: %w", workload, impl, err)
		}
		line.Color = plotutil.Color(i)
		dots.Color = plotutil.Color(i)
		dots.Shape = plotutil.Shape(i)
		p.Add(line, dots)
		p.Legend.Add(impl, line, dots)
	}
	// From zero, with the top third left free for the legend.
	p.Y.Min, p.Y.Max = 0, 1.5*top
	return p, nil
}
