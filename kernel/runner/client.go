package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"

	"gosys/kernel/conn"
	"gosys/kernel/wire"
)

// client is the Jupyter client side of one kernel's sockets: DEALER sockets
// for shell, control and stdin, a SUB socket on iopub subscribed to
// everything. A goroutine per socket decodes and verifies what arrives and
// queues it on the socket's channel, waiting while the channel is full;
// undecodable or badly signed messages are logged and dropped. send is safe
// for concurrent use.
type client struct {
	signer  *wire.Signer
	session string
	logf    func(format string, args ...any)

	shell, control, stdin, iopub zmq4.Socket
	// Shell, Control and IOPub receive the decoded messages of each socket.
	Shell, Control, IOPub chan *wire.Message

	done   <-chan struct{} // closed by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex // serialises sends
}

// dialClient connects to the kernel described by info. Dialing retries
// until the kernel listens or ctx ends.
func dialClient(ctx context.Context, info conn.Info, logf func(string, ...any)) (*client, error) {
	sctx, cancel := context.WithCancel(context.Background())
	quiet := log.New(io.Discard, "", 0)
	id := zmq4.SocketIdentity(wire.NewID())
	opts := []zmq4.Option{zmq4.WithLogger(quiet), zmq4.WithDialerRetry(50 * time.Millisecond), zmq4.WithDialerMaxRetries(-1)}
	c := &client{
		signer:  wire.NewSigner([]byte(info.Key)),
		session: wire.NewID(),
		logf:    logf,
		shell:   zmq4.NewDealer(sctx, append(opts, zmq4.WithID(id))...),
		control: zmq4.NewDealer(sctx, append(opts, zmq4.WithID(zmq4.SocketIdentity(wire.NewID())))...),
		stdin:   zmq4.NewDealer(sctx, append(opts, zmq4.WithID(id))...), // shares shell's identity, as input_request is routed by it
		iopub:   zmq4.NewSub(sctx, opts...),
		Shell:   make(chan *wire.Message, 256),
		Control: make(chan *wire.Message, 64),
		IOPub:   make(chan *wire.Message, 4096),
		done:    sctx.Done(),
		cancel:  cancel,
	}
	if err := c.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		c.Close()
		return nil, fmt.Errorf("subscribe to iopub: %w", err)
	}
	// Dial returns only once connected or given up; it retries while the
	// kernel starts. ctx's end stops the retries by closing the sockets and
	// is not held up by a dial that hangs in the ZMTP handshake.
	dialed := make(chan error, 1)
	go func() {
		for _, s := range []struct {
			name string
			sck  zmq4.Socket
			port int
		}{{"iopub", c.iopub, info.IOPubPort}, {"shell", c.shell, info.ShellPort},
			{"control", c.control, info.ControlPort}, {"stdin", c.stdin, info.StdinPort}} {
			if err := s.sck.Dial(info.Endpoint(s.port)); err != nil {
				dialed <- fmt.Errorf("connect %s socket: %w", s.name, err)
				return
			}
		}
		dialed <- nil
	}()
	select {
	case err := <-dialed:
		if err != nil {
			c.Close()
			return nil, err
		}
	case <-ctx.Done():
		c.Close()
		return nil, fmt.Errorf("connect to kernel: %w", context.Cause(ctx))
	}
	c.read("shell", c.shell, c.Shell)
	c.read("control", c.control, c.Control)
	c.read("iopub", c.iopub, c.IOPub)
	c.read("stdin", c.stdin, nil)
	return c, nil
}

// read starts the goroutine that receives from s into ch (nil: drop).
func (c *client) read(name string, s zmq4.Socket, ch chan *wire.Message) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			msg, err := s.Recv()
			if err != nil {
				return // closed
			}
			m, err := wire.Decode(msg.Frames, c.signer)
			if err != nil {
				c.logf("%s: dropped message: %v", name, err)
				continue
			}
			if ch == nil {
				// allow_stdin is false, so the kernel should not ask.
				c.logf("%s: ignored %s", name, m.Header.MsgType)
				continue
			}
			select {
			case ch <- m:
			case <-c.done:
				return
			}
		}
	}()
}

// send signs and sends a request of msgType on s and returns it (its
// Header.MsgID identifies the replies).
func (c *client) send(s zmq4.Socket, msgType string, content any) (*wire.Message, error) {
	m, err := wire.NewMessage(nil, msgType, content)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", msgType, err)
	}
	m.Header.Session = c.session
	frames, err := wire.Encode(m, c.signer)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", msgType, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := s.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		return nil, fmt.Errorf("send %s: %w", msgType, err)
	}
	return m, nil
}

// Close closes the sockets and waits for the reading goroutines.
func (c *client) Close() {
	c.cancel()
	for _, s := range []zmq4.Socket{c.shell, c.control, c.stdin, c.iopub} {
		_ = s.Close()
	}
	c.wg.Wait()
}

// parentID returns the msg_id of m's parent header, "" if none.
func parentID(m *wire.Message) string {
	var p struct {
		MsgID string `json:"msg_id"`
	}
	_ = json.Unmarshal(m.Parent, &p)
	return p.MsgID
}

// decodeContent decodes m's content into generic values, numbers kept as
// json.Number.
func decodeContent(m *wire.Message) map[string]any {
	var c map[string]any
	d := json.NewDecoder(bytes.NewReader(m.Content))
	d.UseNumber()
	if err := d.Decode(&c); err != nil || c == nil {
		return map[string]any{}
	}
	return c
}
