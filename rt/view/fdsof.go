package view

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gosys/rt/osdata"
)

// The diagram of ShowFDsOf: descriptor tables as boxes in a left and a
// right column, the kernel objects they refer to in the middle, an arrow
// from each descriptor to its object.

const (
	dgMargin  = 12.0
	dgBoxW    = 236.0 // a process box
	dgObjW    = 236.0 // a kernel object box
	dgGap     = 116.0 // room for the arrows
	dgRowH    = 20.0
	dgHeadH   = 40.0
	dgLineH   = 15.0
	dgTop     = 44.0
	dgCharW   = 6.7 // width of a monospace character at 11px, generously
	dgObjText = 33  // characters on a line of an object box
	dgCmdText = 32  // characters of the command in a process box
	dgRowText = 26  // characters of a descriptor row's label
)

// dgObject is one kernel object of the diagram.
type dgObject struct {
	key   string
	kind  osdata.FDKind
	lines []string
	warn  bool
	// noWriter and noReader: a descriptor's poll said so (see
	// osdata.FDInfo.OtherEndClosed).
	noWriter, noReader bool
	refs               []dgRef // descriptors pointing at it, in drawing order
	y, h               float64
}

// dgRef is one arrow: a descriptor row of a process box.
type dgRef struct {
	pid, fd int
	access  string
	x, y    float64 // the port on the box's inner edge
	left    bool    // the box is in the left column
}

// objectKey names the kernel object f refers to, shared by descriptors of
// any process that refer to the same one.
func objectKey(pid int, f osdata.FDInfo) string {
	switch f.Kind {
	case osdata.FDAnon, osdata.FDOther:
		return fmt.Sprintf("%s@%d/%d", f.Target, pid, f.FD) // not comparable across processes
	}
	return fmt.Sprintf("%s#%d#%s", f.Kind, f.Inode, f.Target)
}

// objectLines describes the object f refers to in a few short lines.
func objectLines(f osdata.FDInfo) (lines []string) {
	switch f.Kind {
	case osdata.FDPipe:
		name := fmt.Sprintf("pipe %d", f.Inode)
		if !strings.HasPrefix(f.Target, "pipe:") {
			name = "FIFO " + clipLeft(f.Target, dgObjText-5)
		}
		buf := "buffered: unknown"
		if f.Buffered >= 0 {
			buf = fmt.Sprintf("%d bytes buffered", f.Buffered)
		}
		lines = []string{name, buf}
		if f.Holders != nil {
			var r, w int
			for _, h := range f.Holders {
				r += strings.Count(h.Access, "r")
				w += strings.Count(h.Access, "w")
			}
			lines = append(lines, fmt.Sprintf("readers %d · writers %d", r, w))
		}
		return lines
	case osdata.FDSocket:
		s := f.Socket
		if s == nil {
			return []string{fmt.Sprintf("socket %d", f.Inode)}
		}
		head := strings.ToUpper(strings.TrimSuffix(s.Proto, "6")) + " " + s.State
		if s.Proto == "unix" {
			head = "unix " + s.Type + " " + s.State
		}
		lines = []string{clip(head, dgObjText)}
		if s.Local != "" {
			lines = append(lines, clipLeft(s.Local, dgObjText))
		}
		if s.Peer != "" {
			lines = append(lines, clip("→ "+s.Peer, dgObjText))
		}
		return lines
	case osdata.FDAnon:
		return []string{clip(strings.TrimPrefix(f.Target, "anon_inode:"), dgObjText)}
	}
	return []string{string(f.Kind), clipLeft(f.Target, dgObjText)}
}

