package rt

// Values that show themselves: when the last expression of a cell has one
// of these methods, the kernel shows it with that MIME type (and a
// text/plain fallback) instead of its Go syntax.
type (
	// HTMLer is shown as text/html.
	HTMLer interface{ HTML() string }
	// SVGer is shown as image/svg+xml.
	SVGer interface{ SVG() string }
	// Markdowner is shown as text/markdown.
	Markdowner interface{ Markdown() string }
	// PNGer is shown as image/png.
	PNGer interface{ PNG() []byte }
)
