// Copyright 2018 The go-zeromq Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package zmq4

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
)

var ErrClosedConn = errors.New("zmq4: read/write on closed connection")

// Conn implements the ZeroMQ Message Transport Protocol as defined
// in https://rfc.zeromq.org/spec:23/ZMTP/.
type Conn struct {
	typ    SocketType
	id     SocketIdentity
	rw     net.Conn
	sec    Security
	Server bool
	Meta   Metadata
	Peer   struct {
		Server bool
		Meta   Metadata
	}

	mu     sync.RWMutex
	topics map[string]struct{} // set of subscribed topics

	// (gosys patch) limits on what the peer can make this end hold.
	maxFrameSize int64       // largest frame (and message) read; <= 0: DefaultMaxFrameSize
	topicBytes   int         // held by topics, counted as in subscribe
	log          *log.Logger // the socket's logger, or nil

	closed         int32
	onCloseErrorCB func(c *Conn)
}

func (c *Conn) Close() error {
	return c.rw.Close()
}

func (c *Conn) Read(p []byte) (int, error) {
	if c.Closed() {
		return 0, ErrClosedConn
	}
	n, err := io.ReadFull(c.rw, p)
	c.checkIO(err)
	return n, err
}

func (c *Conn) Write(p []byte) (int, error) {
	if c.Closed() {
		return 0, ErrClosedConn
	}
	n, err := c.rw.Write(p)
	c.checkIO(err)
	return n, err
}

// Open opens a ZMTP connection over rw with the given security, socket type and identity.
// An optional onCloseErrorCB can be provided to inform the caller when this Conn is closed.
// Open performs a complete ZMTP handshake.
//
// (gosys patch) Frames and messages read are held to DefaultMaxFrameSize;
// sockets use open, which takes theirs.
func Open(rw net.Conn, sec Security, sockType SocketType, sockID SocketIdentity, server bool, onCloseErrorCB func(c *Conn)) (*Conn, error) {
	return open(rw, sec, sockType, sockID, server, onCloseErrorCB, DefaultMaxFrameSize, nil)
}

// open is Open with the socket's frame size limit and logger (gosys patch).
// A panic on the peer's input during the handshake is returned as an
// error: in a listening socket, open runs in a goroutine of its own.
func open(rw net.Conn, sec Security, sockType SocketType, sockID SocketIdentity, server bool, onCloseErrorCB func(c *Conn), maxFrameSize int64, logger *log.Logger) (c *Conn, err error) {
	defer func() {
		if e := recover(); e != nil {
			c, err = nil, fmt.Errorf("zmq4: panic during ZMTP handshake: %v", e)
		}
	}()
	if rw == nil {
		return nil, fmt.Errorf("zmq4: invalid nil read-writer")
	}

	if sec == nil {
		return nil, fmt.Errorf("zmq4: invalid nil security")
	}

	conn := &Conn{
		typ:            sockType,
		id:             sockID,
		rw:             rw,
		sec:            sec,
		Server:         server,
		Meta:           make(Metadata),
		topics:         make(map[string]struct{}),
		onCloseErrorCB: onCloseErrorCB,
		maxFrameSize:   maxFrameSize, // (gosys patch)
		log:            logger,       // (gosys patch)
	}
	conn.Meta[sysSockType] = string(conn.typ)
	conn.Meta[sysSockID] = conn.id.String()
	conn.Peer.Meta = make(Metadata)

	err = conn.init(sec)
	if err != nil {
		return nil, fmt.Errorf("zmq4: could not initialize ZMTP connection: %w", err)
	}

	return conn, nil
}

// init performs a ZMTP handshake over an io.ReadWriter
func (conn *Conn) init(sec Security) error {
	var err error

	err = conn.greet(conn.Server)
	if err != nil {
		return fmt.Errorf("zmq4: could not exchange greetings: %w", err)
	}

	err = conn.sec.Handshake(conn, conn.Server)
	if err != nil {
		return fmt.Errorf("zmq4: could not perform security handshake: %w", err)
	}

	peer := SocketType(conn.Peer.Meta[sysSockType])
	// (gosys patch) asked of our own type: IsCompatible panics on an
	// unknown type, and the peer's is whatever it claims (or "").
	if !conn.typ.IsCompatible(peer) {
		return fmt.Errorf("zmq4: peer=%q not compatible with %q", peer, conn.typ)
	}

	// FIXME(sbinet): if security mechanism does not define a client/server
	// topology, enforce that p.server == p.peer.server == 0
	// as per:
	//  https://rfc.zeromq.org/spec:23/ZMTP/#topology

	return nil
}

