package view

import (
	"encoding/base64"
	"fmt"
	"html"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gosys/rt/osdata"
)

// The look shared by the views. Text and lines use currentColor, so they
// follow the page's text color in light and dark themes; filled shapes use
// opaque mid-saturation colors with dark text on them, readable on any
// background. Everything is inline: no scripts, no style sheets, no
// external resources.

const (
	inkOnFill = "#111"                  // text on a filled shape
	fillWarn  = "#f08c84"               // something wrong: a zombie, a pipe with no writer
	fillGray  = "#cfcfcf"               // nothing special
	fillBlue  = "#8ab8e8"               // sockets, sleeping, LISTEN
	fillGreen = "#a5d394"               // files, running, ESTABLISHED
	fillAmber = "#f2b866"               // pipes, closing states
	fillLilac = "#c9a8e6"               // ttys, stopped, connecting
	rule      = "rgba(128,128,128,.45)" // table rules and tree lines

	monoFont = `ui-monospace,Menlo,Consolas,monospace`
	sansFont = `system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif`
)

// Arrow and label colors on the page background, by access mode.
var accessColor = map[string]string{"r": "#3c8dde", "w": "#e07020", "rw": "#9b6fd6"}

// kindFill is the fill of a kernel object by descriptor kind.
func kindFill(k osdata.FDKind) string {
	switch k {
	case osdata.FDPipe:
		return fillAmber
	case osdata.FDSocket:
		return fillBlue
	case osdata.FDFile, osdata.FDDir:
		return fillGreen
	case osdata.FDTTY:
		return fillLilac
	}
	return fillGray
}

// tcpStateFill is the badge color of a socket state.
func tcpStateFill(state string) string {
	switch state {
	case "LISTEN":
		return fillBlue
	case "ESTABLISHED", "CONNECTED":
		return fillGreen
	case "CLOSE_WAIT", "FIN_WAIT1", "FIN_WAIT2", "LAST_ACK", "CLOSING":
		return fillAmber
	case "SYN_SENT", "SYN_RECV", "NEW_SYN_RECV", "CONNECTING":
		return fillLilac
	}
	return fillGray
}

// procStateFill is the badge color of a one-letter process state.
func procStateFill(state string) string {
	switch state {
	case "R":
		return fillGreen
	case "S", "I":
		return fillBlue
	case "D":
		return fillAmber
	case "Z", "X":
		return fillWarn
	case "T", "t":
		return fillLilac
	}
	return fillGray
}

// esc escapes s for HTML and XML text and attribute values.
func esc(s string) string { return html.EscapeString(s) }

// badge is an inline label on a colored background.
func badge(text, fill string) string {
	return fmt.Sprintf(`<span style="background:%s;color:%s;padding:0 .45em;border-radius:3px;font-family:%s;white-space:nowrap">%s</span>`,
		fill, inkOnFill, monoFont, esc(text))
}

// Inline styles of the HTML tables, kept short: they repeat on every row.
const (
	tableStyle = `border-collapse:collapse;font-size:13px;margin:2px 0`
	thStyle    = `text-align:left;padding:3px 8px;border-bottom:2px solid ` + rule
	trStyle    = `border-bottom:1px solid ` + rule
	tdStyle    = `text-align:left;padding:2px 8px;vertical-align:top`
	numStyle   = `text-align:right;padding:2px 8px;vertical-align:top`
	capStyle   = `text-align:left;font-weight:bold;padding:2px 0 4px 0;caption-side:top`
)

