package capture_test

import (
	"gosys/internal/content"
	"gosys/rt/displaywire"
	"strconv"

	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"gosys/kernel/capture"
	"gosys/kernel/wire"
	"gosys/rt"

	"golang.org/x/sys/unix"
)

// event is one call a recording sink received.
type event struct {
	Kind   string         `json:"kind"` // stream, display, update, clear
	Parent string         `json:"parent"`
	Name   string         `json:"name,omitempty"`
	Text   string         `json:"text,omitempty"`
	Data   map[string]any `json:"data,omitempty"`
}

// recorder is a StreamSink and DisplaySink that keeps every call in order.
type recorder struct {
	mu     sync.Mutex
	events []event
}

func parentID(m *wire.Message) string {
	if m == nil {
		return ""
	}
	return m.Header.MsgID
}

func (r *recorder) Stream(parent *wire.Message, name, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event{Kind: "stream", Parent: parentID(parent), Name: name, Text: text})
}

func (r *recorder) Display(parent *wire.Message, b content.Bundle, update bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	kind := "display"
	if update {
		kind = "update"
	}
	r.events = append(r.events, event{Kind: kind, Parent: parentID(parent), Data: b.Data})
}

func (r *recorder) ClearOutput(parent *wire.Message, wait bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event{Kind: "clear", Parent: parentID(parent)})
}

func cellMessage(id string) *wire.Message {
	return &wire.Message{Header: wire.Header{MsgID: id, MsgType: "execute_request"}}
}

// bigText returns more than 1 MiB of lines mixing 1-, 2- and 3-byte runes,
// so that flushes at the size limit fall inside runes.
func bigText() string {
	var b strings.Builder
	for i := 0; b.Len() <= 1<<20; i++ {
		fmt.Fprintf(&b, "line %06d: αβγ 世界 ok\n", i)
	}
	return b.String()
}

// scenarioOutput writes, in this order, to stdout and stderr of cell p1,
// then to p2, as a session and its children would. Timings let the
// batching timer fire in the middle of a rune.
func scenarioOutput(t *testing.T, out *capture.Output, stdout, stderr *os.File) {
	out.SetParent(cellMessage("p1"))
	fmt.Fprint(stdout, "print-1\n")
	stdout.Write([]byte("write-2\n"))
	fmt.Fprint(stderr, "err-1\n")
	var wg sync.WaitGroup
	wg.Go(func() {
		fmt.Fprint(stdout, "goroutine-3\n")
		fmt.Fprint(stderr, "err-2 from goroutine\n")
	})
	wg.Wait()
	cmd := exec.Command("/bin/sh", "-c", "echo from-sh; echo sh-err >&2")
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("sh: %v", err)
	}
	fmt.Fprint(stdout, "print-4\n")
	// The first two bytes of 世, then a pause longer than the batching
	// delay, then its last byte.
	stdout.Write([]byte{0xe4, 0xb8})
	time.Sleep(300 * time.Millisecond)
	stdout.Write([]byte{0x96, '\n'})
	time.Sleep(300 * time.Millisecond)
	stdout.Write([]byte(bigText()))
	out.Flush()

	out.SetParent(cellMessage("p2"))
	fmt.Fprint(stdout, "next cell\n")
	fmt.Fprint(stderr, "next cell err\n")
	out.Flush()
}

func scenarioDisplay(out *capture.Output, stdout *os.File) {
	out.SetParent(cellMessage("p1"))
	fmt.Fprint(stdout, "before\n")
	rt.HTML("<b>shown</b>")
	fmt.Fprint(stdout, "after\n")
	stdout.Write([]byte("between"))
	rt.ClearOutput(true)
	fmt.Fprint(stdout, " end\n")
	out.Flush()
	out.SetParent(cellMessage("p2"))
	rt.Markdown("*second cell*")
	out.Flush()
}

// newOutput starts an Output recording into a recorder, with files on its
// write ends for the scenario to write to.
func newOutput(t *testing.T, limit int64) (*capture.Output, *recorder, *os.File, *os.File) {
	t.Helper()
	rec := &recorder{}
	out, err := capture.NewOutput(rec, limit)
	if err != nil {
		t.Fatal(err)
	}
	w1, w2 := out.Writers()
	dup := func(fd int, name string) *os.File {
		d, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		f := os.NewFile(uintptr(d), name)
		t.Cleanup(func() { f.Close() })
		return f
	}
	return out, rec, dup(w1, "stdout"), dup(w2, "stderr")
}

func (r *recorder) all() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event(nil), r.events...)
}

// streamText concatenates the stream text of parent on stream name.
func streamText(events []event, parent, name string) string {
	var b strings.Builder
	for _, e := range events {
		if e.Kind == "stream" && e.Parent == parent && e.Name == name {
			b.WriteString(e.Text)
		}
	}
	return b.String()
}

