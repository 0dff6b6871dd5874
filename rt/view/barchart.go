package view

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// BarChartSVG draws values as horizontal bars, one per label, on a value
// axis with round ticks and grid lines; each bar is labeled with its value
// and unit (unit may be ""). Negative values extend left of zero; NaN and
// infinite values are shown as "n/a". When the slices differ in length
// the missing labels are empty and the missing values n/a. Text and axes
// use currentColor (see FDsOfSVG). The result depends on its arguments
// alone.
func BarChartSVG(title string, labels []string, values []float64, unit string) string {
	n := max(len(labels), len(values))
	label := func(i int) string {
		if i < len(labels) {
			return labels[i]
		}
		return ""
	}
	value := func(i int) float64 {
		if i < len(values) {
			return values[i]
		}
		return math.NaN()
	}
	labelW := 0
	lo, hi := 0.0, 0.0
	for i := range n {
		labelW = max(labelW, utf8.RuneCountInString(clip(label(i), 32)))
		if v := value(i); finite(v) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	const w, barH, gap, top = 640.0, 22.0, 8.0, 44.0
	x0 := 16 + float64(labelW)*7 + 10
	x1 := w - 90
	ticks, _ := niceTicks(lo, hi, 5)
	dlo, dhi := ticks[0], ticks[len(ticks)-1]
	xOf := func(v float64) float64 { return x0 + (v-dlo)/(dhi-dlo)*(x1-x0) }
	plotH := float64(max(n, 1))*(barH+gap) + gap
	h := top + plotH + 48

	var b strings.Builder
	svgOpen(&b, w, h, title)
	fmt.Fprintf(&b, `<text x="16" y="24" font-size="15" font-weight="bold">%s</text>`, esc(title))
	axisY := top + plotH
	for _, t := range ticks {
		x := xOf(t)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor" stroke-opacity=".18"/>`, fnum(x), fnum(top), fnum(x), fnum(axisY))
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor"/>`, fnum(x), fnum(axisY), fnum(x), fnum(axisY+5))
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" text-anchor="middle">%s</text>`, fnum(x), fnum(axisY+18), esc(formatNum(t)))
	}
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor"/>`, fnum(x0), fnum(axisY), fnum(x1), fnum(axisY))
	if unit != "" {
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="12" text-anchor="middle">%s</text>`, fnum((x0+x1)/2), fnum(axisY+36), esc(unit))
	}
	zero := xOf(0)
	for i := range n {
		y := top + gap + float64(i)*(barH+gap)
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="12" text-anchor="end">%s</text>`, fnum(x0-8), fnum(y+barH/2+4), esc(clip(label(i), 32)))
		v := value(i)
		if !finite(v) {
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" font-style="italic">n/a</text>`, fnum(zero+4), fnum(y+barH/2+4))
			continue
		}
		bx, bw := zero, xOf(v)-zero
		if bw < 0 {
			bx, bw = xOf(v), -bw
		}
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" rx="2" fill="%s"><title>%s</title></rect>`,
			fnum(bx), fnum(y), fnum(max(bw, 0.5)), fnum(barH), chartColors[0], esc(label(i)+": "+valueUnit(v, unit)))
		tx, anchor := bx+bw+5, "start"
		if v < 0 {
			tx, anchor = bx-5, "end"
		}
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" text-anchor="%s">%s</text>`, fnum(tx), fnum(y+barH/2+4), anchor, esc(valueUnit(v, unit)))
	}
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor" stroke-width="1.2"/>`, fnum(zero), fnum(top), fnum(zero), fnum(axisY))
	b.WriteString("</svg>")
	return b.String()
}

// valueUnit writes v with its unit: "12.5 ms".
func valueUnit(v float64, unit string) string {
	if unit == "" {
		return formatNum(v)
	}
	return formatNum(v) + " " + unit
}

// BarChartText is the plain-text form of BarChartSVG: one line a bar,
// drawn with █ to a width of 40 characters for the largest magnitude.
func BarChartText(title string, labels []string, values []float64, unit string) string {
	n := max(len(labels), len(values))
	big, labelW := 0.0, 0
	for i := range n {
		if i < len(values) && finite(values[i]) {
			big = max(big, math.Abs(values[i]))
		}
		if i < len(labels) {
			labelW = max(labelW, utf8.RuneCountInString(clip(labels[i], 32)))
		}
	}
	var b strings.Builder
	b.WriteString(title + "\n")
	for i := range n {
		l, v := "", math.NaN()
		if i < len(labels) {
			l = clip(labels[i], 32)
		}
		if i < len(values) {
			v = values[i]
		}
		pad := strings.Repeat(" ", labelW-utf8.RuneCountInString(l))
		if !finite(v) {
			fmt.Fprintf(&b, "%s%s  n/a\n", pad, l)
			continue
		}
		bar := ""
		if big > 0 {
			bar = strings.Repeat("█", int(math.Round(math.Abs(v)/big*40)))
		}
		if v < 0 {
			bar = "-" + bar
		}
		fmt.Fprintf(&b, "%s%s  %s %s\n", pad, l, bar, valueUnit(v, unit))
	}
	return b.String()
}
