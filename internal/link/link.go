// Package link is the protocol between the kernel process (which speaks
// Jupyter) and the session process (which runs cells): framed messages over
// one Unix stream socket, with descriptors passed alongside.
//
// A frame is a 4-byte big-endian length N, then N bytes of JSON: a Message.
// Descriptors travel as SCM_RIGHTS attached to the first byte of their
// frame; Message.NFDs says how many belong to it. A frame longer than
// MaxFrame is refused before anything is allocated for it, and the
// connection is then unusable: the peer is not trusted to resynchronise.
//
// A Conn is safe for one reader and any number of concurrent writers.
package link

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"gosys/internal/fdspace"
	"io"
	"sync"

	"golang.org/x/sys/unix"
)

// MaxFrame is the largest frame body accepted (and sent): a cell's value
// or error larger than this cannot cross.
const MaxFrame = 64 << 20

// maxFDs is how many descriptors one message may carry (Linux allows 253
// per control message; gosys passes one or two).
const maxFDs = 16

// ErrTooLarge is returned for a frame longer than MaxFrame.
var ErrTooLarge = errors.New("link: frame too large")

// Message is one frame's content.
type Message struct {
	// Type names the message; see the Type constants.
	Type string `json:"type"`
	// ID ties a reply to its request; 0 for messages that are not either.
	ID uint64 `json:"id,omitempty"`
	// NFDs is how many passed descriptors belong to this message.
	NFDs int `json:"nfds,omitempty"`
	// Body is the message's own content, decoded with Decode.
	Body json.RawMessage `json:"body,omitempty"`
	// FDs are the descriptors received with the message (close-on-exec);
	// the receiver owns them. Not encoded.
	FDs []int `json:"-"`
}

// Decode unmarshals m's body into v.
func (m *Message) Decode(v any) error {
	if len(m.Body) == 0 {
		return fmt.Errorf("link: %s message without a body", m.Type)
	}
	if err := json.Unmarshal(m.Body, v); err != nil {
		return fmt.Errorf("link: %s body: %w", m.Type, err)
	}
	return nil
}

// Conn is one end of the link.
type Conn struct {
	fd int

	wmu sync.Mutex // one frame at a time

	// Reader state, used by Recv only.
	buf     []byte // bytes received; buf[off:] not consumed yet
	off     int
	chunk   []byte // one read's buffer, kept between reads
	oob     []byte // its control buffer
	pending []int  // descriptors received and not handed out yet
	eof     bool
}

// New returns a Conn on fd, a connected AF_UNIX SOCK_STREAM socket, which it
// owns from then on.
func New(fd int) *Conn {
	return &Conn{fd: fd}
}

// Pair returns two connected Conns, both close-on-exec.
func Pair() (*Conn, *Conn, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("link: socketpair: %w", err)
	}
	return New(fds[0]), New(fds[1]), nil
}

// FD returns the socket's descriptor.
func (c *Conn) FD() int { return c.fd }

// Close closes the socket and any received descriptor not handed out. A
// Recv blocked on it returns.
func (c *Conn) Close() error {
	for _, fd := range c.pending {
		unix.Close(fd)
	}
	c.pending = nil
	// shutdown wakes a reader blocked in recvmsg; close alone may not.
	_ = unix.Shutdown(c.fd, unix.SHUT_RDWR)
	return unix.Close(c.fd)
}

// Send writes one message whose body is body marshalled to JSON (nil for
// none), passing fds along; the caller keeps its fds.
func (c *Conn) Send(typ string, id uint64, body any, fds ...int) error {
	if len(fds) > maxFDs {
		return fmt.Errorf("link: %d descriptors in one message", len(fds))
	}
	m := Message{Type: typ, ID: id, NFDs: len(fds)}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("link: encode %s: %w", typ, err)
		}
		m.Body = b
	}
	frame, err := json.Marshal(&m)
	if err != nil {
		return fmt.Errorf("link: encode %s: %w", typ, err)
	}
	if len(frame) > MaxFrame {
		return fmt.Errorf("link: %s message of %d bytes: %w", typ, len(frame), ErrTooLarge)
	}
	out := binary.BigEndian.AppendUint32(make([]byte, 0, 4+len(frame)), uint32(len(frame)))
	out = append(out, frame...)

	c.wmu.Lock()
	defer c.wmu.Unlock()
	if len(fds) > 0 {
		// The descriptors ride on the frame's first byte.
		for {
			err = unix.Sendmsg(c.fd, out[:1], unix.UnixRights(fds...), nil, 0)
			if err != unix.EINTR {
				break
			}
		}
		if err != nil {
			return fmt.Errorf("link: send %s: %w", typ, err)
		}
		out = out[1:]
	}
	for len(out) > 0 {
		n, err := unix.Write(c.fd, out)
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if err != nil {
			return fmt.Errorf("link: send %s: %w", typ, err)
		}
		out = out[n:]
	}
	return nil
}

// Recv reads the next message. It returns io.EOF when the peer closed the
// link between frames, and an error for a frame that is too large or not a
// message, after which the Conn must not be used for receiving again.
func (c *Conn) Recv() (*Message, error) {
	for {
		if rest := c.buf[c.off:]; len(rest) >= 4 {
			n := binary.BigEndian.Uint32(rest)
			if n > MaxFrame {
				return nil, fmt.Errorf("link: frame of %d bytes: %w", n, ErrTooLarge)
			}
			if len(rest) >= 4+int(n) {
				return c.take(int(n))
			}
		}
		if c.eof {
			if len(c.buf) == c.off {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("link: connection closed inside a frame: %w", io.ErrUnexpectedEOF)
		}
		if err := c.fill(); err != nil {
			return nil, err
		}
	}
}

// take decodes the frame of n bytes at the start of the buffer.
func (c *Conn) take(n int) (*Message, error) {
	body := c.buf[c.off+4 : c.off+4+n]
	var m Message
	err := json.Unmarshal(body, &m) // copies what it keeps
	c.off += 4 + n
	if c.off == len(c.buf) {
		c.buf, c.off = c.buf[:0], 0
	}
	if err != nil {
		return nil, fmt.Errorf("link: bad frame: %w", err)
	}
	if m.Type == "" {
		return nil, errors.New("link: bad frame: no type")
	}
	if m.NFDs < 0 || m.NFDs > maxFDs || m.NFDs > len(c.pending) {
		return nil, fmt.Errorf("link: %s message claims %d descriptors, %d received", m.Type, m.NFDs, len(c.pending))
	}
	m.FDs = append([]int(nil), c.pending[:m.NFDs]...)
	c.pending = c.pending[m.NFDs:]
	return &m, nil
}

// fill reads what the socket has, with any descriptors.
func (c *Conn) fill() error {
	if c.chunk == nil {
		c.chunk = make([]byte, 64<<10)
		c.oob = make([]byte, unix.CmsgSpace(maxFDs*4))
	}
	if c.off > 0 {
		// Move what is left of a partial frame to the front.
		c.buf = append(c.buf[:0], c.buf[c.off:]...)
		c.off = 0
	}
	for {
		n, oobn, _, _, err := unix.Recvmsg(c.fd, c.chunk, c.oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if err != nil {
			return fmt.Errorf("link: receive: %w", err)
		}
		if oobn > 0 {
			fds, err := fdspace.Rights(c.oob[:oobn])
			if err != nil {
				return err
			}
			c.pending = append(c.pending, fds...)
		}
		if n == 0 {
			c.eof = true
			return nil
		}
		c.buf = append(c.buf, c.chunk[:n]...)
		return nil
	}
}