// fdsOfLayout places the tables and objects; it returns the objects in
// drawing order, each table's top, and the diagram's size.
func fdsOfLayout(tables []osdata.FDTable) (objs []*dgObject, tops []float64, w, h float64) {
	xm := dgMargin + dgBoxW + dgGap
	xr := xm + dgObjW + dgGap
	byKey := map[string]*dgObject{}
	colY := [2]float64{dgTop, dgTop}
	tops = make([]float64, len(tables))
	for i, t := range tables {
		col := i % 2
		tops[i] = colY[col]
		rows := max(len(t.FDs), len(wrapWords(t.Err, dgCmdText, 3)), 1)
		colY[col] += dgHeadH + float64(rows)*dgRowH + 8 + 20
		for j, f := range t.FDs {
			k := objectKey(t.Pid, f)
			o := byKey[k]
			if o == nil {
				o = &dgObject{key: k, kind: f.Kind}
				o.lines = objectLines(f)
				byKey[k] = o
				objs = append(objs, o)
			}
			r := dgRef{pid: t.Pid, fd: f.FD, access: f.Access, left: col == 0,
				y: tops[i] + dgHeadH + float64(j)*dgRowH + dgRowH/2}
			r.x = dgMargin + dgBoxW
			if col == 1 {
				r.x = xr
			}
			o.refs = append(o.refs, r)
			if f.Kind == osdata.FDPipe && f.OtherEndClosed {
				o.noWriter = o.noWriter || f.Access == "r"
				o.noReader = o.noReader || f.Access == "w"
			}
		}
	}
	for _, o := range objs {
		if o.noWriter {
			o.lines, o.warn = append(o.lines, "no writer: read → EOF"), true
		}
		if o.noReader {
			o.lines, o.warn = append(o.lines, "no reader: write → EPIPE"), true
		}
	}
	// Objects in the order of the rows pointing at them, each as near to
	// their mean height as the ones above allow.
	mean := func(o *dgObject) float64 {
		var s float64
		for _, r := range o.refs {
			s += r.y
		}
		return s / float64(len(o.refs))
	}
	slices.SortStableFunc(objs, func(a, b *dgObject) int {
		return cmp.Compare(mean(a), mean(b))
	})
	y := dgTop
	for _, o := range objs {
		o.h = 10 + dgLineH*float64(len(o.lines))
		o.h = max(o.h, 8+6*float64(len(o.refs)))
		o.y = max(y, mean(o)-o.h/2)
		y = o.y + o.h + 10
	}
	h = max(colY[0], colY[1], y+10) + 10
	w = xm + dgObjW + dgMargin
	if len(tables) > 1 {
		w = xr + dgBoxW + dgMargin
	}
	return objs, tops, w, h
}

// FDsOfSVG renders tables as one SVG diagram: each process's descriptors
// in a box (left, right, left, ... in the order given), the kernel objects
// they refer to in the middle column, and an arrow labeled r, w or rw from
// every descriptor to its object; descriptors of any process that refer to
// the same pipe or socket point at the same box. A pipe with no writer or
// no reader left is drawn in red. Text and lines use currentColor, so the
// diagram follows the page's text color when embedded in HTML; shown as an
// image/svg+xml image it is drawn in black. The result depends on its
// argument alone.
func FDsOfSVG(tables []osdata.FDTable) string {
	objs, tops, w, h := fdsOfLayout(tables)
	xm := dgMargin + dgBoxW + dgGap
	xr := xm + dgObjW + dgGap
	pids := make([]string, len(tables))
	for i, t := range tables {
		pids[i] = strconv.Itoa(t.Pid)
	}
	title := "descriptor tables of pid " + strings.Join(pids, ", ")
	var b strings.Builder
	svgOpen(&b, w, h, title)
	fmt.Fprintf(&b, `<text x="%s" y="20" font-size="14" font-weight="bold">%s</text>`, fnum(dgMargin), esc(title))
	fmt.Fprintf(&b, `<text x="%s" y="35" font-size="11" opacity=".8">arrow: descriptor → kernel object (r read, w write)</text>`, fnum(dgMargin))
	for i, t := range tables {
		x := dgMargin
		if i%2 == 1 {
			x = xr
		}
		drawTable(&b, t, x, tops[i], i%2 == 0)
	}
	for _, o := range objs {
		drawObject(&b, o, xm)
	}
	b.WriteString("</svg>")
	return b.String()
}

