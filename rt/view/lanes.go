package view

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gosys/rt/osdata"
)

// LanesText renders writes, in order, as lines prefixed by the writer's
// pid ("[812] hello", "[812 err] oops" for stderr). The result depends on
// its argument alone.
func LanesText(texts []osdata.LaneText) string {
	var b strings.Builder
	for _, t := range texts {
		for _, line := range strings.SplitAfter(t.Text, "\n") {
			if line == "" {
				continue
			}
			tag := strconv.Itoa(t.Pid)
			if t.Stream == "stderr" {
				tag += " err"
			}
			fmt.Fprintf(&b, "[%s] %s", tag, line)
			if !strings.HasSuffix(line, "\n") {
				b.WriteString("\n")
			}
		}
	}
	return b.String()
}

// LanesHTML renders writes as an HTML table with one column per process,
// in the order each first wrote, and one row per write, in the order
// written, with its time in ms from the first; stderr text is marked. The
// column of process self is labeled "(this process)". Inline styles only;
// the result depends on its arguments alone.
func LanesHTML(self int, texts []osdata.LaneText) string {
	pids := lanePids(texts)
	head := []string{"t (ms)"}
	for _, p := range pids {
		label := "pid " + strconv.Itoa(p)
		if p == self {
			label += " (this process)"
		}
		head = append(head, label)
	}
	var rows [][]string
	var start time.Time
	if len(texts) > 0 {
		start = texts[0].At
	}
	for _, t := range texts {
		row := make([]string, len(pids)+1)
		row[0] = num(strconv.FormatFloat(float64(t.At.Sub(start).Microseconds())/1000, 'f', 1, 64))
		text := `<pre style="margin:0;font:inherit;white-space:pre-wrap">` + esc(strings.TrimSuffix(t.Text, "\n")) + `</pre>`
		if t.Stream == "stderr" {
			text = `<span style="color:#c0392b">` + text + `</span>`
		}
		row[slices.Index(pids, t.Pid)+1] = text
		rows = append(rows, row)
	}
	return htmlTable("output by process, in the order written", head, rows)
}

// lanePids returns the writers in the order they first wrote.
func lanePids(texts []osdata.LaneText) []int {
	var pids []int
	for _, t := range texts {
		if !slices.Contains(pids, t.Pid) {
			pids = append(pids, t.Pid)
		}
	}
	return pids
}
