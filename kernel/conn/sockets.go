package conn

import (
	"context"
	"errors"
	"fmt"
	"log"
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

// Sockets are the five kernel sockets of a connection file.
type Sockets struct {
	Shell, Control, Stdin, IOPub, HB *Socket
	cancel                           context.CancelFunc
}

// Bind creates and binds the five sockets named by info. logger receives
// zmq4's own diagnostics. Close releases them.
func Bind(info Info, logger *log.Logger) (*Sockets, error) {
	ctx, cancel := context.WithCancel(context.Background())
	opts := []zmq4.Option{zmq4.WithLogger(logger)}
	s := &Sockets{cancel: cancel}
	specs := []struct {
		dst  **Socket
		name string
		port int
		make func(context.Context, ...zmq4.Option) zmq4.Socket
	}{
		{&s.Shell, "shell", info.ShellPort, zmq4.NewRouter},
		{&s.Control, "control", info.ControlPort, zmq4.NewRouter},
		{&s.Stdin, "stdin", info.StdinPort, zmq4.NewRouter},
		{&s.IOPub, "iopub", info.IOPubPort, zmq4.NewXPub},
		{&s.HB, "hb", info.HBPort, zmq4.NewRep},
	}
	for _, sp := range specs {
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
