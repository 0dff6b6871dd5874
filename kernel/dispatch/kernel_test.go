package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"strings"
	"sync"
	"testing"
	"time"

	"gosys/internal/content"
	"gosys/internal/link"
	"gosys/kernel/capture"
	"gosys/kernel/publish"
	"gosys/kernel/supervise"
	"gosys/kernel/wire"
)

// The dispatcher driven in memory: channels of frames instead of ZeroMQ
// sockets, an evaluator that scripts what cells do. What a Jupyter client
// sees is checked through real message encoding and signing.

// memChannel is a Channel made of Go channels: what the test sends comes
// out of Recv; what the kernel sends goes to out.
type memChannel struct {
	in     chan [][]byte
	out    chan [][]byte
	closed chan struct{}
}

func newMemChannel() *memChannel {
	return &memChannel{in: make(chan [][]byte, 64), out: make(chan [][]byte, 256), closed: make(chan struct{})}
}

func (c *memChannel) Send(frames [][]byte) error {
	select {
	case c.out <- frames:
		return nil
	case <-c.closed:
		return errors.New("closed")
	}
}

func (c *memChannel) Recv() ([][]byte, error) {
	select {
	case f := <-c.in:
		return f, nil
	case <-c.closed:
		return nil, io.EOF
	}
}

// evaluator runs scripted cells: "fail" fails, "block" blocks until
// interrupted, "ask" reads a line through the frontend; anything else
// succeeds with its code as the value.
type evaluator struct {
	mu  sync.Mutex
	ran []string
}

func (e *evaluator) Execute(ctx context.Context, req supervise.Request) link.Result {
	e.mu.Lock()
	e.ran = append(e.ran, req.Code)
	e.mu.Unlock()
	switch req.Code {
	case "fail":
		return link.Result{Err: content.NewError("panic", "boom")}
	case "block":
		<-ctx.Done()
		return link.Result{Err: content.NewError("Interrupted", "the cell was interrupted")}
	case "ask":
		line, err := req.Ask(ctx, "name? ", false)
		if err != nil {
			return link.Result{Err: content.NewError("EOF", err.Error())}
		}
		return link.Result{Value: &content.Bundle{Data: map[string]any{"text/plain": "hello " + line}}}
	}
	return link.Result{Value: &content.Bundle{Data: map[string]any{"text/plain": req.Code}}}
}

func (e *evaluator) Complete(string, int) link.Completion { return link.Completion{} }
func (e *evaluator) Inspect(string, int) (string, bool)   { return "", false }

// String lists the cells run, in order.
func (e *evaluator) String() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return strings.Join(e.ran, ",")
}

func (c *memChannel) close() { close(c.closed) }

func signer() *wire.Signer { return wire.NewSigner([]byte("key")) }

// newTestLogger discards: the kernel's goroutines may log after the test.
func newTestLogger(*testing.T) *log.Logger { return log.New(io.Discard, "", 0) }

// harness is a running Kernel with its channels.
type harness struct {
	t                            *testing.T
	k                            *Kernel
	shell, control, stdin, iopub *memChannel
	eval                         *evaluator
	done                         chan bool
	session                      string
	got                          map[string]*wire.Message // replies read while waiting for others
}

func start(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, shell: newMemChannel(), control: newMemChannel(), stdin: newMemChannel(),
		iopub: newMemChannel(), eval: &evaluator{}, done: make(chan bool, 1), session: wire.NewID(),
		got: map[string]*wire.Message{}}
	pub := publish.New(h.iopub, signer(), newTestLogger(t))
	out, err := capture.NewOutput(pub, 0)
	if err != nil {
		t.Fatal(err)
	}
	hb := newMemChannel()
	h.k = New(Config{
		Channels: Channels{Shell: h.shell, Control: h.control, Stdin: h.stdin, HB: hb},
		Signer:   signer(), Publisher: pub, Output: out, Eval: h.eval, Log: newTestLogger(t),
	})
	go func() { h.done <- h.k.Run(context.Background()) }()
	t.Cleanup(func() {
		h.k.Stop()
		for _, c := range []*memChannel{h.shell, h.control, h.stdin, hb} {
			c.close()
		}
	})
	return h
}

// send signs and sends a request on ch; it returns its msg_id.
func (h *harness) send(ch *memChannel, msgType string, c any) string {
	h.t.Helper()
	body, _ := json.Marshal(c)
	m := &wire.Message{Identities: [][]byte{[]byte("client")}, Header: wire.NewHeader(msgType, h.session),
		Parent: json.RawMessage("{}"), Metadata: json.RawMessage("{}"), Content: body}
	frames, err := wire.Encode(m, signer())
	if err != nil {
		h.t.Fatal(err)
	}
	ch.in <- frames
	return m.Header.MsgID
}

