package kernelspec

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
)

// The logo is a process fork: a parent node whose line splits into two
// child nodes, white on a rounded square in Go's cyan. The geometry below is
// in units of the logo's side and is shared by the PNG and SVG renderings.
var (
	logoBackground = color.NRGBA{0x00, 0xAD, 0xD8, 0xff}
	logoInk        = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	logoShadow     = color.NRGBA{0x00, 0x5F, 0x7A, 0xff}
)

const (
	logoCorner = 0.2  // corner radius of the background square
	logoStroke = 0.07 // width of the fork's lines
	logoNode   = 0.1  // radius of the process nodes
	logoHole   = 0.05 // radius of the dark centre of the child nodes
)

type point struct{ x, y float64 }

var (
	logoParent = point{0.5, 0.22}
	logoSplit  = point{0.5, 0.48}
	logoLeft   = point{0.27, 0.76}
	logoRight  = point{0.73, 0.76}
)

// LogoPNG returns the logo as a size×size PNG.
func LogoPNG(size int) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, Logo(size)); err != nil {
		return nil, fmt.Errorf("encode %dx%d logo: %w", size, size, err)
	}
	return buf.Bytes(), nil
}

// Logo draws the logo at size×size pixels, anti-aliased by 4×4 supersampling,
// on a transparent background outside the rounded square.
func Logo(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					p := point{(float64(px) + (float64(sx)+0.5)/ss) / float64(size),
						(float64(py) + (float64(sy)+0.5)/ss) / float64(size)}
					c, ok := logoColorAt(p)
					if !ok {
						continue
					}
					r += float64(c.R)
					g += float64(c.G)
					b += float64(c.B)
					a++
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(r/a + 0.5), G: uint8(g/a + 0.5), B: uint8(b/a + 0.5),
				A: uint8(a/(ss*ss)*255 + 0.5),
			})
		}
	}
	return img
}

// logoColorAt returns the logo's colour at p, or false outside it.
func logoColorAt(p point) (color.NRGBA, bool) {
	if !inRoundedSquare(p, logoCorner) {
		return color.NRGBA{}, false
	}
	for _, child := range []point{logoLeft, logoRight} {
		if dist(p, child) <= logoHole {
			return logoShadow, true
		}
	}
	switch {
	case dist(p, logoParent) <= logoNode,
		dist(p, logoLeft) <= logoNode,
		dist(p, logoRight) <= logoNode,
		distToSegment(p, logoParent, logoSplit) <= logoStroke/2,
		distToSegment(p, logoSplit, logoLeft) <= logoStroke/2,
		distToSegment(p, logoSplit, logoRight) <= logoStroke/2:
		return logoInk, true
	}
	return logoBackground, true
}

// inRoundedSquare reports whether p lies in the unit square with corners
// rounded to radius r.
func inRoundedSquare(p point, r float64) bool {
	if p.x < 0 || p.x > 1 || p.y < 0 || p.y > 1 {
		return false
	}
	cx := math.Min(math.Max(p.x, r), 1-r)
	cy := math.Min(math.Max(p.y, r), 1-r)
	return dist(p, point{cx, cy}) <= r
}

func dist(a, b point) float64 { return math.Hypot(a.x-b.x, a.y-b.y) }

// distToSegment is the distance from p to the segment a–b.
func distToSegment(p, a, b point) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	t := ((p.x-a.x)*dx + (p.y-a.y)*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return dist(p, point{a.x + t*dx, a.y + t*dy})
}

// LogoSVG returns the logo as an SVG document, the same drawing as Logo on a
// 64-unit canvas.
func LogoSVG() []byte {
	const s = 64.0
	var b bytes.Buffer
	hex := func(c color.NRGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <title>gosys: Go (systems)</title>
  <rect x="0" y="0" width="64" height="64" rx="%g" ry="%g" fill="%s"/>
  <g stroke="%s" stroke-width="%g" stroke-linecap="round" fill="none">
    <path d="M %g %g L %g %g M %g %g L %g %g M %g %g L %g %g"/>
  </g>
  <g fill="%s">
    <circle cx="%g" cy="%g" r="%g"/>
    <circle cx="%g" cy="%g" r="%g"/>
    <circle cx="%g" cy="%g" r="%g"/>
  </g>
  <g fill="%s">
    <circle cx="%g" cy="%g" r="%g"/>
    <circle cx="%g" cy="%g" r="%g"/>
  </g>
</svg>
`,
		logoCorner*s, logoCorner*s, hex(logoBackground),
		hex(logoInk), logoStroke*s,
		logoParent.x*s, logoParent.y*s, logoSplit.x*s, logoSplit.y*s,
		logoSplit.x*s, logoSplit.y*s, logoLeft.x*s, logoLeft.y*s,
		logoSplit.x*s, logoSplit.y*s, logoRight.x*s, logoRight.y*s,
		hex(logoInk),
		logoParent.x*s, logoParent.y*s, logoNode*s,
		logoLeft.x*s, logoLeft.y*s, logoNode*s,
		logoRight.x*s, logoRight.y*s, logoNode*s,
		hex(logoShadow),
		logoLeft.x*s, logoLeft.y*s, logoHole*s,
		logoRight.x*s, logoRight.y*s, logoHole*s,
	)
	return b.Bytes()
}
