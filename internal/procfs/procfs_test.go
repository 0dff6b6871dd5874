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

func TestParseFDInfo(t *testing.T) {
	for _, c := range []struct {
		in   string
		want FDInfo
	}{
		{"pos:\t12\nflags:\t02004001\nmnt_id:\t15\nino:\t52831\n", FDInfo{Pos: 12, Flags: 0o2004001, Ino: 52831}},
		{"flags:\t0100002\n", FDInfo{Flags: 0o100002}},
		{"pos:\tnot a number\nino:\t-1\n", FDInfo{}},
		{"", FDInfo{}},
	} {
		if got := ParseFDInfo([]byte(c.in)); got != c.want {
			t.Errorf("ParseFDInfo(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

// TestAllAndSubtree: a child this test starts is found among all
// processes, under this process, with its command line.
func TestAllAndSubtree(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	procs, err := All()
	if err != nil {
		t.Fatal(err)
	}
	child := cmd.Process.Pid
	if st, ok := procs[child]; !ok || st.Ppid != os.Getpid() {
		t.Fatalf("All()[%d] = %+v, %v; want a child of %d", child, st, ok, os.Getpid())
	}
	tree := Subtree(os.Getpid(), ChildMap(procs))
	if tree[0] != os.Getpid() || !slices.Contains(tree, child) {
		t.Errorf("Subtree(self) = %v, want self first and %d in it", tree, child)
	}
	if got := Cmdline(child); got != "sleep 30" {
		t.Errorf("Cmdline(child) = %q, want %q", got, "sleep 30")
	}
	if got := Cmdline(1 << 30); got != "" {
		t.Errorf("Cmdline of no process = %q", got)
	}
}

func FuzzParseFDInfo(f *testing.F) {
	f.Add([]byte("pos:\t12\nflags:\t02004001\nino:\t52831\n"))
	f.Fuzz(func(t *testing.T, b []byte) { ParseFDInfo(b) })
}