func TestOutputCapture(t *testing.T) {
	out, rec, stdout, stderr := newOutput(t, 0)
	scenarioOutput(t, out, stdout, stderr)
	events := rec.all()

	wantOut := "print-1\nwrite-2\ngoroutine-3\nfrom-sh\nprint-4\n世\n" + bigText()
	if got := streamText(events, "p1", "stdout"); got != wantOut {
		t.Errorf("stdout of p1: got %d bytes, want %d; first difference at byte %d", len(got), len(wantOut), firstDiff(got, wantOut))
	}
	if got, want := streamText(events, "p1", "stderr"), "err-1\nerr-2 from goroutine\nsh-err\n"; got != want {
		t.Errorf("stderr of p1 = %q, want %q", got, want)
	}
	if got, want := streamText(events, "p2", "stdout"), "next cell\n"; got != want {
		t.Errorf("stdout of p2 = %q, want %q", got, want)
	}
	if got, want := streamText(events, "p2", "stderr"), "next cell err\n"; got != want {
		t.Errorf("stderr of p2 = %q, want %q", got, want)
	}
	for i, e := range events {
		if e.Kind != "stream" {
			t.Errorf("event %d is a %s, want only streams", i, e.Kind)
		}
		if e.Parent != "p1" && e.Parent != "p2" {
			t.Errorf("event %d has parent %q", i, e.Parent)
		}
		if e.Text == "" {
			t.Errorf("event %d is an empty stream message", i)
		}
	}
	// No message ends inside a rune: each was valid UTF-8 (JSON would have
	// turned a split rune into U+FFFD, which the texts above do not hold).
	for i, e := range events {
		if strings.ContainsRune(e.Text, utf8.RuneError) {
			t.Errorf("event %d (%s, %d bytes) holds a split rune: ...%q", i, e.Name, len(e.Text), tail(e.Text))
		}
	}
	// Batching: 1 MiB of text is a few messages, not one per line.
	if len(events) > 40 {
		t.Errorf("%d stream messages; batching should make a few", len(events))
	}
}

func TestOutputLimitAndTail(t *testing.T) {
	out, rec, stdout, stderr := newOutput(t, 1000)
	out.SetParent(cellMessage("p1"))
	line := strings.Repeat("é", 49) + "\n" // 99 bytes, 2-byte runes
	for range 30 {
		stdout.WriteString(line)
	}
	stderr.WriteString("last words\n")
	if got := out.Tail(); got != "last words\n" {
		t.Errorf("Tail() = %q", got)
	}
	if dropped := out.EndCell(); dropped != 30*99+11-1000 {
		t.Errorf("EndCell dropped %d bytes, want %d", dropped, 30*99+11-1000)
	}
	events := rec.all()
	published := 0
	for _, e := range events[:len(events)-1] {
		published += len(e.Text)
		if strings.ContainsRune(e.Text, utf8.RuneError) {
			t.Errorf("a cut rune in %q", tail(e.Text))
		}
	}
	if published > 1000 || published < 990 {
		t.Errorf("%d bytes published with a limit of 1000", published)
	}
	if note := events[len(events)-1]; !strings.Contains(note.Text, "bytes of output were dropped") || note.Parent != "p1" {
		t.Errorf("last event %+v: want the note of what was dropped", note)
	}
	// The next cell starts afresh.
	out.SetParent(cellMessage("p2"))
	stdout.WriteString("ok\n")
	if out.EndCell() != 0 || streamText(rec.all(), "p2", "stdout") != "ok\n" {
		t.Errorf("the limit carried over to the next cell")
	}
	if out.Tail() != "" {
		t.Errorf("Tail of a new cell = %q", out.Tail())
	}
}

func TestDisplayOrdering(t *testing.T) {
	out, rec, stdout, _ := newOutput(t, 0)
	display, err := out.StartDisplay(rec, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(displaywire.EnvFD, strconv.Itoa(display.Writer()))
	scenarioDisplay(out, stdout)
	events := rec.all()
	var got []string
	for _, e := range events {
		switch e.Kind {
		case "stream":
			// A timed flush may cut a run of text in two: join the runs.
			head := e.Parent + " " + e.Name + " "
			if n := len(got); n > 0 && strings.HasPrefix(got[n-1], head) {
				got[n-1] += e.Text
				continue
			}
			got = append(got, head+e.Text)
		case "display":
			got = append(got, fmt.Sprintf("%s display %v", e.Parent, e.Data["text/html"]))
			if e.Data["text/html"] == nil {
				got[len(got)-1] = fmt.Sprintf("%s display %v", e.Parent, e.Data["text/markdown"])
			}
		default:
			got = append(got, e.Parent+" "+e.Kind)
		}
	}
	want := []string{
		"p1 stdout before\n",
		"p1 display <b>shown</b>",
		"p1 stdout after\nbetween",
		"p1 clear",
		"p1 stdout  end\n",
		"p2 display *second cell*",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("events:\n%q\nwant:\n%q", got, want)
	}
}

func firstDiff(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func tail(s string) string {
	return s[max(0, len(s)-16):]
}

func TestCrashReportHeldWhileItIsWritten(t *testing.T) {
	// A dying runtime on a busy machine writes its report over more than a
	// second: the report is held while text keeps coming, and Crashed
	// shows its first lines only.
	out, rec, _, stderr := newOutput(t, 0)
	out.SetParent(cellMessage("p1"))
	stderr.WriteString("runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow\n")
	for i := range 4 {
		time.Sleep(600 * time.Millisecond)
		fmt.Fprintf(stderr, "\ngoroutine %d [sleep]:\n%s", i+10, strings.Repeat("frame\n", 100))
	}
	time.Sleep(100 * time.Millisecond)
	report, headline := out.Crashed()
	if headline != "fatal error: stack overflow" || !strings.Contains(report, "goroutine 13 [sleep]") {
		t.Fatalf("Crashed() = report of %d bytes, headline %q", len(report), headline)
	}
	shown := streamText(rec.all(), "p1", "stderr")
	if strings.Contains(shown, "goroutine 10") || !strings.Contains(shown, "more bytes of the Go runtime's report") {
		t.Fatalf("the cell shows %q", shown)
	}
}
