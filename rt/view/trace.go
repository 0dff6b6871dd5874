package view

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gosys/rt/osdata"
)

// Layout of the sequence diagram, in SVG user units.
const (
	sqMargin  = 12.0
	sqAxisW   = 64.0  // the time column on the left
	sqColW    = 320.0 // one process's lifeline, its labels and room for arrows
	sqHeadTop = 44.0  // top of the process boxes
	sqHeadH   = 34.0
	sqRowH    = 24.0
	sqLabelN  = 34   // runes of an event's label
	sqCharW   = 6.65 // width of a rune of a label (11 px monospace)
	sqLabelDX = 9.0  // from the dot to its label
	// sqMaxRows is how many events the diagram draws; TraceText and the
	// returned events have them all.
	sqMaxRows = 200
	// sqBlocked is how long a call must take to be drawn as waiting.
	sqBlocked = time.Millisecond
)

// Colors of the links, on the page background.
const (
	linkPipe   = "#e07020" // bytes through a pipe
	linkSocket = "#3c8dde" // bytes through a TCP connection, connect → accept
	linkProc   = "#8a8a8a" // fork → child, exit → wait
)

// traceLink is one arrow of the diagram: from event From to event To.
type traceLink struct {
	From, To int
	Kind     string // "pipe", "socket", "connect", "fork", "wait"
	Bytes    int    // pipe and socket: bytes of From's write that To read
}

// traceLinks matches the events: the bytes of each write to the reads that
// took them (through the same pipe, or the two ends of one TCP
// connection, first in first out), connect to accept, fork to the child's
// first event and a child's exit (or last event) to the wait that reaped
// it. events must be in the order rt.Trace returns them (by At).
func traceLinks(events []osdata.TraceEvent) []traceLink {
	type pending struct{ ev, left int }
	queues := map[string][]pending{}
	var links []traceLink
	first := map[int]int{} // pid → its first event
	last := map[int]int{}  // pid → its last event
	for i, e := range events {
		if _, ok := first[e.Pid]; !ok {
			first[e.Pid] = i
		}
		last[e.Pid] = i
	}
	for i, e := range events {
		if e.Err != "" && e.Err != "EOF" {
			continue
		}
		switch e.Call {
		case "write":
			if k, _ := flowKey(e, true); k != "" && e.Ret > 0 {
				queues[k] = append(queues[k], pending{i, e.Ret})
			}
		case "read":
			k, kind := flowKey(e, false)
			for need := e.Ret; k != "" && need > 0 && len(queues[k]) > 0; {
				q := &queues[k][0]
				take := min(need, q.left)
				links = append(links, traceLink{From: q.ev, To: i, Kind: kind, Bytes: take})
				q.left -= take
				need -= take
				if q.left == 0 {
					queues[k] = queues[k][1:]
				}
			}
		case "accept":
			for j, c := range events {
				if c.Call == "connect" && c.Err == "" && c.Local != "" && c.Local == e.Peer && c.Peer == e.Local {
					links = append(links, traceLink{From: j, To: i, Kind: "connect"})
					break
				}
			}
		case "fork":
			if f, ok := first[e.Ret]; ok && e.Ret > 0 && f > i {
				links = append(links, traceLink{From: i, To: f, Kind: "fork"})
			}
		case "wait":
			if l, ok := last[e.Ret]; ok && e.Ret > 0 && l < i {
				links = append(links, traceLink{From: l, To: i, Kind: "wait"})
			}
		}
	}
	return links
}

// flowKey names the one-way channel a read or write uses: the pipe's
// inode, or a TCP connection's direction, "from>to".
func flowKey(e osdata.TraceEvent, write bool) (key, kind string) {
	switch {
	case strings.HasPrefix(e.Object, "pipe:"):
		return e.Object, "pipe"
	case e.Local != "" && e.Peer != "":
		if write {
			return e.Local + ">" + e.Peer, "socket"
		}
		return e.Peer + ">" + e.Local, "socket"
	}
	return "", ""
}

// tracePids returns the processes in the order they appear: each at its
// first event, a forked child at the fork that made it.
func tracePids(events []osdata.TraceEvent) []int {
	var pids []int
	for _, e := range events {
		if !slices.Contains(pids, e.Pid) {
			pids = append(pids, e.Pid)
		}
		if e.Call == "fork" && e.Err == "" && e.Ret > 0 && !slices.Contains(pids, e.Ret) {
			pids = append(pids, e.Ret)
		}
	}
	return pids
}

