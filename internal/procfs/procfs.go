// Package procfs reads what gosys needs of /proc: a process's state and
// parent, and its children. Parsers take the file's bytes, so that they can
// be tested and fuzzed without a process.
package procfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
