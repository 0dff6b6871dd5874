package view

import (
	"fmt"
	"strconv"
	"strings"

	"gosys/rt/osdata"
)

// ProcsHTML renders t as a nested HTML list, one process a line (pid,
// state, command), zombies flagged, followed by a table of the children rt
// reaped with their status. Inline styles only.
func ProcsHTML(t osdata.ProcTree) string {
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
			rows[i] = []string{num(strconv.Itoa(r.Pid)), badge(osdata.StatusText(r.Status), fill), esc(r.Reaped.Format("15:04:05.000"))}
		}
		b.WriteString(`<div style="height:8px"></div>`)
		b.WriteString(htmlTable("children reaped by rt", []string{"pid", "status", "reaped at"}, rows))
	}
	b.WriteString("</div>")
	return b.String()
}

// procNote explains what is special about p, or "".
func procNote(p osdata.Proc) string {
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
func ProcsText(t osdata.ProcTree) string {
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
			fmt.Fprintf(&b, "  pid %d  %s  at %s\n", r.Pid, osdata.StatusText(r.Status), r.Reaped.Format("15:04:05.000"))
		}
	}
	return b.String()
}

var stateWords = map[string]string{"R": "running", "S": "sleeping", "D": "disk wait",
	"Z": "zombie", "T": "stopped", "t": "traced", "X": "dead", "I": "idle", "P": "parked"}

// stateWord names a one-letter process state.
func stateWord(s string) string {
	if w, ok := stateWords[s]; ok {
		return w
	}
	return s
}