// TraceLabel is the one-line description of an event, C style:
// "write(4) = 6 \"hello\\n\"", "read(3) = 0 EOF", "wait() = 812 exited 3".
func TraceLabel(e osdata.TraceEvent) string {
	var s string
	switch e.Call {
	case "fork", "socket", "listen":
		s = e.Call + "()"
		if e.Call == "listen" {
			s = "listen(" + strconv.Itoa(e.FD) + ")"
		}
		if e.Err == "" && e.Call != "listen" {
			s += " = " + strconv.Itoa(e.Ret)
		}
	case "exit":
		return "exit(" + strconv.Itoa(e.Ret) + ")"
	case "wait":
		s = "wait()"
		if e.Err == "" {
			s += " = " + strconv.Itoa(e.Ret) + " " + e.Status
		}
	case "pipe":
		s = "pipe()"
		if e.Err == "" {
			s += fmt.Sprintf(" = [%d, %d]", e.FD, e.Ret)
		}
	case "read", "write":
		s = e.Call + "(" + strconv.Itoa(e.FD) + ")"
		if e.Err == "" || e.Err == "EOF" {
			s += " = " + strconv.Itoa(e.Ret)
			if e.Data != "" {
				s += " " + strconv.Quote(e.Data)
			}
		}
	case "close":
		s = "close(" + strconv.Itoa(e.FD) + ")"
	case "bind", "connect":
		s = e.Call + "(" + strconv.Itoa(e.FD)
		if a := map[string]string{"bind": e.Local, "connect": e.Peer}[e.Call]; a != "" {
			s += ", " + a
		}
		s += ")"
	case "accept":
		s = "accept(" + strconv.Itoa(e.FD) + ")"
		if e.Err == "" {
			s += " = " + strconv.Itoa(e.Ret)
			if e.Peer != "" {
				s += " from " + e.Peer
			}
		}
	case "open":
		s = "open(" + strconv.Quote(e.Object) + ")"
		if e.Err == "" {
			s += " = " + strconv.Itoa(e.Ret)
		}
	case "dup":
		s = "dup(" + strconv.Itoa(e.FD) + ")"
		if e.Err == "" {
			s += " = " + strconv.Itoa(e.Ret)
		}
	case "dup2":
		s = fmt.Sprintf("dup2(%d, %d)", e.FD, e.Ret)
	default:
		s = e.Call + "()"
	}
	if e.Err != "" {
		s += " " + e.Err
	}
	return s
}

// traceT0 is the time the diagram and the text count from: the earliest
// start.
func traceT0(events []osdata.TraceEvent) time.Time {
	var t0 time.Time
	for _, e := range events {
		if t0.IsZero() || e.Start.Before(t0) {
			t0 = e.Start
		}
	}
	return t0
}

// ms formats d in milliseconds with three decimals.
func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 3, 64)
}

// TraceText renders events, in the order rt.Trace returns them (by
// TraceEvent.At), as text, one line per call: time in ms from the first
// call, pid, the call (TraceLabel, and how long it waited), and where its
// bytes went or came from. The result depends on its argument alone.
func TraceText(events []osdata.TraceEvent) string {
	if len(events) == 0 {
		return "rt.Trace: no rt calls recorded\n"
	}
	t0 := traceT0(events)
	notes := make([][]string, len(events))
	// Bytes of one call to or from one process make one note.
	sent, got := map[[2]int]int{}, map[[2]int]int{}
	links := traceLinks(events)
	for _, l := range links {
		if l.Kind == "pipe" || l.Kind == "socket" {
			sent[[2]int{l.From, events[l.To].Pid}] += l.Bytes
			got[[2]int{l.To, events[l.From].Pid}] += l.Bytes
		}
	}
	for _, l := range links {
		from, to := events[l.From], events[l.To]
		switch l.Kind {
		case "pipe", "socket":
			if n, ok := sent[[2]int{l.From, to.Pid}]; ok {
				notes[l.From] = append(notes[l.From], fmt.Sprintf("%d B → pid %d", n, to.Pid))
				delete(sent, [2]int{l.From, to.Pid})
			}
			if n, ok := got[[2]int{l.To, from.Pid}]; ok {
				notes[l.To] = append(notes[l.To], fmt.Sprintf("%d B ← pid %d", n, from.Pid))
				delete(got, [2]int{l.To, from.Pid})
			}
		case "connect":
			notes[l.To] = append(notes[l.To], fmt.Sprintf("← connect of pid %d", from.Pid))
		case "wait":
			notes[l.To] = append(notes[l.To], fmt.Sprintf("reaped pid %d", from.Pid))
		}
	}
	rows := make([][]string, len(events))
	for i, e := range events {
		call := TraceLabel(e)
		if d := e.End.Sub(e.Start); mayWait(e, d) {
			call += " (waited " + ms(d) + " ms)"
		}
		rows[i] = []string{ms(e.At().Sub(t0)), strconv.Itoa(e.Pid), call, strings.Join(notes[i], ", ")}
	}
	return textTable([]string{"t ms", "pid", "call", "data"}, rows, 0, 1)
}

