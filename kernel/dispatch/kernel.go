// Package dispatch is the kernel's core: it reads requests from the shell,
// control and stdin channels, runs shell requests one at a time in arrival
// order (aborting queued cells after an error when asked), serves control
// requests at once even while a cell runs, and frames every shell and
// control request with busy/idle status on iopub.
package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"runtime/debug"
	"sync"

	"gosys/internal/link"
	"gosys/kernel/capture"
	"gosys/kernel/conn"
	"gosys/kernel/publish"
	"gosys/kernel/supervise"
	"gosys/kernel/wire"
)

// Evaluator runs cells and answers questions about code: the session
// process, through kernel/supervise.
type Evaluator interface {
	// Execute runs a cell; ctx ends at an interrupt.
	Execute(ctx context.Context, req supervise.Request) link.Result
	Complete(code string, cursor int) link.Completion
	Inspect(code string, cursor int) (string, bool)
}

// Channel is one of the kernel's sockets as the dispatcher uses it: whole
// multipart messages in and out. Send may be called from several
// goroutines; Recv from one.
type Channel interface {
	Send(frames [][]byte) error
	Recv() ([][]byte, error)
}

// Channels are the kernel's sockets but iopub, which the Publisher owns.
type Channels struct {
	Shell, Control, Stdin, HB Channel
	// Topics returns the subscriptions iopub's peers made (for
	// iopub_welcome); nil when they cannot be known.
	Topics func() []string
}

// Config is what a Kernel is built from.
type Config struct {
	Channels  Channels
	Signer    *wire.Signer
	Publisher *publish.Publisher
	Output    *capture.Output
	Eval      Evaluator
	// Shutdown is called once, before the kernel returns from Run, to end the
	// session and every process the cells started.
	Shutdown func()
	Log      *log.Logger
	// Info is merged into kernel_info_reply (implementation_version, banner...).
	Info KernelInfo
}

// Kernel serves one connection file's sockets.
type Kernel struct {
	Config
	queue   chan *wire.Message
	replies chan *wire.Message // input_reply messages from the stdin channel
	history history

	mu     sync.Mutex
	cancel context.CancelFunc // of the running cell, nil when idle
	count  int
	cells  cellLog // recent cells by number, for late output

	done     chan struct{} // closed at shutdown
	doneOnce sync.Once
	restart  bool
}

// New returns a Kernel; Run starts it.
func New(c Config) *Kernel {
	return &Kernel{
		Config:  c,
		queue:   make(chan *wire.Message, 4096),
		replies: make(chan *wire.Message, 16),
		done:    make(chan struct{}),
	}
}

// Run serves requests until a shutdown_request or ctx ends. It reports
// whether a restart was asked for.
func (k *Kernel) Run(ctx context.Context) (restart bool) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go conn.Heartbeat(ctx, k.Channels.HB)
	go k.readLoop(ctx, "shell", k.Channels.Shell, func(m *wire.Message) { k.queue <- m })
	go k.readLoop(ctx, "control", k.Channels.Control, k.handleControl)
	go k.readLoop(ctx, "stdin", k.Channels.Stdin, func(m *wire.Message) {
		select {
		case k.replies <- m:
		default:
			k.Log.Printf("stdin: dropped unexpected %s", m.Header.MsgType)
		}
	})
	go k.welcome(ctx)
	k.Publisher.Status(nil, "starting")
	for {
		select {
		case <-ctx.Done():
			k.stop(false)
		case <-k.done:
			if k.Shutdown != nil {
				k.Shutdown()
			}
			return k.restart
		case m := <-k.queue:
			big := len(m.Content) > bigRequest
			k.serve(m, k.handleShell)
			if big {
				// Give back the memory a huge request took, now that
				// nothing holds it.
				debug.FreeOSMemory()
			}
		}
	}
}

// bigRequest is the size of a request's content past which the kernel
// returns its memory to the system as soon as it is answered.
const bigRequest = 16 << 20

// readLoop decodes messages from s and hands them to handle. A malformed,
// unsigned, forged or replayed message is logged and dropped: it never stops
// the kernel.
func (k *Kernel) readLoop(ctx context.Context, name string, s Channel, handle func(*wire.Message)) {
	for ctx.Err() == nil {
		frames, err := s.Recv()
		if err != nil {
			if ctx.Err() == nil {
				k.Log.Printf("%v", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-k.done:
				return
			default:
				continue
			}
		}
		m, err := wire.Decode(frames, k.Signer)
		if err != nil {
			k.Log.Printf("%s: dropped message: %v", name, err)
			continue
		}
		handle(m)
	}
}

// serve frames a request with busy and idle status.
// A handler that panics (a bug met by some odd request) is logged and the
// kernel goes on: no request may stop it.
func (k *Kernel) serve(m *wire.Message, handle func(*wire.Message)) {
	k.Publisher.Status(m, "busy")
	defer k.Publisher.Status(m, "idle")
	defer func() {
		if r := recover(); r != nil {
			k.Log.Printf("%s: handler panicked: %v\n%s", m.Header.MsgType, r, debug.Stack())
		}
	}()
	handle(m)
}

// reply sends a reply to m on socket s.
func (k *Kernel) reply(s Channel, m *wire.Message, msgType string, content any) {
	r, err := wire.NewMessage(m, msgType, content)
	if err != nil {
		k.Log.Printf("reply %s: %v", msgType, err)
		return
	}
	frames, err := wire.Encode(r, k.Signer)
	if err != nil {
		k.Log.Printf("reply %s: %v", msgType, err)
		return
	}
	if err := s.Send(frames); err != nil {
		k.Log.Printf("reply %s: %v", msgType, err)
	}
}

// replyType is the reply's msg_type for a request's.
func replyType(request string) string {
	if len(request) > len("_request") && request[len(request)-len("_request"):] == "_request" {
		return request[:len(request)-len("_request")] + "_reply"
	}
	return request + "_reply"
}

// decode unmarshals m's content into v, replying with an error status when
// the content does not fit.
func (k *Kernel) decode(s Channel, m *wire.Message, v any) bool {
	if err := json.Unmarshal(m.Content, v); err != nil {
		k.Log.Printf("%s: bad content: %v", m.Header.MsgType, err)
		k.reply(s, m, replyType(m.Header.MsgType), map[string]any{
			"status": "error", "ename": "BadRequest",
			"evalue": fmt.Sprintf("%s content: %v", m.Header.MsgType, err), "traceback": []string{},
		})
		return false
	}
	return true
}

// stop ends Run after the current request.
func (k *Kernel) stop(restart bool) {
	k.doneOnce.Do(func() {
		k.restart = restart
		k.interrupt()
		close(k.done)
	})
}

// interrupt cancels the running cell, if any.
func (k *Kernel) interrupt() {
	k.mu.Lock()
	cancel := k.cancel
	k.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// Interrupt interrupts the running cell, as an interrupt_request does; the
// kernel calls it on SIGINT.
func (k *Kernel) Interrupt() { k.interrupt() }

// Stop shuts the kernel down as a shutdown_request without restart does; the
// kernel calls it on SIGTERM.
func (k *Kernel) Stop() { k.stop(false) }