// drawTable draws one process box with a row per descriptor.
func drawTable(b *strings.Builder, t osdata.FDTable, x, y float64, left bool) {
	rows := max(len(t.FDs), len(wrapWords(t.Err, dgCmdText, 3)), 1)
	bh := dgHeadH + float64(rows)*dgRowH + 8
	fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" rx="6" fill="rgba(128,128,128,.10)" stroke="currentColor" stroke-width="1.2"/>`,
		fnum(x), fnum(y), fnum(dgBoxW), fnum(bh))
	fmt.Fprintf(b, `<text x="%s" y="%s" font-size="13" font-weight="bold">pid %d</text>`, fnum(x+10), fnum(y+17), t.Pid)
	fmt.Fprintf(b, `<text x="%s" y="%s" font-size="11" font-family="%s" opacity=".85">%s</text>`,
		fnum(x+10), fnum(y+32), monoFont, esc(clip(t.Command, dgCmdText)))
	fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor" stroke-opacity=".5"/>`,
		fnum(x), fnum(y+dgHeadH-2), fnum(x+dgBoxW), fnum(y+dgHeadH-2))
	if t.Err != "" || len(t.FDs) == 0 {
		msg := "no descriptors shown"
		if t.Err != "" {
			msg = t.Err
		}
		for i, line := range wrapWords(msg, dgCmdText, rows) {
			fmt.Fprintf(b, `<text x="%s" y="%s" font-size="11" font-style="italic">%s</text>`,
				fnum(x+10), fnum(y+dgHeadH+14+dgRowH*float64(i)), esc(line))
		}
		return
	}
	for j, f := range t.FDs {
		ry := y + dgHeadH + float64(j)*dgRowH
		cy := ry + dgRowH/2
		fmt.Fprintf(b, `<text x="%s" y="%s" font-family="%s" font-size="12" font-weight="bold" text-anchor="end">%d</text>`,
			fnum(x+30), fnum(cy+4), monoFont, f.FD)
		label := clip(fdRowLabel(f), dgRowText)
		fmt.Fprintf(b, `<text x="%s" y="%s" font-family="%s" font-size="11">%s</text>`, fnum(x+40), fnum(cy+4), monoFont, esc(label))
		px := x + dgBoxW
		if !left {
			px = x
		}
		fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="3.2" fill="%s"/>`, fnum(px), fnum(cy), accessColor[accessKey(f.Access)])
	}
}

// fdRowLabel is the short text of a descriptor row: its mode and object.
func fdRowLabel(f osdata.FDInfo) string {
	what := f.Target
	switch f.Kind {
	case osdata.FDPipe:
		what = "pipe"
		if f.Access == "r" {
			what += " (read end)"
		} else if f.Access == "w" {
			what += " (write end)"
		}
	case osdata.FDSocket:
		what = "socket"
		if f.Socket != nil {
			what += " " + f.Socket.State
		}
	case osdata.FDAnon:
		what = strings.TrimPrefix(f.Target, "anon_inode:")
	case osdata.FDFile, osdata.FDDir, osdata.FDTTY, osdata.FDDevice:
		what = clipLeft(f.Target, dgRowText-3)
	}
	return fmt.Sprintf("%-2s %s", f.Access, what)
}

// accessKey maps an access mode to a key of accessColor.
func accessKey(a string) string {
	if _, ok := accessColor[a]; ok {
		return a
	}
	return "rw"
}

// drawObject draws a kernel object and the arrows pointing at it.
func drawObject(b *strings.Builder, o *dgObject, xm float64) {
	fill := kindFill(o.kind)
	if o.warn {
		fill = fillWarn
	}
	// Arrows first, so the box covers their ends' joins.
	var left, right []dgRef
	for _, r := range o.refs {
		if r.left {
			left = append(left, r)
		} else {
			right = append(right, r)
		}
	}
	for side, refs := range [][]dgRef{left, right} {
		slices.SortStableFunc(refs, func(a, b dgRef) int { return cmp.Compare(a.y, b.y) })
		ex := xm
		dir := 1.0
		if side == 1 {
			ex, dir = xm+dgObjW, -1
		}
		for k, r := range refs {
			ey := o.y + o.h*float64(k+1)/float64(len(refs)+1)
			col := accessColor[accessKey(r.access)]
			tip := ex - dir*7
			fmt.Fprintf(b, `<path d="M%s %sC%s %s,%s %s,%s %s" fill="none" stroke="%s" stroke-width="1.6"/>`,
				fnum(r.x), fnum(r.y), fnum(r.x+dir*dgGap*.5), fnum(r.y), fnum(tip-dir*dgGap*.45), fnum(ey), fnum(tip), fnum(ey), col)
			fmt.Fprintf(b, `<path d="M%s %sL%s %sL%s %sZ" fill="%s"/>`,
				fnum(ex), fnum(ey), fnum(tip), fnum(ey-4), fnum(tip), fnum(ey+4), col)
			fmt.Fprintf(b, `<text x="%s" y="%s" font-size="11" font-weight="bold" fill="%s" text-anchor="middle">%s</text>`,
				fnum(r.x+dir*14), fnum(r.y-5), col, esc(r.access))
		}
	}
	fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" rx="5" fill="%s" stroke="%s" stroke-width="1"/>`,
		fnum(xm), fnum(o.y), fnum(dgObjW), fnum(o.h), fill, inkOnFill)
	for i, line := range o.lines {
		weight := ""
		if i == 0 {
			weight = ` font-weight="bold"`
		}
		fmt.Fprintf(b, `<text x="%s" y="%s" font-family="%s" font-size="11" fill="%s"%s>%s</text>`,
			fnum(xm+8), fnum(o.y+16+dgLineH*float64(i)), monoFont, inkOnFill, weight, esc(line))
	}
}