// TraceHTML renders events as a sequence diagram, TraceSVG shown as an
// HTML image on a white card (see SVGImageHTML): one lifeline per process,
// a dot and a label per call in the order rt.Trace returns them, a thick
// bar where a call waited, and arrows for bytes moving from a write to the
// read that took them (pipes orange, TCP blue, with the byte count),
// connect → accept, fork → child and exit → wait. At most 200 calls are
// drawn. With no events it is a line saying so. The result depends on its
// argument alone.
func TraceHTML(events []osdata.TraceEvent) string {
	if len(events) == 0 {
		return "<p><i>rt.Trace: no rt calls recorded</i></p>"
	}
	return SVGImageHTML(TraceSVG(events))
}

// TraceSVG is the SVG document of TraceHTML. Its text and lines use
// currentColor: inline in a page, they follow the page's text color. The
// result depends on its argument alone.
func TraceSVG(events []osdata.TraceEvent) string {
	drawn := events[:min(len(events), sqMaxRows)]
	pids := tracePids(drawn)
	t0 := traceT0(drawn)
	colX := func(pid int) float64 {
		return sqMargin + sqAxisW + sqColW*float64(slices.Index(pids, pid)) + 44
	}
	top := sqHeadTop + sqHeadH + 18
	rowY := func(i int) float64 { return top + sqRowH*float64(i) }
	w := sqMargin*2 + sqAxisW + sqColW*float64(len(pids))
	h := rowY(len(drawn)) + 26
	if len(drawn) < len(events) {
		h += 18
	}
	title := "rt calls of pid " + joinInts(pids, ", ") + ", time going down"
	var b strings.Builder
	svgOpen(&b, w, h, title)
	fmt.Fprintf(&b, `<text x="%s" y="20" font-size="14" font-weight="bold">%s</text>`, fnum(sqMargin), esc(title))
	legend := fmt.Sprintf(`<tspan fill="%s">━ bytes through a pipe</tspan>   <tspan fill="%s">━ through TCP</tspan>   <tspan fill="%s">╌ fork, connect, exit → wait</tspan>   ▮ waiting in the call`,
		linkPipe, linkSocket, linkProc)
	fmt.Fprintf(&b, `<text x="%s" y="36" font-size="11" opacity=".85">%s</text>`, fnum(sqMargin), legend)
	fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" opacity=".8">ms</text>`, fnum(sqMargin), fnum(top-12))

	// Each lifeline runs from the process's start (its fork, or the top)
	// to its exit, or to the bottom.
	startRow, endRow := map[int]int{}, map[int]int{}
	for _, p := range pids {
		startRow[p], endRow[p] = -1, len(drawn)
	}
	for i, e := range drawn {
		if e.Call == "fork" && e.Err == "" && startRow[e.Ret] == -1 {
			startRow[e.Ret] = i
		}
		if e.Call == "exit" {
			endRow[e.Pid] = i
		}
		if e.Call == "wait" && e.Err == "" && endRow[e.Ret] == len(drawn) && slices.Contains(pids, e.Ret) {
			endRow[e.Ret] = i // killed by a signal: no exit event
		}
	}
	for _, p := range pids {
		x := colX(p)
		y0, y1 := top-8, rowY(endRow[p])
		if endRow[p] == len(drawn) {
			y1 = rowY(len(drawn)) - 8
		}
		if startRow[p] >= 0 {
			y0 = rowY(startRow[p])
		}
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor" stroke-opacity=".45" stroke-width="1.5" stroke-dasharray="5 3"/>`,
			fnum(x), fnum(y0), fnum(x), fnum(y1))
		if endRow[p] < len(drawn) {
			fmt.Fprintf(&b, `<path d="M%s %sl8 8m0 -8l-8 8" stroke="currentColor" stroke-width="1.6"/>`, fnum(x-4), fnum(y1+6))
		}
		hy := sqHeadTop
		if startRow[p] >= 0 {
			hy = -1 // a forked child's box sits at its fork row
		}
		label, sub := "pid "+strconv.Itoa(p), traceRole(p, drawn)
		if hy >= 0 {
			drawProcBox(&b, x, hy, label, sub)
		} else {
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" font-weight="bold" text-anchor="middle">%s</text>`,
				fnum(x), fnum(sqHeadTop+sqHeadH/2+4), esc(label))
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="10" opacity=".75" text-anchor="middle">%s</text>`,
				fnum(x), fnum(sqHeadTop+sqHeadH/2+17), esc(sub))
		}
	}

	// Waiting bars: from where the call began among the rows to its row.
	for i, e := range drawn {
		d := e.End.Sub(e.Start)
		if !mayWait(e, d) {
			continue
		}
		j := i
		for j > 0 && drawn[j-1].At().After(e.Start) {
			j--
		}
		if j == i {
			continue
		}
		x := colX(e.Pid)
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="7" height="%s" rx="2" fill="currentColor" fill-opacity=".28"><title>%s</title></rect>`,
			fnum(x-3.5), fnum(rowY(j)-sqRowH/2), fnum(rowY(i)-rowY(j)+sqRowH/2),
			esc(fmt.Sprintf("pid %d waited %s ms in %s", e.Pid, ms(d), e.Call)))
	}

	// Links under the dots.
	for _, l := range traceLinks(drawn) {
		drawTraceLink(&b, l, drawn, colX, rowY)
	}

	for i, e := range drawn {
		x, y := colX(e.Pid), rowY(i)
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="10.5" text-anchor="end" opacity=".75">%s</text>`,
			fnum(sqMargin+sqAxisW-8), fnum(y+4), ms(e.At().Sub(t0)))
		dot := "currentColor"
		if e.Err != "" && e.Err != "EOF" {
			dot = "#d9453b"
		}
		fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3.6" fill="%s"/>`, fnum(x), fnum(y), dot)
		label := traceShortLabel(e)
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-family="%s" font-size="11"%s><title>%s</title>%s</text>`,
			fnum(x+sqLabelDX), fnum(y+4), monoFont, errAttr(e), esc(fmt.Sprintf("pid %d %s (%s ms)", e.Pid, TraceLabel(e), ms(e.End.Sub(e.Start)))), esc(label))
	}
	if len(drawn) < len(events) {
		fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="11" opacity=".8">… %d more calls, in the events Trace returned</text>`,
			fnum(sqMargin), fnum(h-12), len(events)-len(drawn))
	}
	b.WriteString("</svg>")
	return b.String()
}

