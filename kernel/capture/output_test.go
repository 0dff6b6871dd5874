package capture_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"gosys/kernel/capture"
	"gosys/kernel/publish"
	"gosys/kernel/wire"
	rt "gosys/runtime"
)

// Capture takes over descriptors 1 and 2 for the rest of the process, so
// each scenario runs in a child: the test binary re-executed with
// childRoleEnv naming the scenario. The child reports what its sinks got as
// one JSON line, prefixed with reportPrefix, on the original stderr that
// StartOutput returns.
const (
	childRoleEnv = "GOSYS_CAPTURE_TEST_ROLE"
	reportPrefix = "CAPTURE-REPORT "
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

func (r *recorder) Display(parent *wire.Message, b publish.Bundle, update bool) {
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

// TestCaptureChild is the child side of the capture tests; it does nothing
// unless childRoleEnv is set.
func TestCaptureChild(t *testing.T) {
	role := os.Getenv(childRoleEnv)
	if role == "" {
		return
	}
	rec := &recorder{}
	out, logFile, err := capture.StartOutput(rec)
	if err != nil {
		fmt.Fprintln(os.Stderr, "StartOutput:", err)
		os.Exit(2)
	}
	switch role {
	case "output":
		childOutput(out)
	case "display":
		if err := out.StartDisplay(rec, func(f string, a ...any) { fmt.Fprintf(logFile, f+"\n", a...) }); err != nil {
			fmt.Fprintln(logFile, "StartDisplay:", err)
			os.Exit(2)
		}
		childDisplay(out)
	default:
		fmt.Fprintln(logFile, "unknown role", role)
		os.Exit(2)
	}
	rec.mu.Lock()
	b, err := json.Marshal(rec.events)
	rec.mu.Unlock()
	if err != nil {
		fmt.Fprintln(logFile, "marshal report:", err)
		os.Exit(2)
	}
	fmt.Fprintf(logFile, "%s%s\n", reportPrefix, b)
	os.Exit(0)
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

// The child of the output scenario writes, in this order, to stdout and
// stderr of cell p1, then to p2. Timings let the batching timer fire in
// the middle of a rune.
func childOutput(out *capture.Output) {
	out.SetParent(cellMessage("p1"))
	fmt.Print("print-1\n")
	os.Stdout.Write([]byte("write-2\n"))
	fmt.Fprint(os.Stderr, "err-1\n")
	var wg sync.WaitGroup
	wg.Go(func() {
		fmt.Print("goroutine-3\n")
		fmt.Fprint(os.Stderr, "err-2 from goroutine\n")
	})
	wg.Wait()
	cmd := exec.Command("/bin/sh", "-c", "echo from-sh; echo sh-err >&2")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "sh:", err)
	}
	fmt.Print("print-4\n")
	// The first two bytes of 世, then a pause longer than the batching
	// delay, then its last byte.
	os.Stdout.Write([]byte{0xe4, 0xb8})
	time.Sleep(300 * time.Millisecond)
	os.Stdout.Write([]byte{0x96, '\n'})
	time.Sleep(300 * time.Millisecond)
	os.Stdout.Write([]byte(bigText()))
	out.Flush()

	out.SetParent(cellMessage("p2"))
	fmt.Print("next cell\n")
	fmt.Fprint(os.Stderr, "next cell err\n")
	out.Flush()
}

func childDisplay(out *capture.Output) {
	out.SetParent(cellMessage("p1"))
	fmt.Print("before\n")
	rt.HTML("<b>shown</b>")
	fmt.Print("after\n")
	os.Stdout.Write([]byte("between"))
	rt.ClearOutput(true)
	fmt.Print(" end\n")
	out.Flush()
	out.SetParent(cellMessage("p2"))
	rt.Markdown("*second cell*")
	out.Flush()
}

// runChild runs the scenario role in a child and returns the events it
// reported, and what reached the child's real stdout.
func runChild(t *testing.T, role string) ([]event, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCaptureChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childRoleEnv+"="+role)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("child %s: %v\nstderr:\n%s", role, err, stderr.String())
	}
	sc := bufio.NewScanner(&stderr)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), reportPrefix); ok {
			var events []event
			if err := json.Unmarshal([]byte(line), &events); err != nil {
				t.Fatalf("child report: %v", err)
			}
			return events, stdout.String()
		}
	}
	t.Fatalf("child %s sent no report; stderr:\n%s", role, stderr.String())
	return nil, ""
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
	events, realStdout := runChild(t, "output")

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
	if strings.Contains(realStdout, "print-1") || strings.Contains(realStdout, "from-sh") {
		t.Errorf("captured text reached the real stdout: %q", realStdout)
	}
}

func TestDisplayOrdering(t *testing.T) {
	events, _ := runChild(t, "display")
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
