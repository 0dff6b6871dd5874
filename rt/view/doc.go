// Package view draws what rt's views show: it turns the data of
// gosys/rt/osdata (descriptor tables, sockets, the process tree, the
// records of rt.Trace and rt.Lanes) and plain numbers (charts) into HTML,
// SVG and text.
//
// Every function is a pure renderer: it reads no /proc, displays nothing,
// and returns the same string for the same arguments. The HTML has inline
// styles only; no scripts, style sheets or external resources. The SVG
// draws text and lines in currentColor, so that inline in a page it follows
// the page's text color; SVGImageHTML wraps an SVG as an HTML image on a
// white card, which is how rt displays it (it survives untrusted
// notebooks). Each ...HTML or ...SVG renderer has a ...Text twin, the
// plain-text copy rt sends along.
//
// rt's Show... calls, Trace, Lanes, BarChart and LineChart gather their
// data and display these renderings. A cell can draw without showing:
//
//	import "gosys/rt/view"
//
//	fds, _ := rt.FDs()
//	rt.HTML(view.FDsHTML(rt.Getpid(), fds))
//
// The look (layout, colors, wording) may change; what each renderer shows
// is documented on it.
package view