func (conn *Conn) greet(server bool) error {
	var err error
	send := greeting{Version: defaultVersion}
	send.Sig.Header = sigHeader
	send.Sig.Footer = sigFooter
	kind := string(conn.sec.Type())
	if len(kind) > len(send.Mechanism) {
		return errSecMech
	}
	copy(send.Mechanism[:], kind)

	err = send.write(conn.rw)
	if err != nil {
		conn.checkIO(err)
		return fmt.Errorf("zmq4: could not send greeting: %w", err)
	}

	var recv greeting
	err = recv.read(conn.rw)
	if err != nil {
		conn.checkIO(err)
		return fmt.Errorf("zmq4: could not recv greeting: %w", err)
	}

	peerKind := asString(recv.Mechanism[:])
	if peerKind != kind {
		return errBadSec
	}

	conn.Peer.Server, err = asBool(recv.Server)
	if err != nil {
		return fmt.Errorf("zmq4: could not get peer server flag: %w", err)
	}

	return nil
}

// SendCmd sends a ZMTP command over the wire.
func (c *Conn) SendCmd(name string, body []byte) error {
	if c.Closed() {
		return ErrClosedConn
	}
	cmd := Cmd{Name: name, Body: body}
	buf, err := cmd.marshalZMTP()
	if err != nil {
		return err
	}
	return c.send(true, buf, 0)
}

// SendMsg sends a ZMTP message over the wire.
func (c *Conn) SendMsg(msg Msg) error {
	if c.Closed() {
		return ErrClosedConn
	}
	// (gosys patch) Every message goes out in one writev: frame by frame,
	// a Jupyter message of 7 frames took 14 write system calls, which
	// dominated the kernel's time per cell.
	return c.sendMulti(msg)
}

// RecvMsg receives a ZMTP message from the wire.
func (c *Conn) RecvMsg() (Msg, error) {
	if c.Closed() {
		return Msg{}, ErrClosedConn
	}
	msg := c.read()
	if msg.err != nil {
		return msg, fmt.Errorf("zmq4: could not read recv msg: %w", msg.err)
	}

	if !msg.isCmd() {
		return msg, nil
	}

	switch len(msg.Frames) {
	case 0:
		msg.err = fmt.Errorf("zmq4: empty command")
		return msg, msg.err
	case 1:
		// ok
	default:
		msg.err = fmt.Errorf("zmq4: invalid length command")
		return msg, msg.err
	}

	var cmd Cmd
	msg.err = cmd.unmarshalZMTP(msg.Frames[0])
	if msg.err != nil {
		return msg, fmt.Errorf("zmq4: could not unmarshal ZMTP recv msg: %w", msg.err)
	}

	switch cmd.Name {
	case CmdPing:
		// send back a PONG immediately.
		msg.err = c.SendCmd(CmdPong, nil)
		if msg.err != nil {
			return msg, msg.err
		}
	}

	switch len(cmd.Body) {
	case 0:
		msg.Frames = nil
	default:
		msg.Frames = msg.Frames[:1]
		msg.Frames[0] = cmd.Body
	}
	return msg, nil
}

func (c *Conn) RecvCmd() (Cmd, error) {
	var cmd Cmd

	if c.Closed() {
		return cmd, ErrClosedConn
	}

	msg := c.read()
	if msg.err != nil {
		return cmd, fmt.Errorf("zmq4: could not read recv cmd: %w", msg.err)
	}

	if !msg.isCmd() {
		return cmd, ErrBadFrame
	}

	switch len(msg.Frames) {
	case 0:
		msg.err = fmt.Errorf("zmq4: empty command")
		return cmd, msg.err
	case 1:
		// ok
	default:
		msg.err = fmt.Errorf("zmq4: invalid length command")
		return cmd, msg.err
	}

	err := cmd.unmarshalZMTP(msg.Frames[0])
	if err != nil {
		return cmd, fmt.Errorf("zmq4: could not unmarshal ZMTP recv cmd: %w", err)
	}

	return cmd, nil
}

func (c *Conn) sendMulti(msg Msg) error {
	var buffers net.Buffers

	nframes := len(msg.Frames)
	for i, frame := range msg.Frames {
		var flag byte
		if i < nframes-1 {
			flag ^= hasMoreBitFlag
		}

		size := len(frame)
		isLong := size > 255
		if isLong {
			flag ^= isLongBitFlag
		}

		var (
			hdr = [8 + 1]byte{flag}
			hsz int
		)
		if isLong {
			hsz = 9
			binary.BigEndian.PutUint64(hdr[1:], uint64(size))
		} else {
			hsz = 2
			hdr[1] = uint8(size)
		}

		switch c.sec.Type() {
		case NullSecurity:
			buffers = append(buffers, hdr[:hsz], frame)
		default:
			var secBuf bytes.Buffer
			if _, err := c.sec.Encrypt(&secBuf, frame); err != nil {
				return err
			}
			buffers = append(buffers, hdr[:hsz], secBuf.Bytes())
		}
	}

	if _, err := buffers.WriteTo(c.rw); err != nil {
		c.checkIO(err)
		return err
	}

	return nil
}