// mayWait reports whether e is a call that waited: one that can block
// (read, write, accept, connect, wait, open) and took d >= sqBlocked.
func mayWait(e osdata.TraceEvent, d time.Duration) bool {
	switch e.Call {
	case "read", "write", "accept", "connect", "wait", "open":
		return d >= sqBlocked
	}
	return false
}

// errAttr colors the label of a failed call.
func errAttr(e osdata.TraceEvent) string {
	if e.Err != "" && e.Err != "EOF" {
		return ` fill="#d9453b"`
	}
	return ""
}

// traceRole says what a process is in the trace: the first one traced, or
// whose child.
func traceRole(pid int, events []osdata.TraceEvent) string {
	for _, e := range events {
		if e.Call == "fork" && e.Ret == pid && e.Err == "" {
			return "child of " + strconv.Itoa(e.Pid)
		}
	}
	return "tracing process"
}

// drawProcBox draws a process's head box centered on x.
func drawProcBox(b *strings.Builder, x, y float64, label, sub string) {
	const bw = 120.0
	fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" rx="5" fill="%s" stroke="%s"/>`,
		fnum(x-bw/2), fnum(y), fnum(bw), fnum(sqHeadH), fillGray, inkOnFill)
	fmt.Fprintf(b, `<text x="%s" y="%s" font-size="12" font-weight="bold" fill="%s" text-anchor="middle">%s</text>`,
		fnum(x), fnum(y+15), inkOnFill, esc(label))
	fmt.Fprintf(b, `<text x="%s" y="%s" font-size="10" fill="%s" text-anchor="middle">%s</text>`,
		fnum(x), fnum(y+28), inkOnFill, esc(sub))
}

