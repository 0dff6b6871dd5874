package conn

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
)

// Socket is one bound ZeroMQ socket whose Send may be called from several
// goroutines.
type Socket struct {
	Name string
	sck  zmq4.Socket
	mu   sync.Mutex
}

// Send sends one multipart message.
func (s *Socket) Send(frames [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.sck.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		return fmt.Errorf("send on %s: %w", s.Name, err)
	}
	return nil
}

// Recv blocks until a multipart message arrives or the socket is closed.
func (s *Socket) Recv() ([][]byte, error) {
	m, err := s.sck.Recv()
	if err != nil {
		return nil, fmt.Errorf("recv on %s: %w", s.Name, err)
	}
	return m.Frames, nil
}

// Topics returns the subscriptions of an iopub socket's peers.
func (s *Socket) Topics() []string {
	if t, ok := s.sck.(zmq4.Topics); ok {
		return t.Topics()
	}
	return nil
}

// IOPubHWM and IOPubHWMBytes bound what iopub keeps for one subscriber that
// does not read: past either, messages for it are dropped and logged.
const (
	IOPubHWM            = zmq4.DefaultSendHWM // 1,000, as libzmq and ipykernel
	IOPubHWMBytes int64 = 64 << 20
)

// Dropped returns the messages an iopub socket dropped for subscribers that
// did not read, since it was bound.
func (s *Socket) Dropped() uint64 {
	if d, ok := s.sck.(zmq4.Dropper); ok {
		return d.Dropped()
	}
	return 0
}

// Subscribers returns the number of peers connected to an iopub socket.
func (s *Socket) Subscribers() int {
	if d, ok := s.sck.(zmq4.Dropper); ok {
		return len(d.PeerDrops())
	}
	return 0
}

// Sockets are the five kernel sockets of a connection file.
type Sockets struct {
	Shell, Control, Stdin, IOPub, HB *Socket
	cancel                           context.CancelFunc
}

// Bind creates and binds the five sockets named by info. logger receives
// zmq4's own diagnostics. Close releases them.
func Bind(info Info, logger *log.Logger) (*Sockets, error) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sockets{cancel: cancel}
	specs := []struct {
		dst  **Socket
		name string
		port int
		make func(context.Context, ...zmq4.Option) zmq4.Socket
		// The largest message a peer may send: a request on shell
		// (a cell over supervise.MaxCell still gets its clear error),
		// small ones elsewhere; iopub only receives subscriptions.
		maxIn int64
	}{
		{&s.Shell, "shell", info.ShellPort, zmq4.NewRouter, zmq4.DefaultMaxFrameSize},
		{&s.Control, "control", info.ControlPort, zmq4.NewRouter, 64 << 20},
		{&s.Stdin, "stdin", info.StdinPort, zmq4.NewRouter, 64 << 20},
		{&s.IOPub, "iopub", info.IOPubPort, zmq4.NewXPub, 1 << 20},
		{&s.HB, "hb", info.HBPort, zmq4.NewRep, 1 << 20},
	}
	for _, sp := range specs {
		opts := []zmq4.Option{zmq4.WithLogger(logger), zmq4.WithMaxFrameSize(sp.maxIn)}
		if sp.name == "iopub" {
			// A subscriber that stops reading loses messages (as with
			// libzmq's high-water mark) instead of stopping the output of
			// every other client or growing the kernel without bound.
			opts = append(opts,
				zmq4.WithSendHWM(IOPubHWM), zmq4.WithSendHWMBytes(IOPubHWMBytes),
				zmq4.WithDropHandler(func(peer net.Addr, dropped uint64) {
					logger.Printf("iopub: the subscriber at %v is not reading: output for it is dropped "+
						"(%d messages so far) while %d messages or %d MiB wait for it",
						peer, dropped, IOPubHWM, IOPubHWMBytes>>20)
				}))
		}
		z := sp.make(ctx, opts...)
		ep := info.Endpoint(sp.port)
		if err := z.Listen(ep); err != nil {
			s.Close()
			z.Close()
			return nil, fmt.Errorf("bind %s socket to %s: %w", sp.name, ep, err)
		}
		*sp.dst = &Socket{Name: sp.name, sck: z}
	}
	return s, nil
}

// Close closes every socket that was bound.
func (s *Sockets) Close() error {
	var errs []error
	for _, sk := range []*Socket{s.Shell, s.Control, s.Stdin, s.IOPub, s.HB} {
		if sk != nil {
			if err := sk.sck.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close %s: %w", sk.Name, err))
			}
		}
	}
	s.cancel()
	return errors.Join(errs...)
}

// Echoer is what Heartbeat needs of a socket.
type Echoer interface {
	Send(frames [][]byte) error
	Recv() ([][]byte, error)
}

// Heartbeat echoes every message on the heartbeat socket until ctx ends.
func Heartbeat(ctx context.Context, hb Echoer) {
	for ctx.Err() == nil {
		frames, err := hb.Recv()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			// A broken peer must not spin the loop.
			time.Sleep(10 * time.Millisecond)
			continue
		}
		_ = hb.Send(frames)
	}
}
