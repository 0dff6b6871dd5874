package rt

import (
	"fmt"
	"strconv"
	"strings"
)

// FDsHTML renders fds, the descriptor table of process pid, as an HTML
// table (fd, kind, what it refers to, mode, flags, offset) with inline
// styles only. Pipes with no writer (or no reader) left are flagged. It
// shows every descriptor it is given; the result depends on its arguments
// alone.
func FDsHTML(pid int, fds []FDInfo) string {
	rows := make([][]string, 0, len(fds))
	for _, f := range fds {
		what := esc(f.Describe())
		if warn := f.pipeWarning(); warn != "" {
			what += " " + badge(warn, fillWarn)
		}
		if f.Kind == FDSocket && f.Socket != nil {
			what = esc(strings.TrimSuffix(f.Socket.Describe(), " "+f.Socket.State)) + " " + badge(f.Socket.State, tcpStateFill(f.Socket.State))
		}
		rows = append(rows, []string{
			num(strconv.Itoa(f.FD)),
			badge(string(f.Kind), kindFill(f.Kind)),
			what,
			esc(f.Access),
			esc(f.flagWords()),
			num(esc(offsetText(f))),
		})
	}
	if len(rows) == 0 {
		rows = append(rows, []string{"", "", "no open descriptors", "", "", ""})
	}
	return htmlTable(fmt.Sprintf("descriptors of pid %d", pid),
		[]string{"fd", "kind", "refers to", "mode", "flags", "offset"}, rows)
}

// FDsText renders fds, the descriptor table of process pid, as plain
// text, one descriptor a line, in the columns of FDsHTML.
func FDsText(pid int, fds []FDInfo) string {
	rows := make([][]string, 0, len(fds))
	for _, f := range fds {
		what := f.Describe()
		if warn := f.pipeWarning(); warn != "" {
			what += "  [" + warn + "]"
		}
		rows = append(rows, []string{strconv.Itoa(f.FD), f.Access, f.flagWords(), offsetText(f), string(f.Kind), what})
	}
	return fmt.Sprintf("descriptors of pid %d\n", pid) +
		textTable([]string{"fd", "mode", "flags", "offset", "kind", "refers to"}, rows, 0, 3)
}

// offsetText is the offset of f where it means something (files and
// devices), else "".
func offsetText(f FDInfo) string {
	switch f.Kind {
	case FDFile, FDDir, FDDevice, FDOther:
		return strconv.FormatInt(f.Pos, 10)
	}
	return ""
}

// pipeWarning says what is wrong with a pipe whose other end nobody holds
// any more, or "".
func (f FDInfo) pipeWarning() string {
	if f.Kind != FDPipe || !f.OtherEndClosed {
		return ""
	}
	if f.Access == "w" {
		return "no reader"
	}
	return "no writer"
}

// SocketsHTML renders sockets as an HTML table (protocol, local and peer
// address, state, queued bytes, owners) with inline styles only.
func SocketsHTML(sockets []SocketInfo) string {
	rows := make([][]string, 0, len(sockets))
	for _, s := range sockets {
		peer := s.Peer
		if peer == "" {
			peer = "*"
		}
		rows = append(rows, []string{
			esc(s.Proto),
			"<code>" + esc(s.Local) + "</code>",
			"<code>" + esc(peer) + "</code>",
			badge(s.State, tcpStateFill(s.State)),
			num(strconv.FormatInt(s.RecvQ, 10)),
			num(strconv.FormatInt(s.SendQ, 10)),
			esc(ownersText(s)),
		})
	}
	if len(rows) == 0 {
		rows = append(rows, []string{"", "", "", "no TCP sockets", "", "", ""})
	}
	return htmlTable("TCP sockets", []string{"proto", "local", "peer", "state", "recv-q", "send-q", "owner (pid/fd)"}, rows)
}

// SocketsText renders sockets as plain text in the columns of
// SocketsHTML.
func SocketsText(sockets []SocketInfo) string {
	rows := make([][]string, 0, len(sockets))
	for _, s := range sockets {
		peer := s.Peer
		if peer == "" {
			peer = "*"
		}
		rows = append(rows, []string{s.Proto, s.Local, peer, s.State,
			strconv.FormatInt(s.RecvQ, 10), strconv.FormatInt(s.SendQ, 10), ownersText(s)})
	}
	if len(rows) == 0 {
		return "TCP sockets: none\n"
	}
	return "TCP sockets\n" + textTable([]string{"proto", "local", "peer", "state", "recv-q", "send-q", "owner (pid/fd)"}, rows, 4, 5)
}

