package supervise

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gosys/internal/content"
	"gosys/kernel/capture"
	"gosys/kernel/wire"
)

// gosysBin is the gosys binary TestMain builds: the session processes are
// real ones.
var gosysBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gosys-supervise-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	gosysBin = filepath.Join(dir, "gosys")
	if out, err := exec.Command("go", "build", "-o", gosysBin, "gosys/cmd/gosys").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build gosys: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// sink records what the session's output pipes and display socket carry.
type sink struct {
	mu   sync.Mutex
	text strings.Builder
}

func (s *sink) Stream(_ *wire.Message, name, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.text.WriteString(text)
}
func (s *sink) Display(*wire.Message, content.Bundle, bool) {}
func (s *sink) ClearOutput(*wire.Message, bool)             {}

func (s *sink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.text.String()
}

func newSupervisor(t testing.TB, grace time.Duration) (*Supervisor, *sink) {
	t.Helper()
	rec := &sink{}
	out, err := capture.NewOutput(rec, 0)
	if err != nil {
		t.Fatal(err)
	}
	display, err := out.StartDisplay(rec, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{
		Exe: gosysBin, Output: out, Display: display.Writer(), Input: capture.NewInput(),
		MaxChildren: 64, InterruptGrace: grace,
		Log: log.New(testWriter{t}, "", 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, rec
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func run(t testing.TB, s *Supervisor, cell int, code string) (string, *content.Error) {
	t.Helper()
	r := s.Execute(context.Background(), Request{Cell: cell, Code: code})
	if r.Value != nil {
		return fmt.Sprint(r.Value.Data["text/plain"]), r.Err
	}
	return "", r.Err
}

func TestExecuteAndRestartAfterADeath(t *testing.T) {
	s, _ := newSupervisor(t, 2*time.Second)
	if v, err := run(t, s, 1, "x := 20\nfunc twice(n int) int { return 2 * n }\ntwice(x) + 2"); v != "42" || err != nil {
		t.Fatalf("first cell: %q %v", v, err)
	}
	pid := s.Pid()
	_, err := run(t, s, 2, "import \"syscall\"\nsyscall.Kill(rt.Getpid(), syscall.SIGKILL)\nimport \"time\"\ntime.Sleep(time.Minute)")
	if err == nil || err.Value != "the session process was killed by SIGKILL" {
		t.Fatalf("cell that killed the session: %+v", err)
	}
	tb := strings.Join(err.Traceback, "\n")
	if !strings.Contains(tb, "functions twice") || !strings.Contains(tb, "their values were lost): x") {
		t.Errorf("the restart note does not list what was declared again:\n%s", tb)
	}
	if s.Pid() == pid || s.Pid() == 0 {
		t.Errorf("session pid %d after the restart (was %d)", s.Pid(), pid)
	}
	if v, err := run(t, s, 3, "twice(x + 21)"); v != "42" || err != nil {
		t.Fatalf("after the restart: %q %v", v, err)
	}
}

func TestInterruptThatCannotStopRestarts(t *testing.T) {
	s, _ := newSupervisor(t, 500*time.Millisecond)
	run(t, s, 1, "func f() int { return 7 }")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	r := s.Execute(ctx, Request{Cell: 2, Code: "import \"sync\"\nvar wg sync.WaitGroup\nwg.Add(1)\nwg.Wait()"})
	if r.Err == nil || r.Err.Name != "Interrupted" || !strings.Contains(r.Err.Value, "sync.(*WaitGroup).Wait") {
		t.Fatalf("result %+v", r.Err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %v", took)
	}
	if v, err := run(t, s, 3, "f()"); v != "7" || err != nil {
		t.Fatalf("after the restart: %q %v", v, err)
	}
}

func TestIdleDeathIsReportedToTheLastCell(t *testing.T) {
	s, _ := newSupervisor(t, time.Second)
	got := make(chan *content.Error, 1)
	s.cfg.Notify = func(cell int, e *content.Error, restarted bool) {
		if cell == 1 && restarted {
			got <- e
		}
	}
	run(t, s, 1, "import \"time\"\ntime.AfterFunc(100*time.Millisecond, func() { panic(\"later\") })")
	select {
	case e := <-got:
		if e.Name != "panic in a goroutine" || e.Value != "later" {
			t.Fatalf("got %+v", e)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no report of the idle session's death")
	}
	if v, err := run(t, s, 2, "1 + 1"); v != "2" || err != nil {
		t.Fatalf("after the restart: %q %v", v, err)
	}
}

// BenchmarkTrivialCell measures a cell's round trip from the kernel's side:
//
//	go test ./kernel/supervise -run XXX -bench TrivialCell
func BenchmarkTrivialCell(b *testing.B) {
	s, _ := newSupervisor(b, 2*time.Second)
	run(b, s, 1, "1")
	for b.Loop() {
		if v, err := run(b, s, 2, "1"); v != "1" || err != nil {
			b.Fatal(v, err)
		}
	}
}