func (c *Conn) send(isCommand bool, body []byte, flag byte) error {
	// Long flag
	size := len(body)
	isLong := size > 255
	if isLong {
		flag ^= isLongBitFlag
	}

	if isCommand {
		flag ^= isCommandBitFlag
	}

	var (
		hdr = [8 + 1]byte{flag}
		hsz int
	)

	// Write out the message itself
	if isLong {
		hsz = 9
		binary.BigEndian.PutUint64(hdr[1:], uint64(size))
	} else {
		hsz = 2
		hdr[1] = uint8(size)
	}
	if _, err := c.rw.Write(hdr[:hsz]); err != nil {
		c.checkIO(err)
		return err
	}

	if _, err := c.sec.Encrypt(c.rw, body); err != nil {
		c.checkIO(err)
		return err
	}

	return nil
}

// read returns the isCommand flag, the body of the message, and optionally an error
func (c *Conn) read() (msg Msg) {
	// (gosys patch) a panic on the peer's input ends this connection only:
	// read runs in a goroutine per connection that has no recover.
	defer func() {
		if e := recover(); e != nil {
			msg = Msg{err: fmt.Errorf("zmq4: panic reading from peer: %v", e)}
			c.logf("closing connection from %v: %v", c.remoteAddr(), msg.err)
			c.abort()
		}
	}()

	var (
		header  [2]byte
		longHdr [8]byte

		hasMore = true
		isCmd   = false

		// (gosys patch) what this message holds so far, held to limit.
		limit = c.frameLimit()
		held  uint64
	)

	for hasMore {

		// Read out the header
		_, msg.err = io.ReadFull(c.rw, header[:])
		if msg.err != nil {
			c.checkIO(msg.err)
			return msg
		}

		fl := flag(header[0])

		hasMore = fl.hasMore()
		isCmd = isCmd || fl.isCommand()

		// Determine the actual length of the body
		size := uint64(header[1])
		if fl.isLong() {
			// We read 2 bytes of the header already
			// In case of a long message, the length is bytes 2-8 of the header
			// We already have the first byte, so assign it, and then read the rest
			longHdr[0] = header[1]

			_, msg.err = io.ReadFull(c.rw, longHdr[1:])
			if msg.err != nil {
				c.checkIO(msg.err)
				return msg
			}

			size = binary.BigEndian.Uint64(longHdr[:])
		}

		// (gosys patch) refuse a frame over the limit, or one that takes
		// the message over it, before allocating anything, and close the
		// connection: upstream allocated whatever size the peer claimed
		// (2^62 bytes: makeslice panic; 64 GiB: out of memory).
		need := size
		if len(msg.Frames) > 0 {
			need += frameCost // size <= limit here, no overflow
		}
		if size > limit || need > limit-held {
			msg.err = fmt.Errorf("%w: frame of %d bytes (limit %d per frame and message)", ErrFrameTooLarge, size, limit)
			c.logf("closing connection from %v: %v", c.remoteAddr(), msg.err)
			c.abort()
			return msg
		}
		held += need

		var body []byte
		body, msg.err = readBody(c.rw, size) // (gosys patch)
		if msg.err != nil {
			c.checkIO(msg.err)
			return msg
		}

		// fast path for NULL security: we bypass the bytes.Buffer allocation.
		switch c.sec.Type() {
		case NullSecurity: // FIXME(sbinet): also do that for non-encrypted PLAIN?
			msg.Frames = append(msg.Frames, body)
			continue
		}

		buf := new(bytes.Buffer)
		if _, msg.err = c.sec.Decrypt(buf, body); msg.err != nil {
			return msg
		}
		msg.Frames = append(msg.Frames, buf.Bytes())
	}
	if isCmd {
		msg.Type = CmdMsg
	}
	return msg
}

// subscribe applies a subscription message of the peer.
//
// (gosys patch) The topics of a connection are held to maxTopicBytes,
// counting topicCost for each: beyond, subscribe returns errTooManyTopics
// (and the caller closes the connection). The bound also bounds the work
// of subscribed, done for every message sent.
func (conn *Conn) subscribe(msg Msg) error {
	conn.mu.Lock()
	defer conn.mu.Unlock()
	v := msg.Frames[0]
	switch v[0] {
	case 0:
		if _, ok := conn.topics[string(v[1:])]; ok {
			delete(conn.topics, string(v[1:]))
			conn.topicBytes -= len(v) - 1 + topicCost
		}
	case 1:
		if _, dup := conn.topics[string(v[1:])]; dup {
			return nil
		}
		if len(v)-1 > maxTopicBytes-topicCost-conn.topicBytes {
			return errTooManyTopics
		}
		conn.topics[string(v[1:])] = struct{}{}
		conn.topicBytes += len(v) - 1 + topicCost
	}
	return nil
}

