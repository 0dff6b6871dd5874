// Copyright 2018 The go-zeromq Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package zmq4

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
)

// Topics is an interface that wraps the basic Topics method.
type Topics interface {
	// Topics returns the sorted list of topics a socket is subscribed to.
	Topics() []string
}

// NewPub returns a new PUB ZeroMQ socket.
// The returned socket value is initially unbound.
func NewPub(ctx context.Context, opts ...Option) Socket {
	pub := &pubSocket{sck: newSocket(ctx, Pub, opts...)}
	pub.sck.w = newPubMWriter(pub.sck.ctx, pub.sck.sendHWM, pub.sck.sendHWMBytes, pub.sck.onDrop) // (gosys patch)
	r := newPubQReader(pub.sck.ctx)
	r.discard = true // (gosys patch)
	pub.sck.r = r
	return pub
}

// pubSocket is a PUB ZeroMQ socket.
type pubSocket struct {
	sck *socket
}

// Close closes the open Socket
func (pub *pubSocket) Close() error {
	return pub.sck.Close()
}

// Send puts the message on the outbound send queue.
// Send blocks until the message can be queued or the send deadline expires.
func (pub *pubSocket) Send(msg Msg) error {
	ctx, cancel := context.WithTimeout(pub.sck.ctx, pub.sck.Timeout())
	defer cancel()
	return pub.sck.w.write(ctx, msg)
}

// SendMulti puts the message on the outbound send queue.
// SendMulti blocks until the message can be queued or the send deadline expires.
// The message will be sent as a multipart message.
func (pub *pubSocket) SendMulti(msg Msg) error {
	msg.multipart = true
	ctx, cancel := context.WithTimeout(pub.sck.ctx, pub.sck.Timeout())
	defer cancel()
	return pub.sck.w.write(ctx, msg)
}

// Recv receives a complete message.
func (*pubSocket) Recv() (Msg, error) {
	msg := Msg{err: fmt.Errorf("zmq4: PUB sockets can't recv messages")}
	return msg, msg.err
}

// Listen connects a local endpoint to the Socket.
func (pub *pubSocket) Listen(ep string) error {
	return pub.sck.Listen(ep)
}

// Dial connects a remote endpoint to the Socket.
func (pub *pubSocket) Dial(ep string) error {
	return pub.sck.Dial(ep)
}

// Type returns the type of this Socket (PUB, SUB, ...)
func (pub *pubSocket) Type() SocketType {
	return pub.sck.Type()
}

// Addr returns the listener's address.
// Addr returns nil if the socket isn't a listener.
func (pub *pubSocket) Addr() net.Addr {
	return pub.sck.Addr()
}

// GetOption is used to retrieve an option for a socket.
func (pub *pubSocket) GetOption(name string) (interface{}, error) {
	return pub.sck.GetOption(name)
}

// SetOption is used to set an option for a socket.
func (pub *pubSocket) SetOption(name string, value interface{}) error {
	err := pub.sck.SetOption(name, value)
	if err != nil {
		return err
	}

	if name != OptionHWM {
		return ErrBadProperty
	}

	hwm, ok := value.(int)
	if !ok {
		return ErrBadProperty
	}

	pub.sck.w.(*pubMWriter).setHWM(hwm) // (gosys patch) per subscriber
	return nil
}

// Dropped implements Dropper (gosys patch).
func (pub *pubSocket) Dropped() uint64 {
	return pub.sck.w.(*pubMWriter).dropped.Load()
}

// PeerDrops implements Dropper (gosys patch).
func (pub *pubSocket) PeerDrops() []PeerDrop {
	return pub.sck.w.(*pubMWriter).peerDrops()
}

// Topics returns the sorted list of topics a socket is subscribed to.
func (pub *pubSocket) Topics() []string {
	return pub.sck.topics()
}

// pubQReader is a queued-message reader.
type pubQReader struct {
	ctx context.Context

	mu sync.RWMutex
	rs []*Conn
	c  chan Msg

	sem *semaphore // ready when a connection is live.

	// discard drops what peers send besides subscriptions (gosys patch):
	// a PUB socket has no Recv to take it, and upstream kept it in c.
	discard bool
}

func newPubQReader(ctx context.Context) *pubQReader {
	const qrsize = 10
	return &pubQReader{
		ctx: ctx,
		c:   make(chan Msg, qrsize),
		sem: newSemaphore(),
	}
}

