package shell

import (
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"strings"

	"go.starlark.net/starlark"
)

// plot writes an SVG line chart of fn(p) for each packet (a number, or
// None to skip the packet) against its index, to file (a new temporary
// file if empty), prints the path and returns it.
func (l *PacketList) plot(th *starlark.Thread, fn starlark.Callable, file, title string) (starlark.Value, error) {
	var xs, ys []float64
	for i, p := range l.lent() {
		v, err := starlark.Call(th, fn, starlark.Tuple{p}, nil)
		if err != nil {
			return nil, err
		}
		if v == starlark.None {
			continue
		}
		y, ok := starlark.AsFloat(v)
		if !ok {
			return nil, fmt.Errorf("plot: the function must return a number or None, not %s", v.Type())
		}
		xs, ys = append(xs, float64(i)), append(ys, y)
	}
	var f *os.File
	var err error
	if file == "" {
		f, err = os.CreateTemp("", "pktkit-plot-*.svg")
	} else {
		f, err = os.Create(file)
	}
	if err != nil {
		return nil, err
	}
	if title == "" {
		title = l.name
	}
	werr := writeSVG(f, xs, ys, title)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, werr
	}
	io.WriteString(Out(th), f.Name()+"\n")
	return starlark.String(f.Name()), nil
}

// writeSVG draws points (xs, ys) joined by a line, with axes labelled by
// their ranges.
func writeSVG(w io.Writer, xs, ys []float64, title string) error {
	const width, height, margin = 800.0, 400.0, 60.0
	minX, maxX, minY, maxY := bounds(xs), boundsMax(xs), bounds(ys), boundsMax(ys)
	if maxX == minX {
		maxX = minX + 1
	}
	if maxY == minY {
		maxY = minY + 1
	}
	sx := func(x float64) float64 { return margin + (x-minX)/(maxX-minX)*(width-2*margin) }
	sy := func(y float64) float64 { return height - margin - (y-minY)/(maxY-minY)*(height-2*margin) }
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g">`+"\n", width, height, width, height)
	fmt.Fprintf(&sb, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&sb, `<text x="%g" y="24" font-family="sans-serif" font-size="16" text-anchor="middle">%s</text>`+"\n", width/2, html.EscapeString(title))
	fmt.Fprintf(&sb, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="black"/>`+"\n", margin, height-margin, width-margin, height-margin)
	fmt.Fprintf(&sb, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="black"/>`+"\n", margin, margin, margin, height-margin)
	label := func(x, y float64, anchor string, v float64) {
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" font-family="sans-serif" font-size="11" text-anchor="%s">%g</text>`+"\n", x, y, anchor, v)
	}
	if len(xs) > 0 {
		label(margin-4, height-margin, "end", minY)
		label(margin-4, margin+4, "end", maxY)
		label(margin, height-margin+16, "middle", minX)
		label(width-margin, height-margin+16, "middle", maxX)
		sb.WriteString(`<polyline fill="none" stroke="steelblue" stroke-width="1.5" points="`)
		for i := range xs {
			fmt.Fprintf(&sb, "%.1f,%.1f ", sx(xs[i]), sy(ys[i]))
		}
		sb.WriteString("\"/>\n")
		if len(xs) <= 2000 {
			for i := range xs {
				fmt.Fprintf(&sb, `<circle cx="%.1f" cy="%.1f" r="2" fill="steelblue"/>`+"\n", sx(xs[i]), sy(ys[i]))
			}
		}
	}
	sb.WriteString("</svg>\n")
	_, err := io.WriteString(w, sb.String())
	return err
}

func bounds(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	if math.IsInf(m, 0) {
		return 0
	}
	return m
}

func boundsMax(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	if math.IsInf(m, 0) {
		return 0
	}
	return m
}