// reply waits for the reply on ch to msgID.
func (h *harness) reply(ch *memChannel, msgID string) *wire.Message {
	h.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if m, ok := h.got[msgID]; ok {
			delete(h.got, msgID)
			return m
		}
		select {
		case f := <-ch.out:
			m, err := wire.Decode(f, signer())
			if err != nil {
				h.t.Fatalf("the kernel sent a bad message: %v", err)
			}
			var parent wire.Header
			_ = json.Unmarshal(m.Parent, &parent)
			h.got[parent.MsgID] = m
		case <-deadline:
			h.t.Fatalf("no reply to %s", msgID)
		}
	}
}

func (h *harness) execute(code string, stopOnError bool) string {
	return h.send(h.shell, "execute_request", map[string]any{"code": code, "silent": false, "stop_on_error": stopOnError, "allow_stdin": true})
}

func contentOf(m *wire.Message) map[string]any {
	var c map[string]any
	_ = json.Unmarshal(m.Content, &c)
	return c
}

func TestErrorAbortsQueuedCells(t *testing.T) {
	h := start(t)
	ids := []string{h.execute("fail", true), h.execute("second", true), h.execute("third", true)}
	want := []string{"error", "aborted", "aborted"}
	for i, id := range ids {
		if got := contentOf(h.reply(h.shell, id))["status"]; got != want[i] {
			t.Errorf("cell %d: status %v, want %s", i, got, want[i])
		}
	}
	if got := h.eval.String(); got != "fail" {
		t.Errorf("cells run: %s; want only the failing one", got)
	}
	// After the error, a new cell runs again.
	if got := contentOf(h.reply(h.shell, h.execute("later", true)))["status"]; got != "ok" {
		t.Errorf("a cell after the aborts: %v", got)
	}
}

func TestStdinRoundTrip(t *testing.T) {
	h := start(t)
	id := h.execute("ask", true)
	var req *wire.Message
	select {
	case f := <-h.stdin.out:
		m, err := wire.Decode(f, signer())
		if err != nil || m.Header.MsgType != "input_request" {
			t.Fatalf("stdin got %v %v", m, err)
		}
		req = m
	case <-time.After(10 * time.Second):
		t.Fatal("no input_request")
	}
	if p := contentOf(req)["prompt"]; p != "name? " {
		t.Errorf("prompt %q", p)
	}
	// jupyter_client's input() sends no parent header: taken as the answer.
	h.send(h.stdin, "input_reply", map[string]any{"value": "ada"})
	r := h.reply(h.shell, id)
	if contentOf(r)["status"] != "ok" {
		t.Fatalf("reply %s", r.Content)
	}
}

func TestInterruptAndShutdownOnControl(t *testing.T) {
	h := start(t)
	id := h.execute("block", true)
	time.Sleep(50 * time.Millisecond)
	ir := h.send(h.control, "interrupt_request", map[string]any{})
	if got := contentOf(h.reply(h.control, ir))["status"]; got != "ok" {
		t.Errorf("interrupt_reply %v", got)
	}
	if got := contentOf(h.reply(h.shell, id))["ename"]; got != "Interrupted" {
		t.Errorf("interrupted cell: %v", got)
	}
	sd := h.send(h.control, "shutdown_request", map[string]any{"restart": true})
	if got := contentOf(h.reply(h.control, sd))["restart"]; got != true {
		t.Errorf("shutdown_reply restart %v", got)
	}
	select {
	case restart := <-h.done:
		if !restart {
			t.Error("Run did not report the restart asked for")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after shutdown_request")
	}
}

func TestUnsignedAndMalformedMessagesAreDropped(t *testing.T) {
	h := start(t)
	h.shell.in <- [][]byte{[]byte("no delimiter at all")}
	body := []byte(`{"code":"x"}`)
	hdr, _ := json.Marshal(wire.NewHeader("execute_request", h.session))
	h.shell.in <- [][]byte{wire.Delimiter, []byte("forged"), hdr, []byte("{}"), []byte("{}"), body}
	// The kernel goes on: a valid request is answered, the others were not run.
	if got := contentOf(h.reply(h.shell, h.execute("valid", true)))["status"]; got != "ok" {
		t.Fatalf("valid request after bad ones: %v", got)
	}
	if got := h.eval.String(); got != "valid" {
		t.Errorf("cells run: %s", got)
	}
}