func (q *pubQReader) Close() error {
	q.mu.RLock()
	var err error
	for _, r := range q.rs {
		e := r.Close()
		if e != nil && err == nil {
			err = e
		}
	}
	q.rs = nil
	q.mu.RUnlock()
	return err
}

func (q *pubQReader) addConn(r *Conn) {
	q.mu.Lock()
	q.sem.enable()
	q.rs = append(q.rs, r)
	q.mu.Unlock()
	go q.listen(q.ctx, r)
}

func (q *pubQReader) rmConn(r *Conn) {
	q.mu.Lock()
	defer q.mu.Unlock()

	cur := -1
	for i := range q.rs {
		if q.rs[i] == r {
			cur = i
			break
		}
	}
	if cur >= 0 {
		q.rs = append(q.rs[:cur], q.rs[cur+1:]...)
	}
}

func (q *pubQReader) read(ctx context.Context, msg *Msg) error {
	q.sem.lock(ctx)
	select {
	case <-ctx.Done():
	case *msg = <-q.c:
	}
	return msg.err
}

func (q *pubQReader) listen(ctx context.Context, r *Conn) {
	defer r.recoverConn() // (gosys patch) a panic closes this connection only
	defer q.rmConn(r)
	defer r.Close()

	for {
		msg := r.read()
		select {
		case <-ctx.Done():
			return
		default:
			if msg.err != nil {
				return
			}
			switch {
			case q.topic(msg):
				// (gosys patch) subscriptions are bounded per connection
				if err := r.subscribe(msg); err != nil {
					r.logf("closing connection from %v: %v", r.remoteAddr(), err)
					r.abort()
					return
				}
			case q.discard: // (gosys patch)
			default:
				// (gosys patch) not blocked for ever once the socket is closed
				select {
				case q.c <- msg:
				case <-ctx.Done():
					return
				}
			}
		}
	}
}

func (q *pubQReader) topic(msg Msg) bool {
	if len(msg.Frames) != 1 {
		return false
	}
	frame := msg.Frames[0]
	if len(frame) == 0 {
		return false
	}
	topic := frame[0]
	return topic == 0 || topic == 1
}

// pubMWriter sends the messages of a PUB or XPUB socket to its subscribers.
//
// (gosys patch) Each subscriber has a queue of its own, of at most hwm
// messages and hwmBytes bytes, written to its connection by a goroutine of its own: write
// queues the message for each subscriber whose queue has room, drops it
// for the others (counting it), and never waits for a subscriber.
// Upstream had one queue for all, written to one subscriber after the
// other: a subscriber that did not read stopped the output for all, and
// (with no hwm by default) the queue grew without bound.
type pubMWriter struct {
	ctx context.Context
	mu  sync.Mutex
	qs  []*pubQueue // one per subscriber, in the order they came

	hwm      int                    // per subscriber; <= 0: no limit
	hwmBytes int64                  // per subscriber; <= 0: no limit
	onDrop   func(net.Addr, uint64) // WithDropHandler, or nil
	dropped  atomic.Uint64          // messages dropped, for all subscribers
}

// pubQueue is the queue of one subscriber (gosys patch).
type pubQueue struct {
	c    *Conn
	wake chan struct{} // (capacity 1) msgs is no longer empty
	done chan struct{} // closed when c leaves the socket

	mu       sync.Mutex
	msgs     []Msg  // queued, not taken by run yet
	n        int    // queued or being written, <= hwm
	size     int64  // bytes of the n messages
	dropped  uint64 // messages dropped for c
	dropping bool   // the last message for c was dropped
}

// Dropper is implemented by PUB and XPUB sockets (gosys patch): the
// messages they dropped for subscribers whose queue was full (see
// WithSendHWM).
type Dropper interface {
	// Dropped returns the number of messages dropped, for all
	// subscribers, since the socket was created (each message counted
	// once per subscriber it was dropped for).
	Dropped() uint64

	// PeerDrops returns the drops of each connected subscriber.
	PeerDrops() []PeerDrop
}

// PeerDrop is a subscriber's entry in Dropper.PeerDrops (gosys patch).
type PeerDrop struct {
	Addr    net.Addr // the subscriber's address
	Dropped uint64   // messages dropped for it since it connected
	Queued  int      // messages queued for it, not written yet
	Bytes   int64    // the bytes of those messages
}

func newPubMWriter(ctx context.Context, hwm int, hwmBytes int64, onDrop func(net.Addr, uint64)) *pubMWriter {
	return &pubMWriter{
		ctx:      ctx,
		hwm:      hwm,
		hwmBytes: hwmBytes,
		onDrop:   onDrop,
	}
}

