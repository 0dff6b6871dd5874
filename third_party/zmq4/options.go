// Copyright 2018 The go-zeromq Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package zmq4

import (
	"log"
	"net"
	"time"
)

// Option configures some aspect of a ZeroMQ socket.
// (e.g. SocketIdentity, Security, ...)
type Option func(s *socket)

// WithID configures a ZeroMQ socket identity.
func WithID(id SocketIdentity) Option {
	return func(s *socket) {
		s.id = id
	}
}

// WithSecurity configures a ZeroMQ socket to use the given security mechanism.
// If the security mechanims is nil, the NULL mechanism is used.
func WithSecurity(sec Security) Option {
	return func(s *socket) {
		s.sec = sec
	}
}

// WithDialerRetry configures the time to wait before two failed attempts
// at dialing an endpoint.
func WithDialerRetry(retry time.Duration) Option {
	return func(s *socket) {
		s.retry = retry
	}
}

// WithDialerTimeout sets the maximum amount of time a dial will wait
// for a connect to complete.
func WithDialerTimeout(timeout time.Duration) Option {
	return func(s *socket) {
		s.dialer.Timeout = timeout
	}
}

// WithTimeout sets the timeout value for socket operations
func WithTimeout(timeout time.Duration) Option {
	return func(s *socket) {
		s.timeout = timeout
	}
}

// WithLogger sets a dedicated log.Logger for the socket.
func WithLogger(msg *log.Logger) Option {
	return func(s *socket) {
		s.log = msg
	}
}

// WithDialerMaxRetries configures the maximum number of retries
// when dialing an endpoint (-1 means infinite retries).
func WithDialerMaxRetries(maxRetries int) Option {
	return func(s *socket) {
		s.maxRetries = maxRetries
	}
}

// WithAutomaticReconnect allows to configure a socket to automatically
// reconnect on connection loss.
func WithAutomaticReconnect(automaticReconnect bool) Option {
	return func(s *socket) {
		s.autoReconnect = automaticReconnect
	}
}

// (gosys patch) Limits on what peers can make a socket hold; see PATCHES.md.

const (
	// DefaultMaxFrameSize is the largest frame, and message, a socket
	// reads unless WithMaxFrameSize says otherwise: 256 MiB.
	DefaultMaxFrameSize int64 = 256 << 20

	// DefaultSendHWM is the number of messages a PUB or XPUB socket
	// queues for each subscriber unless WithSendHWM says otherwise
	// (libzmq's ZMQ_SNDHWM is 1,000 too).
	DefaultSendHWM = 1000

	// DefaultSendHWMBytes is the number of bytes a PUB or XPUB socket
	// queues for each subscriber unless WithSendHWMBytes says otherwise.
	DefaultSendHWMBytes int64 = 256 << 20
)

// WithMaxFrameSize sets the largest frame a peer may send to the socket,
// in bytes (gosys patch): a frame over it, or a message whose frames add
// up to more (each frame after the first counting 64 bytes besides its
// own), closes that peer's connection before anything is allocated for
// it. Memory for a frame under the limit is allocated as its bytes
// arrive. n <= 0 means DefaultMaxFrameSize (256 MiB).
func WithMaxFrameSize(n int64) Option {
	return func(s *socket) {
		s.maxFrameSize = n
	}
}

// WithSendHWM sets the high-water mark of a PUB or XPUB socket (gosys
// patch): the number of messages queued for one subscriber that has not
// read them yet. Once it is reached, Send drops the message for that
// subscriber only, and counts it (see Dropper and WithDropHandler);
// Send never waits for a subscriber. n <= 0 means no limit, as for
// libzmq's ZMQ_SNDHWM: a stalled subscriber then makes the socket grow
// without bound. The default is DefaultSendHWM (1,000). Other socket
// types ignore it. SetOption(OptionHWM, n) sets it too.
func WithSendHWM(n int) Option {
	return func(s *socket) {
		s.sendHWM = n
	}
}

// WithSendHWMBytes bounds, in bytes, the messages a PUB or XPUB socket
// queues for one subscriber that has not read them yet (gosys patch): a
// message that would take the queue past n is dropped for that subscriber
// and counted, as at the high-water mark of WithSendHWM; a message is
// always queued for a subscriber whose queue is empty, however large. A
// subscriber that stops reading thus holds at most about n bytes of the
// process's memory, whatever the size of the messages. n <= 0 means no
// limit. The default is DefaultSendHWMBytes (256 MiB).
func WithSendHWMBytes(n int64) Option {
	return func(s *socket) {
		s.sendHWMBytes = n
	}
}

// WithDropHandler sets a function that a PUB or XPUB socket calls when it
// starts dropping messages for a subscriber whose queue is full (gosys
// patch): at the first message dropped for that subscriber since it last
// had room, not at every one. peer is the subscriber's address, dropped
// the number of messages dropped for it so far. f is called by Send,
// after the message is queued for the others; it must not block.
func WithDropHandler(f func(peer net.Addr, dropped uint64)) Option {
	return func(s *socket) {
		s.onDrop = f
	}
}

/*
// TODO(sbinet)

func WithIOThreads(threads int) Option {
	return nil
}

func WithSendBufferSize(size int) Option {
	return nil
}

func WithRecvBufferSize(size int) Option {
	return nil
}
*/

const (
	OptionSubscribe   = "SUBSCRIBE"
	OptionUnsubscribe = "UNSUBSCRIBE"
	OptionHWM         = "HWM"
)
