package procfs

import (
	"os"
	"os/exec"
	"slices"
	"testing"
)

func TestParseStat(t *testing.T) {
	cases := []struct {
		in   string
		want Stat
		err  bool
	}{
		{in: "42 (sleep) S 7 42 42 0 -1", want: Stat{Pid: 42, Comm: "sleep", State: 'S', Ppid: 7}},
		{in: "9 (a) b) (c) Z 1 9", want: Stat{Pid: 9, Comm: "a) b) (c", State: 'Z', Ppid: 1}},
		{in: "9 (x) R", err: true},
		{in: "nope", err: true},
		{in: "x (y) R 1", err: true},
		{in: "1 (y) RR 1", err: true},
	}
	for _, c := range cases {
		got, err := ParseStat([]byte(c.in))
		if (err != nil) != c.err || (!c.err && got != c.want) {
			t.Errorf("ParseStat(%q) = %+v, %v", c.in, got, err)
		}
	}
}

func TestChildrenAndRSS(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if kids := Children(os.Getpid()); !slices.Contains(kids, cmd.Process.Pid) {
		t.Fatalf("Children = %v, missing %d", kids, cmd.Process.Pid)
	}
	if d := Descendants(os.Getpid()); !slices.Contains(d, cmd.Process.Pid) {
		t.Fatalf("Descendants = %v", d)
	}
	st, err := ReadStat(cmd.Process.Pid)
	if err != nil || st.Ppid != os.Getpid() || st.Comm != "sleep" {
		t.Fatalf("ReadStat = %+v, %v", st, err)
	}
	if rss, err := RSS(os.Getpid()); err != nil || rss < 1<<20 {
		t.Fatalf("RSS = %d, %v", rss, err)
	}
}

func FuzzParseStat(f *testing.F) {
	f.Add([]byte("42 (sleep) S 7 42 42 0 -1"))
	f.Add([]byte("9 (a) b) Z 1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseStat(b)
		if err == nil && s.State == 0 {
			t.Fatal("no state")
		}
		_, _ = ParseStatmRSS(b, 4096)
	})
}
