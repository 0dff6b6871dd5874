// Fuzz targets of the receive path (gosys patch, PATCHES.md). Run with
//
//	go test -run XXX -fuzz FuzzConnRead -fuzztime 60s github.com/go-zeromq/zmq4
//	go test -run XXX -fuzz FuzzHandshake -fuzztime 60s github.com/go-zeromq/zmq4

package zmq4

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// fuzzConn is a net.Conn that reads the fuzzer's bytes and discards what
// is written to it.
type fuzzConn struct {
	r      *bytes.Reader
	closed bool
}

func (c *fuzzConn) Read(p []byte) (int, error) {
	if c.closed {
		return 0, net.ErrClosed
	}
	return c.r.Read(p)
}
func (c *fuzzConn) Write(p []byte) (int, error) {
	if c.closed {
		return 0, net.ErrClosed
	}
	return len(p), nil
}
func (c *fuzzConn) Close() error                     { c.closed = true; return nil }
func (c *fuzzConn) LocalAddr() net.Addr              { return fuzzAddr{} }
func (c *fuzzConn) RemoteAddr() net.Addr             { return fuzzAddr{} }
func (c *fuzzConn) SetDeadline(time.Time) error      { return nil }
func (c *fuzzConn) SetReadDeadline(time.Time) error  { return nil }
func (c *fuzzConn) SetWriteDeadline(time.Time) error { return nil }

type fuzzAddr struct{}

func (fuzzAddr) Network() string { return "fuzz" }
func (fuzzAddr) String() string  { return "fuzz" }

// serve reads messages from c as the sockets' reader goroutines do, and
// checks what every read returns against the limit and the input.
func serve(t *testing.T, c *Conn, input int) {
	limit := c.frameLimit()
	held := 0
	for i := 0; i < 1000 && !c.Closed(); i++ {
		msg, err := c.RecvMsg()
		if err != nil {
			if strings.Contains(err.Error(), "panic") {
				t.Fatalf("recovered panic: %v", err)
			}
			return
		}
		total := uint64(0)
		for _, f := range msg.Frames {
			if uint64(len(f)) > limit {
				t.Fatalf("frame of %d bytes over the limit %d", len(f), limit)
			}
			total += uint64(len(f))
			held += len(f)
		}
		if total > limit {
			t.Fatalf("message of %d bytes over the limit %d", total, limit)
		}
		if held > input {
			t.Fatalf("%d bytes read from %d of input", held, input)
		}
		// as pubQReader.listen does
		if (&pubQReader{}).topic(msg) {
			_ = c.subscribe(msg)
		}
		if len(msg.Frames) > 0 {
			c.subscribed(msg.Frames[0])
			// a command's body, as the NULL handshake reads READY
			var md Metadata
			_ = md.UnmarshalZMTP(msg.Frames[0])
		}
	}
}

// FuzzConnRead feeds its input to a connection's frame reader, after the
// handshake. The first two bytes set the connection's limit (0: the
// default, 256 MiB), the rest is what the peer sends.
func FuzzConnRead(f *testing.F) {
	// seeds: testdata/fuzz/FuzzConnRead
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		limit := int64(binary.BigEndian.Uint16(data))
		c := &Conn{
			typ:          XPub,
			rw:           &fuzzConn{r: bytes.NewReader(data[2:])},
			sec:          nullSecurity{},
			topics:       make(map[string]struct{}),
			maxFrameSize: limit,
		}
		c.Peer.Meta = make(Metadata)
		serve(t, c, len(data)-2)
	})
}

// FuzzHandshake feeds its input to a listening socket's side of a new
// connection: greeting, NULL handshake, then messages.
func FuzzHandshake(f *testing.F) {
	// seeds: testdata/fuzz/FuzzHandshake, and a READY of each type
	for _, peer := range []string{"DEALER", "SUB", "REQ", "ROUTER", "PUB"} {
		f.Add(append(rawGreeting("NULL"), rawFrame(isCommandBitFlag, readyBody("Socket-Type", peer, "Identity", "id"))...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, typ := range []SocketType{Router, XPub, Rep} {
			rw := &fuzzConn{r: bytes.NewReader(data)}
			c, err := open(rw, nullSecurity{}, typ, SocketIdentity("fuzz"), true, nil, 1<<16, nil)
			if err != nil {
				if strings.Contains(err.Error(), "panic") {
					t.Fatalf("%s: recovered panic: %v", typ, err)
				}
				continue
			}
			serve(t, c, len(data))
		}
	})
}

var _ io.Reader = (*fuzzConn)(nil)
