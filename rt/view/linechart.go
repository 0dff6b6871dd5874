package view

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// LineChartSVG draws each series of ys against xs as a line with point
// markers, on x and y axes with round ticks, grid lines and the axis
// labels xlabel and ylabel, with a legend naming the series (in sorted
// order, each with its color). A series uses the first min(len(xs),
// len(ys)) points; a NaN or infinite value breaks its line. Text and axes
// use currentColor (see FDsOfSVG). The result depends on its arguments
// alone.
func LineChartSVG(title string, xs []float64, series map[string][]float64, xlabel, ylabel string) string {
	names := slices.Sorted(maps.Keys(series))
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, name := range names {
		ys := series[name]
		for i := range min(len(xs), len(ys)) {
			if finite(xs[i]) && finite(ys[i]) {
				xlo, xhi = min(xlo, xs[i]), max(xhi, xs[i])
				ylo, yhi = min(ylo, ys[i]), max(yhi, ys[i])
			}
		}
	}
	if math.IsInf(xlo, 1) {
		xlo, xhi, ylo, yhi = 0, 1, 0, 1
	}
	if ylo > 0 && ylo < (yhi-ylo) { // start at zero when it costs little
		ylo = 0
	}
	const w, h = 640.0, 380.0
	xt, _ := niceTicks(xlo, xhi, 6)
	yt, _ := niceTicks(ylo, yhi, 5)

	// The legend: entries flow left to right, wrapping.
	type entry struct{ x, y float64 }
	legend := make([]entry, len(names))
	lx, ly := 16.0, 44.0
	for i, name := range names {
		ew := 30 + 7*float64(utf8.RuneCountInString(clip(name, 30))) + 16
		if lx+ew > w-16 && lx > 16 {
			lx, ly = 16, ly+18
		}
		legend[i] = entry{lx, ly}
		lx += ew
	}
	top := ly + 26
	if len(names) == 0 {
		top = 44
	}
	left := 16 + 7*float64(maxLen(yt)) + 30
	px0, px1, py0, py1 := left, w-24, top, h-56
	xOf := func(v float64) float64 { return px0 + (v-xt[0])/(xt[len(xt)-1]-xt[0])*(px1-px0) }
	yOf := func(v float64) float64 { return py1 - (v-yt[0])/(yt[len(yt)-1]-yt[0])*(py1-py0) }

	var b strings.Builder
	svgOpen(&b, w, h, title)
	fmt.Fprintf(&b, `<text x="16" y="24" font-size="15" font-weight="bold">%s</text>`, esc(title))
	for _, t := range xt {
		x := xOf(t)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor" stroke-opacity=".15"/>`, fnum(x), fnum(py0), fnum(x), fnum(py1))
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor"/>`, fnum(x), fnum(py1), fnum(x), fnum(py1+5))
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" text-anchor="middle">%s</text>`, fnum(x), fnum(py1+18), esc(formatNum(t)))
	}
	for _, t := range yt {
		y := yOf(t)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor" stroke-opacity=".15"/>`, fnum(px0), fnum(y), fnum(px1), fnum(y))
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor"/>`, fnum(px0-5), fnum(y), fnum(px0), fnum(y))
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" text-anchor="end">%s</text>`, fnum(px0-8), fnum(y+4), esc(formatNum(t)))
	}
	fmt.Fprintf(&b, `<path d="M%s %sV%sH%s" fill="none" stroke="currentColor"/>`, fnum(px0), fnum(py0), fnum(py1), fnum(px1))
	fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="12" text-anchor="middle">%s</text>`, fnum((px0+px1)/2), fnum(py1+38), esc(xlabel))
	fmt.Fprintf(&b, `<text transform="translate(16 %s) rotate(-90)" font-size="12" text-anchor="middle" dominant-baseline="hanging">%s</text>`,
		fnum((py0+py1)/2), esc(ylabel))

	for i, name := range names {
		col := chartColors[i%len(chartColors)]
		ys := series[name]
		n := min(len(xs), len(ys))
		var d strings.Builder
		pen := false
		for k := range n {
			if !finite(xs[k]) || !finite(ys[k]) {
				pen = false
				continue
			}
			op := "L"
			if !pen {
				op = "M"
			}
			fmt.Fprintf(&d, "%s%s %s", op, fnum(xOf(xs[k])), fnum(yOf(ys[k])))
			pen = true
		}
		if d.Len() > 0 {
			fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"/>`, d.String(), col)
		}
		if n <= 60 {
			for k := range n {
				if finite(xs[k]) && finite(ys[k]) {
					fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"><title>%s</title></circle>`,
						fnum(xOf(xs[k])), fnum(yOf(ys[k])), col, esc(fmt.Sprintf("%s: %s, %s", name, formatNum(xs[k]), formatNum(ys[k]))))
				}
			}
		}
		e := legend[i]
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="3"/>`, fnum(e.x), fnum(e.y-4), fnum(e.x+22), fnum(e.y-4), col)
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="12">%s</text>`, fnum(e.x+28), fnum(e.y), esc(clip(name, 30)))
	}
	b.WriteString("</svg>")
	return b.String()
}

// maxLen returns the length of the longest formatted tick.
func maxLen(ticks []float64) int {
	n := 0
	for _, t := range ticks {
		n = max(n, len(formatNum(t)))
	}
	return n
}

// LineChartText is the plain-text form of LineChartSVG: a table with a
// column for x and one per series (sorted by name), at most 40 rows (every
// k-th point when there are more).
func LineChartText(title string, xs []float64, series map[string][]float64, xlabel, ylabel string) string {
	names := slices.Sorted(maps.Keys(series))
	head := append([]string{xlabel}, names...)
	step := max(1, (len(xs)+39)/40)
	var rows [][]string
	for k := 0; k < len(xs); k += step {
		row := []string{formatNum(xs[k])}
		for _, name := range names {
			cell := ""
			if ys := series[name]; k < len(ys) && finite(ys[k]) {
				cell = formatNum(ys[k])
			} else if k < len(ys) {
				cell = "n/a"
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	right := make([]int, len(head))
	for i := range right {
		right[i] = i
	}
	sub := ""
	if ylabel != "" {
		sub = " (" + ylabel + ")"
	}
	return title + sub + "\n" + textTable(head, rows, right...)
}