// htmlTable writes a table with a caption, a header row and rows of
// already escaped cells; a cell made by num is right-aligned.
func htmlTable(caption string, head []string, rows [][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<table style="%s"><caption style="%s">%s</caption><thead><tr>`, tableStyle, capStyle, esc(caption))
	for _, h := range head {
		fmt.Fprintf(&b, `<th style="%s">%s</th>`, thStyle, esc(h))
	}
	b.WriteString("</tr></thead><tbody>")
	for _, r := range rows {
		fmt.Fprintf(&b, `<tr style="%s">`, trStyle)
		for _, c := range r {
			if n, ok := strings.CutPrefix(c, "\x00"); ok {
				fmt.Fprintf(&b, `<td style="%s">%s</td>`, numStyle, n)
			} else {
				fmt.Fprintf(&b, `<td style="%s">%s</td>`, tdStyle, c)
			}
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	return b.String()
}

// num marks an escaped cell as a number for htmlTable.
func num(s string) string { return "\x00" + s }

// textTable lays out rows under head in columns separated by two spaces;
// columns listed in right are right-aligned.
func textTable(head []string, rows [][]string, right ...int) string {
	width := make([]int, len(head))
	for _, r := range append([][]string{head}, rows...) {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, r := range append([][]string{head}, rows...) {
		cells := make([]string, len(r))
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if slices.Contains(right, i) {
				cells[i] = pad + c
			} else {
				cells[i] = c + pad
			}
		}
		b.WriteString(strings.TrimRight(strings.Join(cells, "  "), " ") + "\n")
	}
	return b.String()
}

// clip shortens s to at most n runes, ending it with "…" when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// clipLeft shortens s to at most n runes by cutting its start, for paths.
func clipLeft(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	r := []rune(s)
	return "…" + string(r[len(r)-(n-1):])
}

// fnum formats a coordinate or value briefly: at most two decimals, no
// trailing zeros.
func fnum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// svgSize matches the width and height svgOpen writes.
var svgSize = regexp.MustCompile(`^<svg [^>]*?width="([\d.]+)" height="([\d.]+)"`)

// svgTitle matches the title svgOpen writes.
var svgTitle = regexp.MustCompile(`<title>([^<]*)</title>`)

// SVGImageHTML returns svg, an SVG document drawn by this package, as an
// HTML <img> with a data URL, on an opaque white card, at the document's
// size (it scales down to fit a narrow page). That is how the views show
// their drawings: a notebook opened from disk is untrusted, and Jupyter
// then strips inline SVG from HTML outputs (its text would remain, as
// garbage) but keeps an <img> with a data URL; GitHub and nbconvert show it
// too. Inside an image currentColor is black, hence the white card, which
// reads on light and dark pages alike. An svg without the width and height
// this package writes is returned as it is.
func SVGImageHTML(svg string) string {
	m := svgSize.FindStringSubmatch(svg)
	if m == nil {
		return svg
	}
	w, _ := strconv.ParseFloat(m[1], 64)
	h, _ := strconv.ParseFloat(m[2], 64)
	card := fmt.Sprintf(`<rect x=".5" y=".5" width="%s" height="%s" rx="4" fill="#fff" stroke="#d0d0d0"/>`, fnum(w-1), fnum(h-1))
	if i := strings.Index(svg, "</title>"); i >= 0 {
		svg = svg[:i+len("</title>")] + card + svg[i+len("</title>"):]
	}
	label := ""
	if t := svgTitle.FindStringSubmatch(svg); t != nil {
		label = t[1] // already escaped
	}
	return fmt.Sprintf(`<img src="data:image/svg+xml;base64,%s" width="%s" height="%s" alt="%s" style="max-width:100%%;height:auto"/>`,
		base64.StdEncoding.EncodeToString([]byte(svg)), fnum(w), fnum(h), label)
}

// svgOpen starts an SVG document of the given size whose text and lines
// follow the surrounding text color.
func svgOpen(b *strings.Builder, w, h float64, label string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" role="img" aria-label="%s" font-family="%s" font-size="12" fill="currentColor" stroke="none" style="max-width:100%%;height:auto">`,
		fnum(w), fnum(h), fnum(w), fnum(h), esc(label), sansFont)
	fmt.Fprintf(b, "<title>%s</title>", esc(label))
}