// subscribed reports whether the peer subscribed to a prefix of topic.
// (gosys patch) topic is the message's first frame, compared without
// converting it to a string (one allocation per message and peer).
func (conn *Conn) subscribed(topic []byte) bool {
	conn.mu.RLock()
	defer conn.mu.RUnlock()
	for k := range conn.topics {
		// k == "": subscribed to everything
		if len(k) <= len(topic) && string(topic[:len(k)]) == k {
			return true
		}
	}
	return false
}

func (conn *Conn) SetClosed() {
	if wasClosed := atomic.CompareAndSwapInt32(&conn.closed, 0, 1); wasClosed {
		conn.notifyOnCloseError()
	}
}

func (conn *Conn) Closed() bool {
	return atomic.LoadInt32(&conn.closed) == 1
}

func (conn *Conn) checkIO(err error) {
	if err == nil {
		return
	}

	// (gosys patch) and a peer that hangs up within a frame: upstream
	// closed the net.Conn then, but the socket kept the Conn for ever.
	if err == io.EOF || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		conn.SetClosed()
		return
	}

	var e net.Error
	if errors.As(err, &e); e != nil && !e.Timeout() {
		conn.SetClosed()
	}
}

func (conn *Conn) notifyOnCloseError() {
	if conn.onCloseErrorCB == nil {
		return
	}
	conn.onCloseErrorCB(conn)
}

// (gosys patch) Guards against what a peer sends; see PATCHES.md.

// ErrFrameTooLarge is the error of a read whose frame, or message, is over
// the socket's limit (WithMaxFrameSize). The connection is closed.
var ErrFrameTooLarge = errors.New("zmq4: frame too large")

var errTooManyTopics = errors.New("zmq4: subscriptions of the peer over the limit")

const (
	// frameCost is what each frame of a message after the first counts
	// for, besides its bytes, against the limit: it bounds the frames a
	// message can have (a frame of 0 bytes takes 2 on the wire, and a
	// slice header of 24 bytes, doubled by append, in memory).
	frameCost = 64

	// maxTopicBytes bounds the subscriptions of one connection: topics'
	// bytes, plus topicCost each (at most 16,384 topics).
	maxTopicBytes = 1 << 20
	topicCost     = 64

	// readChunk is the first allocation for a frame body over it; the
	// buffer then grows with the bytes that arrive.
	readChunk = 64 << 10
)

// frameLimit returns the largest frame, and message, c reads.
func (c *Conn) frameLimit() uint64 {
	n := c.maxFrameSize
	if n <= 0 {
		n = DefaultMaxFrameSize
	}
	if uint64(n) > uint64(maxInt) { // 32-bit platforms
		n = int64(maxInt)
	}
	return uint64(n)
}

// readBody reads a frame body of size bytes, size <= maxInt. Memory is
// allocated as the bytes arrive, not as claimed: a peer that claims a
// large frame and sends little makes the connection hold little.
func readBody(r io.Reader, size uint64) ([]byte, error) {
	if size <= readChunk {
		body := make([]byte, size)
		_, err := io.ReadFull(r, body)
		return body, err
	}
	body := make([]byte, 0, readChunk)
	for uint64(len(body)) < size {
		if len(body) == cap(body) {
			grown := make([]byte, len(body), min(2*uint64(cap(body)), size))
			copy(grown, body)
			body = grown
		}
		n, err := io.ReadFull(r, body[len(body):cap(body)])
		body = body[:len(body)+n]
		if err != nil {
			return body, err
		}
	}
	return body, nil
}

// abort closes c after a fault of its peer; the socket then forgets it, as
// after an I/O error.
func (c *Conn) abort() {
	_ = c.rw.Close()
	c.SetClosed()
}

// recoverConn is deferred by each goroutine that serves one connection: a
// panic there closes that connection instead of ending the process.
func (c *Conn) recoverConn() {
	if e := recover(); e != nil {
		c.logf("closing connection from %v after a panic: %v", c.remoteAddr(), e)
		c.abort()
	}
}

func (c *Conn) remoteAddr() net.Addr {
	if c.rw == nil {
		return nil
	}
	return c.rw.RemoteAddr()
}

func (c *Conn) logf(format string, args ...any) {
	if c.log != nil {
		c.log.Printf(format, args...)
	}
}
