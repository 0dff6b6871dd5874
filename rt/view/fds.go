package view

import (
	"fmt"
	"strconv"
	"strings"

	"gosys/rt/osdata"
)

// FDsHTML renders fds, the descriptor table of process pid, as an HTML
// table (fd, kind, what it refers to, mode, flags, offset) with inline
// styles only. Pipes with no writer (or no reader) left are flagged. It
// shows every descriptor it is given; the result depends on its arguments
// alone.
func FDsHTML(pid int, fds []osdata.FDInfo) string {
	rows := make([][]string, 0, len(fds))
	for _, f := range fds {
		what := esc(f.Describe())
		if warn := pipeWarning(f); warn != "" {
			what += " " + badge(warn, fillWarn)
		}
		if f.Kind == osdata.FDSocket && f.Socket != nil {
			what = esc(strings.TrimSuffix(f.Socket.Describe(), " "+f.Socket.State)) + " " + badge(f.Socket.State, tcpStateFill(f.Socket.State))
		}
		rows = append(rows, []string{
			num(strconv.Itoa(f.FD)),
			badge(string(f.Kind), kindFill(f.Kind)),
			what,
			esc(f.Access),
			esc(flagWords(f)),
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
func FDsText(pid int, fds []osdata.FDInfo) string {
	rows := make([][]string, 0, len(fds))
	for _, f := range fds {
		what := f.Describe()
		if warn := pipeWarning(f); warn != "" {
			what += "  [" + warn + "]"
		}
		rows = append(rows, []string{strconv.Itoa(f.FD), f.Access, flagWords(f), offsetText(f), string(f.Kind), what})
	}
	return fmt.Sprintf("descriptors of pid %d\n", pid) +
		textTable([]string{"fd", "mode", "flags", "offset", "kind", "refers to"}, rows, 0, 3)
}

// offsetText is the offset of f where it means something (files and
// devices), else "".
func offsetText(f osdata.FDInfo) string {
	switch f.Kind {
	case osdata.FDFile, osdata.FDDir, osdata.FDDevice, osdata.FDOther:
		return strconv.FormatInt(f.Pos, 10)
	}
	return ""
}

// pipeWarning says what is wrong with a pipe whose other end nobody holds
// any more, or "".
func pipeWarning(f osdata.FDInfo) string {
	if f.Kind != osdata.FDPipe || !f.OtherEndClosed {
		return ""
	}
	if f.Access == "w" {
		return "no reader"
	}
	return "no writer"
}

// flagWords lists the flags of f: "cloexec", "nonblock".
func flagWords(f osdata.FDInfo) string {
	var flags []string
	if f.Cloexec {
		flags = append(flags, "cloexec")
	}
	if f.Nonblock {
		flags = append(flags, "nonblock")
	}
	return strings.Join(flags, ",")
}