// ownersText lists the owners of s as "123/4, 125/4", or says it has none.
func ownersText(s SocketInfo) string {
	if len(s.Owners) == 0 {
		return "none (closed; the kernel keeps it)"
	}
	parts := make([]string, len(s.Owners))
	for i, o := range s.Owners {
		parts[i] = fmt.Sprintf("%d/%d", o.Pid, o.FD)
	}
	return strings.Join(parts, ", ")
}

// ProcsHTML renders t as a nested HTML list, one process a line (pid,
// state, command), zombies flagged, followed by a table of the children rt
// reaped with their status. Inline styles only.
func ProcsHTML(t ProcTree) string {
	var b strings.Builder
	root := 0
	if len(t.Procs) > 0 {
		root = t.Procs[0].Pid
	}
	fmt.Fprintf(&b, `<div style="font-size:13px"><div style="font-weight:bold;padding:2px 0 4px 0">processes under pid %d</div>`, root)
	const ul = `<ul style="list-style:none;margin:0;padding:0 0 0 %s;%s">`
	depth := -1
	for _, p := range t.Procs {
		if p.Depth > depth {
			for ; depth < p.Depth; depth++ {
				if depth < 0 {
					fmt.Fprintf(&b, ul, "0", "")
				} else {
					fmt.Fprintf(&b, ul, "1.4em", "margin-left:.45em;border-left:1px solid "+rule)
				}
			}
		} else {
			b.WriteString("</li>")
			for ; depth > p.Depth; depth-- {
				b.WriteString("</ul></li>")
			}
		}
		fmt.Fprintf(&b, `<li style="padding:2px 0"><code style="font-weight:bold">%d</code> %s <code>%s</code>`,
			p.Pid, badge(p.State+" "+stateWord(p.State), procStateFill(p.State)), esc(clip(p.Command, 120)))
		if note := procNote(p); note != "" {
			fmt.Fprintf(&b, ` <i>%s</i>`, esc(note))
		}
	}
	if depth >= 0 {
		b.WriteString("</li>")
		for ; depth > 0; depth-- {
			b.WriteString("</ul></li>")
		}
		b.WriteString("</ul>")
	}
	if len(t.Reaped) > 0 {
		rows := make([][]string, len(t.Reaped))
		for i, r := range t.Reaped {
			fill := fillGreen
			if !r.Status.Exited() || r.Status.ExitStatus() != 0 {
				fill = fillAmber
			}
			rows[i] = []string{num(strconv.Itoa(r.Pid)), badge(StatusText(r.Status), fill), esc(r.Reaped.Format("15:04:05.000"))}
		}
		b.WriteString(`<div style="height:8px"></div>`)
		b.WriteString(htmlTable("children reaped by rt", []string{"pid", "status", "reaped at"}, rows))
	}
	b.WriteString("</div>")
	return b.String()
}

// procNote explains what is special about p, or "".
func procNote(p Proc) string {
	switch {
	case p.State == "Z":
		return "zombie: it ended, its parent has not waited for it yet"
	case p.Depth == 0:
		return "(this process)"
	case p.RtChild:
		return "(child started by rt)"
	}
	return ""
}

// ProcsText renders t as a plain-text tree drawn with ├─ and └─, followed
// by the children rt reaped with their status.
func ProcsText(t ProcTree) string {
	var b strings.Builder
	if len(t.Procs) > 0 {
		fmt.Fprintf(&b, "processes under pid %d\n", t.Procs[0].Pid)
	}
	var open []bool // per depth: whether more siblings follow
	for i, p := range t.Procs {
		last := true
		for _, q := range t.Procs[i+1:] {
			if q.Depth < p.Depth {
				break
			}
			if q.Depth == p.Depth {
				last = false
				break
			}
		}
		open = append(open[:min(p.Depth, len(open))], !last)
		var prefix strings.Builder
		for d := 1; d < p.Depth; d++ {
			if open[d] {
				prefix.WriteString("│  ")
			} else {
				prefix.WriteString("   ")
			}
		}
		if p.Depth > 0 {
			if last {
				prefix.WriteString("└─ ")
			} else {
				prefix.WriteString("├─ ")
			}
		}
		line := fmt.Sprintf("%s%d %s %s", prefix.String(), p.Pid, p.State, clip(p.Command, 120))
		if note := procNote(p); note != "" {
			line += "  " + note
		}
		b.WriteString(line + "\n")
	}
	if len(t.Reaped) > 0 {
		b.WriteString("children reaped by rt:\n")
		for _, r := range t.Reaped {
			fmt.Fprintf(&b, "  pid %d  %s  at %s\n", r.Pid, StatusText(r.Status), r.Reaped.Format("15:04:05.000"))
		}
	}
	return b.String()
}
