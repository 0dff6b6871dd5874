// Package procfs reads what gosys needs of /proc: a process's state,
// parent, command line, memory and children, and what fdinfo says of a
// descriptor. It is the one reader of /proc for the kernel, the session and
// rt's views. Parsers take the file's bytes, so that they can be tested and
// fuzzed without a process.
package procfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Stat is the part of /proc/PID/stat gosys uses.
type Stat struct {
	Pid   int
	Comm  string // the command name, without parentheses
	State byte   // R, S, D, Z, T...
	Ppid  int
}

// ParseStat parses the contents of /proc/PID/stat. The command name may
// hold spaces and parentheses: the fields after it start after the last ')'.
func ParseStat(b []byte) (Stat, error) {
	s := string(b)
	open := strings.IndexByte(s, '(')
	close := strings.LastIndexByte(s, ')')
	if open < 0 || close < open {
		return Stat{}, errors.New("procfs: stat: no command name")
	}
	pid, err := strconv.Atoi(strings.TrimSpace(s[:open]))
	if err != nil {
		return Stat{}, fmt.Errorf("procfs: stat: pid: %w", err)
	}
	f := strings.Fields(s[close+1:])
	if len(f) < 2 || len(f[0]) != 1 {
		return Stat{}, errors.New("procfs: stat: too few fields")
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return Stat{}, fmt.Errorf("procfs: stat: ppid: %w", err)
	}
	return Stat{Pid: pid, Comm: s[open+1 : close], State: f[0][0], Ppid: ppid}, nil
}

// ReadStat reads /proc/PID/stat.
func ReadStat(pid int) (Stat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return Stat{}, err
	}
	return ParseStat(b)
}

// All reads the stat of every process in /proc; processes that end
// meanwhile are left out.
func All() (map[int]Stat, error) {
	dir, err := os.Open("/proc")
	if err != nil {
		return nil, fmt.Errorf("procfs: list processes: %w", err)
	}
	names, err := dir.Readdirnames(-1)
	dir.Close()
	if err != nil {
		return nil, fmt.Errorf("procfs: list processes: %w", err)
	}
	out := make(map[int]Stat, len(names))
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		if st, err := ReadStat(pid); err == nil {
			out[pid] = st
		}
	}
	return out, nil
}

// ChildMap maps each pid of procs (as All returns them) to its children,
// lowest pid first.
func ChildMap(procs map[int]Stat) map[int][]int {
	kids := map[int][]int{}
	for pid, st := range procs {
		kids[st.Ppid] = append(kids[st.Ppid], pid)
	}
	for _, k := range kids {
		slices.Sort(k)
	}
	return kids
}

// Subtree returns root and its descendants in kids (as ChildMap makes it),
// breadth first.
func Subtree(root int, kids map[int][]int) []int {
	out := []int{root}
	for i := 0; i < len(out); i++ {
		out = append(out, kids[out[i]]...)
	}
	return out
}

// Cmdline returns pid's command line joined by spaces, or "[comm]" when it
// has none (a kernel thread, a zombie), or "" when pid is gone.
func Cmdline(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err == nil && len(b) > 0 {
		return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
	}
	if st, err := ReadStat(pid); err == nil {
		return "[" + st.Comm + "]"
	}
	return ""
}

// FDInfo is what /proc/PID/fdinfo/FD says of a descriptor.
type FDInfo struct {
	Pos   int64  // the file offset
	Flags int64  // open(2) flags (the file holds them in octal)
	Ino   uint64 // the inode
}

// ParseFDInfo parses the "key:\tvalue" lines of an fdinfo file, ignoring
// lines it does not know and values that do not parse.
func ParseFDInfo(b []byte) FDInfo {
	var f FDInfo
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		switch k {
		case "pos":
			f.Pos, _ = strconv.ParseInt(v, 10, 64)
		case "flags":
			f.Flags, _ = strconv.ParseInt(v, 8, 64)
		case "ino":
			f.Ino, _ = strconv.ParseUint(v, 10, 64)
		}
	}
	return f
}

// Children returns the pids of pid's children. It reads the children files
// of pid's threads (a child belongs to the thread that made it, or that
// adopted it), else, without them, every process's stat.
func Children(pid int) []int {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	if len(tasks) > 0 {
		var out []int
		seen := map[int]bool{}
		for _, t := range tasks {
			b, err := os.ReadFile(t)
			if err != nil {
				continue
			}
			for _, f := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(f); err == nil && !seen[c] {
					seen[c] = true
					out = append(out, c)
				}
			}
		}
		return out
	}
	var out []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, st := range stats {
		b, err := os.ReadFile(st)
		if err != nil {
			continue
		}
		if s, err := ParseStat(b); err == nil && s.Ppid == pid {
			out = append(out, s.Pid)
		}
	}
	return out
}

// RSS returns the resident memory of pid in bytes, from /proc/PID/statm.
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, err
	}
	return ParseStatmRSS(b, int64(os.Getpagesize()))
}

// ParseStatmRSS returns the resident size in bytes from the contents of
// /proc/PID/statm (its second field, in pages of pageSize bytes).
func ParseStatmRSS(b []byte, pageSize int64) (int64, error) {
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, errors.New("procfs: statm: too few fields")
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil || pages < 0 {
		return 0, fmt.Errorf("procfs: statm: resident %q", f[1])
	}
	return pages * pageSize, nil
}

// Descendants returns pid's children, theirs, and so on.
func Descendants(pid int) []int {
	var out []int
	queue := []int{pid}
	seen := map[int]bool{pid: true}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range Children(p) {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
				queue = append(queue, c)
			}
		}
	}
	return out
}