// FDsOfText renders tables as plain text: each process's descriptors, then
// the kernel objects with every descriptor referring to each.
func FDsOfText(tables []osdata.FDTable) string {
	var b strings.Builder
	objs, _, _, _ := fdsOfLayout(tables)
	index := map[string]int{}
	for i, o := range objs {
		index[o.key] = i + 1
	}
	for _, t := range tables {
		fmt.Fprintf(&b, "pid %d  %s\n", t.Pid, t.Command)
		if t.Err != "" {
			fmt.Fprintf(&b, "  %s\n", t.Err)
		}
		for _, f := range t.FDs {
			fmt.Fprintf(&b, "  fd %-3d %-2s → #%d %s\n", f.FD, f.Access, index[objectKey(t.Pid, f)], f.Describe())
		}
	}
	b.WriteString("kernel objects:\n")
	for i, o := range objs {
		refs := make([]string, len(o.refs))
		for k, r := range o.refs {
			refs[k] = fmt.Sprintf("pid %d fd %d (%s)", r.pid, r.fd, r.access)
		}
		fmt.Fprintf(&b, "  #%d %s: %s\n", i+1, strings.Join(o.lines, ", "), strings.Join(refs, ", "))
	}
	return b.String()
}

// wrapWords breaks s into lines of at most n runes at spaces, at most
// lines of them, the last one clipped.
func wrapWords(s string, n, lines int) []string {
	var out []string
	cur := ""
	for _, w := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = w
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) <= n:
			cur += " " + w
		default:
			out = append(out, cur)
			cur = w
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	if len(out) > lines {
		out = append(out[:lines-1], strings.Join(out[lines-1:], " "))
	}
	for i := range out {
		out[i] = clip(out[i], n)
	}
	return out
}