// traceShortLabel is the label drawn next to an event's dot.
func traceShortLabel(e osdata.TraceEvent) string { return clip(TraceLabel(e), sqLabelN) }

// labelEnd is the x just right of the label drawn at a dot at x.
func labelEnd(e osdata.TraceEvent, x float64) float64 {
	return x + sqLabelDX + sqCharW*float64(utf8.RuneCountInString(traceShortLabel(e))) + 4
}

// drawTraceLink draws one arrow between two events. An arrow leaves a dot
// to the left, or to the right from the end of its label, and arrives the
// same way, so that it never crosses the labels of its own two calls.
func drawTraceLink(b *strings.Builder, l traceLink, events []osdata.TraceEvent, colX func(int) float64, rowY func(int) float64) {
	from, to := events[l.From], events[l.To]
	x1, y1 := colX(from.Pid), rowY(l.From)
	x2, y2 := colX(to.Pid), rowY(l.To)
	if l.Kind == "fork" {
		y2 = y1 // straight across: the child's lifeline starts at its fork
	}
	if x2 > x1 {
		x1 = labelEnd(from, x1) - 4
	} else if x2 < x1 {
		x2 = labelEnd(to, x2)
	}
	col, dash, label := linkProc, ` stroke-dasharray="4 3"`, ""
	switch l.Kind {
	case "pipe":
		col, dash, label = linkPipe, "", strconv.Itoa(l.Bytes)+" B"
	case "socket":
		col, dash, label = linkSocket, "", strconv.Itoa(l.Bytes)+" B"
	case "connect":
		col, label = linkSocket, "connect"
	case "fork":
		label = "fork"
	case "wait":
		label = to.Status
	}
	if x1 == x2 {
		// Within one process: a loop out to the right of the labels' start.
		bulge := 30.0
		fmt.Fprintf(b, `<path d="M%s %sC%s %s,%s %s,%s %s" fill="none" stroke="%s" stroke-width="1.6"%s/>`,
			fnum(x1), fnum(y1), fnum(x1-bulge), fnum(y1), fnum(x2-bulge), fnum(y2), fnum(x2-6), fnum(y2), col, dash)
		arrowHead(b, x2-6, y2, 0, col)
		if label != "" {
			fmt.Fprintf(b, `<text x="%s" y="%s" font-size="10" font-weight="bold" fill="%s" text-anchor="end">%s</text>`,
				fnum(x1-bulge*.55), fnum((y1+y2)/2+4), col, esc(label))
		}
		return
	}
	dir := 1.0
	if x2 < x1 {
		dir = -1
	}
	x1 += dir * 4
	x2 -= dir * 5
	fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.6"%s/>`,
		fnum(x1), fnum(y1), fnum(x2), fnum(y2), col, dash)
	arrowHead(b, x2, y2, math.Atan2(y2-y1, x2-x1), col)
	if label != "" {
		mx, my := (x1+x2)/2, (y1+y2)/2
		fmt.Fprintf(b, `<text x="%s" y="%s" font-size="10" font-weight="bold" fill="%s" text-anchor="middle" stroke="none">%s</text>`,
			fnum(mx), fnum(my-4), col, esc(label))
	}
}

// arrowHead draws a filled arrowhead with its tip at (x, y) pointing at
// angle (radians).
func arrowHead(b *strings.Builder, x, y, angle float64, col string) {
	const l, w = 8.0, 4.0
	bx, by := x-l*math.Cos(angle), y-l*math.Sin(angle)
	px, py := -math.Sin(angle)*w, math.Cos(angle)*w
	fmt.Fprintf(b, `<path d="M%s %sL%s %sL%s %sZ" fill="%s"/>`,
		fnum(x), fnum(y), fnum(bx+px), fnum(by+py), fnum(bx-px), fnum(by-py), col)
}

// joinInts joins numbers with sep.
func joinInts(ns []int, sep string) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, sep)
}