func (w *pubMWriter) Close() error {
	w.mu.Lock()
	var err error
	for _, q := range w.qs {
		e := q.c.Close()
		if e != nil && err == nil {
			err = e
		}
		close(q.done)
	}
	w.qs = nil
	w.mu.Unlock()
	return err
}

func (mw *pubMWriter) addConn(w *Conn) {
	q := &pubQueue{
		c:    w,
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
	mw.mu.Lock()
	mw.qs = append(mw.qs, q)
	mw.mu.Unlock()
	go q.run(mw.ctx)
}

func (mw *pubMWriter) rmConn(w *Conn) {
	mw.mu.Lock()
	defer mw.mu.Unlock()

	cur := -1
	for i := range mw.qs {
		if mw.qs[i].c == w {
			cur = i
			mw.qs[i].c.Close()
			close(mw.qs[i].done)
			break
		}
	}
	if cur >= 0 {
		mw.qs = append(mw.qs[:cur], mw.qs[cur+1:]...)
	}
}

func (w *pubMWriter) setHWM(hwm int) {
	w.mu.Lock()
	w.hwm = hwm
	w.mu.Unlock()
}

func (w *pubMWriter) write(ctx context.Context, msg Msg) error {
	var topic []byte
	if len(msg.Frames) > 0 { // upstream: index out of range
		topic = msg.Frames[0]
	}
	type drop struct {
		addr net.Addr
		n    uint64
	}
	var drops []drop // the first drops of a run, for onDrop
	size := msgSize(msg)

	w.mu.Lock()
	for _, q := range w.qs {
		if q.c.Closed() || !q.c.subscribed(topic) {
			continue
		}
		q.mu.Lock()
		full := w.hwm > 0 && q.n >= w.hwm ||
			w.hwmBytes > 0 && q.n > 0 && q.size+size > w.hwmBytes
		if full {
			q.dropped++
			if !q.dropping && w.onDrop != nil {
				drops = append(drops, drop{q.c.remoteAddr(), q.dropped})
			}
			q.dropping = true
			q.mu.Unlock()
			w.dropped.Add(1)
			continue
		}
		q.dropping = false
		q.msgs = append(q.msgs, msg)
		q.n++
		q.size += size
		q.mu.Unlock()
		select {
		case q.wake <- struct{}{}:
		default: // already woken
		}
	}
	w.mu.Unlock()

	for _, d := range drops {
		w.onDrop(d.addr, d.n)
	}
	return nil
}

// msgSize is what msg counts against WithSendHWMBytes (gosys patch).
func msgSize(msg Msg) int64 {
	var n int64
	for _, f := range msg.Frames {
		n += int64(len(f))
	}
	return n
}

func (w *pubMWriter) peerDrops() []PeerDrop {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]PeerDrop, 0, len(w.qs))
	for _, q := range w.qs {
		q.mu.Lock()
		out = append(out, PeerDrop{Addr: q.c.remoteAddr(), Dropped: q.dropped, Queued: q.n, Bytes: q.size})
		q.mu.Unlock()
	}
	return out
}

// run writes the messages queued for q.c until it leaves the socket, or a
// write fails (then it closes q.c).
func (q *pubQueue) run(ctx context.Context) {
	defer q.c.recoverConn()
	var batch []Msg
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.done:
			return
		case <-q.wake:
		}
		for {
			q.mu.Lock()
			batch, q.msgs = q.msgs, batch[:0]
			q.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			for i := range batch {
				err := q.c.SendMsg(batch[i])
				size := msgSize(batch[i])
				batch[i] = Msg{} // not kept alive by the spare slice
				q.mu.Lock()
				q.n--
				q.size -= size
				q.mu.Unlock()
				if err != nil {
					if !q.c.Closed() { // not gone already
						q.c.logf("closing connection to %v: %v", q.c.remoteAddr(), err)
					}
					q.c.abort()
					q.mu.Lock()
					q.msgs, q.n, q.size = nil, 0, 0
					q.mu.Unlock()
					return
				}
			}
		}
	}
}

var (
	_ rpool   = (*pubQReader)(nil)
	_ wpool   = (*pubMWriter)(nil)
	_ Socket  = (*pubSocket)(nil)
	_ Topics  = (*pubSocket)(nil)
	_ Dropper = (*pubSocket)(nil) // (gosys patch)
)
