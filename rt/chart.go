package rt

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Charts drawn as SVG: a horizontal bar chart and a line chart, with axes,
// ticks and labels, colored for light and dark pages alike.

// chartColors are the series colors: mid-saturation, visible on white and
// on near-black.
var chartColors = []string{"#4f8fd6", "#f28e2b", "#e15759", "#4fb3ab", "#59a14f",
	"#d4b02a", "#b07aa1", "#ff8fa0", "#a07855", "#9a9a9a"}

// niceTicks returns tick values covering [lo, hi] at a round step (1, 2 or
// 5 times a power of ten), about n of them, and the step.
func niceTicks(lo, hi float64, n int) ([]float64, float64) {
	switch {
	case !(hi > lo) && lo == 0:
		hi = 1
	case !(hi > lo):
		lo, hi = lo-1, lo+1
	}
	raw := (hi - lo) / float64(max(n, 1))
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag * 10
	for _, m := range []float64{1, 2, 5} {
		if raw <= m*mag {
			step = m * mag
			break
		}
	}
	var ticks []float64
	for v := math.Floor(lo/step) * step; v <= hi+step*1e-9 || len(ticks) < 2; v += step {
		ticks = append(ticks, roundTo(v, step))
		if len(ticks) > 100 {
			break
		}
	}
	if ticks[len(ticks)-1] < hi-step*1e-9 {
		ticks = append(ticks, roundTo(ticks[len(ticks)-1]+step, step))
	}
	return ticks, step
}

// roundTo rounds v to the decimals that step needs, removing float noise.
func roundTo(v, step float64) float64 {
	d := math.Max(0, -math.Floor(math.Log10(step))+1)
	p := math.Pow(10, d)
	return math.Round(v*p) / p
}

// formatNum writes v briefly for a tick or a label: 1.5k, 2M, 0.25, 12.
func formatNum(v float64) string {
	a := math.Abs(v)
	for _, u := range []struct {
		lim, div float64
		suf      string
	}{{1e12, 1e12, "T"}, {1e9, 1e9, "G"}, {1e6, 1e6, "M"}, {1e4, 1e3, "k"}} {
		if a >= u.lim {
			return strconv.FormatFloat(roundSig(v/u.div, 3), 'f', -1, 64) + u.suf
		}
	}
	return strconv.FormatFloat(roundSig(v, 4), 'f', -1, 64)
}

// roundSig rounds v to n significant digits.
func roundSig(v float64, n int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	p := math.Pow(10, float64(n)-math.Ceil(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

// finite reports whether v is a number that can be drawn.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

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

// BarChart displays BarChartSVG(title, labels, values, unit) in the
// notebook as an HTML image on a white card (readable in untrusted
// notebooks too), with BarChartText as its plain-text copy.
func BarChart(title string, labels []string, values []float64, unit string) {
	Display(map[string]any{
		"text/html":  svgImageHTML(BarChartSVG(title, labels, values, unit)),
		"text/plain": BarChartText(title, labels, values, unit),
	}, nil)
}
