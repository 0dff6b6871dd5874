package rt

import (
	"fmt"
	"html"
	"os"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// FDInfo describes one open descriptor of this process.
type FDInfo struct {
	FD     int
	Target string // what it refers to: a path, pipe:[inode], socket:[inode], anon_inode:...
	Access string // "r", "w" or "rw"
	Cloexec,
	Nonblock bool
	Pos int64 // file offset
}

// FDs returns this process's open descriptors, from /proc/self/fd and
// /proc/self/fdinfo, lowest number first. The descriptor used to read the
// directory is left out.
func FDs() ([]FDInfo, error) {
	dir, err := os.Open("/proc/self/fd")
	if err != nil {
		return nil, fmt.Errorf("list descriptors: %w", err)
	}
	names, err := dir.Readdirnames(-1)
	self := int(dir.Fd())
	dir.Close()
	if err != nil {
		return nil, fmt.Errorf("list descriptors: %w", err)
	}
	var out []FDInfo
	for _, n := range names {
		fd, err := strconv.Atoi(n)
		if err != nil || fd == self {
			continue
		}
		target, err := os.Readlink("/proc/self/fd/" + n)
		if err != nil {
			continue // closed meanwhile
		}
		info := FDInfo{FD: fd, Target: target}
		if b, err := os.ReadFile("/proc/self/fdinfo/" + n); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				k, v, _ := strings.Cut(line, ":")
				v = strings.TrimSpace(v)
				switch k {
				case "pos":
					info.Pos, _ = strconv.ParseInt(v, 10, 64)
				case "flags":
					flags, _ := strconv.ParseInt(v, 8, 64)
					switch flags & unix.O_ACCMODE {
					case unix.O_RDONLY:
						info.Access = "r"
					case unix.O_WRONLY:
						info.Access = "w"
					default:
						info.Access = "rw"
					}
					info.Cloexec = flags&unix.O_CLOEXEC != 0
					info.Nonblock = flags&unix.O_NONBLOCK != 0
				}
			}
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FD < out[j].FD })
	return out, nil
}

// ShowFDs shows this process's descriptor table in the notebook: number,
// what it refers to, access mode, flags and offset, as an HTML table with a
// plain-text copy. In a forked child it shows the child's table. By default
// the kernel's own plumbing (descriptors marked close-on-exec, which a
// forked child would not get) is left out, so the table reads like a C
// program's; ShowAllFDs shows everything.
func ShowFDs() { showFDs(false) }

// ShowAllFDs is ShowFDs including close-on-exec descriptors.
func ShowAllFDs() { showFDs(true) }

func showFDs(all bool) {
	fds, err := FDs()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rt.ShowFDs:", err)
		return
	}
	var text, rows strings.Builder
	fmt.Fprintf(&text, "descriptors of pid %d\n%4s  %-4s %-9s %8s  %s\n", os.Getpid(), "fd", "mode", "flags", "offset", "refers to")
	for _, f := range fds {
		if f.Cloexec && !all {
			continue
		}
		var flags []string
		if f.Cloexec {
			flags = append(flags, "cloexec")
		}
		if f.Nonblock {
			flags = append(flags, "nonblock")
		}
		fl := strings.Join(flags, ",")
		fmt.Fprintf(&text, "%4d  %-4s %-9s %8d  %s\n", f.FD, f.Access, fl, f.Pos, f.Target)
		fmt.Fprintf(&rows, "<tr><td style=\"text-align:right\">%d</td><td>%s</td><td>%s</td><td style=\"text-align:right\">%d</td><td><code>%s</code></td></tr>",
			f.FD, f.Access, fl, f.Pos, html.EscapeString(f.Target))
	}
	page := fmt.Sprintf(`<table><caption style="text-align:left">descriptors of pid %d</caption>`+
		`<thead><tr><th>fd</th><th>mode</th><th>flags</th><th>offset</th><th>refers to</th></tr></thead><tbody>%s</tbody></table>`,
		os.Getpid(), rows.String())
	Display(map[string]any{"text/html": page, "text/plain": text.String()}, nil)
}
