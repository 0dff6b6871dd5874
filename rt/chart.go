package rt

import "gosys/rt/view"

// Charts for measurements, drawn by gosys/rt/view.

// BarChart displays BarChartSVG(title, labels, values, unit) in the
// notebook as an HTML image on a white card (readable in untrusted
// notebooks too), with BarChartText as its plain-text copy.
func BarChart(title string, labels []string, values []float64, unit string) {
	Display(map[string]any{
		"text/html":  view.SVGImageHTML(view.BarChartSVG(title, labels, values, unit)),
		"text/plain": view.BarChartText(title, labels, values, unit),
	}, nil)
}

// LineChart displays LineChartSVG(title, xs, series, xlabel, ylabel) in
// the notebook as an HTML image on a white card (readable in untrusted
// notebooks too), with LineChartText as its plain-text copy.
func LineChart(title string, xs []float64, series map[string][]float64, xlabel, ylabel string) {
	Display(map[string]any{
		"text/html":  view.SVGImageHTML(view.LineChartSVG(title, xs, series, xlabel, ylabel)),
		"text/plain": view.LineChartText(title, xs, series, xlabel, ylabel),
	}, nil)
}

// BarChartSVG draws values as horizontal bars, one per label, on a value
// axis with round ticks; NaN and infinite values are shown as "n/a". It is
// view.BarChartSVG, which documents the drawing.
func BarChartSVG(title string, labels []string, values []float64, unit string) string {
	return view.BarChartSVG(title, labels, values, unit)
}

// BarChartText is the plain-text form of BarChartSVG: one line a bar (see
// view.BarChartText).
func BarChartText(title string, labels []string, values []float64, unit string) string {
	return view.BarChartText(title, labels, values, unit)
}

// LineChartSVG draws each series of ys against xs as a line with point
// markers, axes and a legend; a NaN or infinite value breaks its line. It
// is view.LineChartSVG, which documents the drawing.
func LineChartSVG(title string, xs []float64, series map[string][]float64, xlabel, ylabel string) string {
	return view.LineChartSVG(title, xs, series, xlabel, ylabel)
}

// LineChartText is the plain-text form of LineChartSVG: a table with a
// column for x and one per series (see view.LineChartText).
func LineChartText(title string, xs []float64, series map[string][]float64, xlabel, ylabel string) string {
	return view.LineChartText(title, xs, series, xlabel, ylabel)
}
