// Tests of gosys's patches (PATCHES.md): limits on what a peer can make a
// socket hold, and PUB/XPUB sockets that never wait for a subscriber.

package zmq4

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// guard bounds every wait of these tests. It is not a measure of speed: a
// test that reaches it has hung.
const guard = 60 * time.Second

var quiet = log.New(io.Discard, "", 0)

// ---- a peer speaking ZMTP 3 by hand ----

// rawGreeting is the 64-byte ZMTP 3.0 greeting of a client with the given
// security mechanism.
func rawGreeting(mechanism string) []byte {
	g := make([]byte, zmtpMsgLen)
	g[0], g[9], g[10], g[11] = 0xff, 0x7f, 3, 0
	copy(g[12:32], mechanism)
	return g
}

// rawFrame encodes one frame; a body over 255 bytes gets a long header.
func rawFrame(flag byte, body []byte) []byte {
	if len(body) > 255 {
		h := make([]byte, 9, 9+len(body))
		h[0] = flag | isLongBitFlag
		binary.BigEndian.PutUint64(h[1:], uint64(len(body)))
		return append(h, body...)
	}
	return append([]byte{flag, byte(len(body))}, body...)
}

// longHeader is the header of a frame claiming size bytes.
func longHeader(flag byte, size uint64) []byte {
	h := make([]byte, 9)
	h[0] = flag | isLongBitFlag
	binary.BigEndian.PutUint64(h[1:], size)
	return h
}

// readyBody is the body of a READY command with the given properties.
func readyBody(props ...string) []byte {
	b := append([]byte{5}, "READY"...)
	for i := 0; i+1 < len(props); i += 2 {
		k, v := props[i], props[i+1]
		b = append(b, byte(len(k)))
		b = append(b, k...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
		b = append(b, v...)
	}
	return b
}

// rawConnect dials addr and exchanges greetings; the caller sends READY.
func rawConnect(t *testing.T, addr, mechanism string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(guard))
	if _, err := c.Write(rawGreeting(mechanism)); err != nil {
		t.Fatal(err)
	}
	var g [zmtpMsgLen]byte
	if _, err := io.ReadFull(c, g[:]); err != nil {
		t.Fatalf("server greeting: %v", err)
	}
	return c
}

// rawReadFrame reads one frame.
func rawReadFrame(r io.Reader) (flag byte, body []byte, err error) {
	var h [9]byte
	if _, err = io.ReadFull(r, h[:2]); err != nil {
		return 0, nil, err
	}
	size := uint64(h[1])
	if h[0]&isLongBitFlag != 0 {
		if _, err = io.ReadFull(r, h[2:]); err != nil {
			return 0, nil, err
		}
		size = binary.BigEndian.Uint64(h[1:])
	}
	if size > 1<<20 {
		return 0, nil, fmt.Errorf("frame of %d bytes", size)
	}
	body = make([]byte, size)
	_, err = io.ReadFull(r, body)
	return h[0], body, err
}

// rawHandshake connects to addr as a socket of type sockType with the NULL
// mechanism, by hand, and returns the connection after the handshake.
func rawHandshake(t *testing.T, addr string, sockType SocketType) net.Conn {
	t.Helper()
	c := rawConnect(t, addr, "NULL")
	if _, err := c.Write(rawFrame(isCommandBitFlag, readyBody("Socket-Type", string(sockType)))); err != nil {
		t.Fatal(err)
	}
	flag, body, err := rawReadFrame(c)
	if err != nil || flag&isCommandBitFlag == 0 || !bytes.HasPrefix(body, []byte("\x05READY")) {
		t.Fatalf("server READY: flag=%#x body=%q err=%v", flag, body, err)
	}
	return c
}

// waitClosed waits until the server closes c (a read gets EOF or a reset).
func waitClosed(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(guard))
	buf := make([]byte, 4096)
	for {
		_, err := c.Read(buf)
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the server did not close the connection")
		}
		return
	}
}

// ---- sockets under test ----

// inner returns the socket behind a Socket of this package.
func inner(s Socket) *socket {
	switch s := s.(type) {
	case *routerSocket:
		return s.sck
	case *xpubSocket:
		return s.sck
	case *pubSocket:
		return s.sck
	case *repSocket:
		return s.sck
	case *dealerSocket:
		return s.sck
	case *subSocket:
		return s.sck
	case *reqSocket:
		return s.sck
	}
	panic(fmt.Sprintf("unknown socket %T", s))
}

func nconns(s Socket) int {
	sck := inner(s)
	sck.mu.RLock()
	defer sck.mu.RUnlock()
	return len(sck.conns)
}

// waitFor polls cond until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// within runs f, failing the test if it does not return before guard.
func within(t *testing.T, what string, f func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(guard):
		t.Fatalf("%s: blocked", what)
	}
}

// server is a listening socket of one of the types gosys binds, with a
// well-behaved client.
type server struct {
	name     string
	new      func(context.Context, ...Option) Socket
	peerType SocketType // what a raw peer claims to be
	client   func(context.Context, ...Option) Socket
	// exchange checks that srv and its client still exchange messages.
	exchange func(t *testing.T, srv, cli Socket, round int)
}

var servers = []server{
	{"ROUTER", NewRouter, Dealer, NewDealer, func(t *testing.T, srv, cli Socket, round int) {
		ping := fmt.Sprintf("ping %d", round)
		within(t, "dealer send", func() error { return cli.Send(NewMsgString(ping)) })
		var m Msg
		within(t, "router recv", func() (err error) { m, err = srv.Recv(); return err })
		if len(m.Frames) != 2 || string(m.Frames[1]) != ping {
			t.Fatalf("router got %v", m)
		}
		within(t, "router send", func() error { return srv.SendMulti(NewMsgFrom(m.Frames[0], []byte("pong"))) })
		within(t, "dealer recv", func() (err error) { m, err = cli.Recv(); return err })
		if string(m.Bytes()) != "pong" {
			t.Fatalf("dealer got %v", m)
		}
	}},
	{"XPUB", NewXPub, Sub, NewSub, func(t *testing.T, srv, cli Socket, round int) {
		if round == 0 {
			if err := cli.SetOption(OptionSubscribe, ""); err != nil {
				t.Fatal(err)
			}
			// the subscription reaches the XPUB asynchronously
			waitFor(t, "subscription", func() bool { return len(srv.(Topics).Topics()) == 1 })
		}
		want := fmt.Sprintf("news %d", round)
		within(t, "xpub send", func() error { return srv.Send(NewMsgString(want)) })
		var m Msg
		within(t, "sub recv", func() (err error) { m, err = cli.Recv(); return err })
		if string(m.Bytes()) != want {
			t.Fatalf("sub got %v", m)
		}
	}},
	{"REP", NewRep, Req, NewReq, func(t *testing.T, srv, cli Socket, round int) {
		ping := fmt.Sprintf("ping %d", round)
		within(t, "req send", func() error { return cli.Send(NewMsgString(ping)) })
		var m Msg
		within(t, "rep recv", func() (err error) { m, err = srv.Recv(); return err })
		if string(m.Bytes()) != ping {
			t.Fatalf("rep got %v", m)
		}
		within(t, "rep send", func() error { return srv.Send(NewMsgString("pong")) })
		within(t, "req recv", func() (err error) { m, err = cli.Recv(); return err })
		if string(m.Bytes()) != "pong" {
			t.Fatalf("req got %v", m)
		}
	}},
}

// start binds srv on 127.0.0.1 and connects its client.
func (sv server) start(t *testing.T, opts ...Option) (srv, cli Socket, addr string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv = sv.new(ctx, append([]Option{WithLogger(quiet)}, opts...)...)
	t.Cleanup(func() { srv.Close() })
	if err := srv.Listen("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	addr = srv.Addr().String()
	cli = sv.client(ctx, WithLogger(quiet), WithTimeout(guard))
	t.Cleanup(func() { cli.Close() })
	within(t, "dial", func() error { return cli.Dial("tcp://" + addr) })
	waitFor(t, "client connection", func() bool { return nconns(srv) == 1 })
	return srv, cli, addr
}

// totalAlloc returns the bytes allocated by the process so far.
func totalAlloc() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

// ---- 1. frames over the limit ----

func TestHugeFrameClosesOnlyThatConnection(t *testing.T) {
	const small = 4096 // WithMaxFrameSize of some cases
	many := func(n int, flag byte, body []byte) []byte {
		var b []byte
		for i := 0; i < n; i++ {
			b = append(b, rawFrame(flag, body)...)
		}
		return b
	}
	attacks := []struct {
		name  string
		limit int64  // 0: the default
		send  []byte // after the handshake
		// hangUp: the frame is under the limit, the peer sends part of it
		// and hangs up; the server must not have allocated the claim.
		hangUp bool
	}{
		{name: "claims 2^62 bytes", send: longHeader(0, 1<<62)},
		{name: "claims 1 GiB", send: longHeader(0, 1<<30)},
		{name: "claims 2^64-1 bytes", send: longHeader(0, ^uint64(0))},
		{name: "claims 64 GiB, more flag", send: longHeader(hasMoreBitFlag, 64<<30)},
		{name: "command claims 1 GiB", send: longHeader(isCommandBitFlag, 1<<30)},
		{name: "claims 200 MiB, sends 1 KiB", send: append(longHeader(0, 200<<20), make([]byte, 1024)...), hangUp: true},
		{name: "one byte over WithMaxFrameSize", limit: small, send: append(longHeader(0, small+1), make([]byte, small+1)...)},
		{name: "message over WithMaxFrameSize", limit: small, send: many(3, hasMoreBitFlag, make([]byte, 2000))},
		{name: "endless empty frames", limit: small, send: many(small, hasMoreBitFlag, nil)},
	}
	for _, sv := range servers {
		for _, at := range attacks {
			t.Run(sv.name+"/"+at.name, func(t *testing.T) {
				var opts []Option
				if at.limit != 0 {
					opts = append(opts, WithMaxFrameSize(at.limit))
				}
				srv, cli, addr := sv.start(t, opts...)
				sv.exchange(t, srv, cli, 0)

				before := totalAlloc()
				bad := rawHandshake(t, addr, sv.peerType)
				waitFor(t, "bad peer's connection", func() bool { return nconns(srv) == 2 })
				if _, err := bad.Write(at.send); err != nil {
					t.Fatal(err)
				}
				if at.hangUp {
					time.Sleep(50 * time.Millisecond) // let the server read it
					bad.Close()
				} else {
					waitClosed(t, bad)
				}
				waitFor(t, "the socket to forget the bad peer", func() bool { return nconns(srv) == 1 })
				if grown := totalAlloc() - before; grown > 32<<20 {
					t.Errorf("the process allocated %d MiB for the bad peer", grown>>20)
				}

				for round := 1; round <= 3; round++ {
					sv.exchange(t, srv, cli, round)
				}
			})
		}
	}
}

// A frame of exactly the limit is still read.
func TestFrameAtTheLimit(t *testing.T) {
	const limit = 100 << 10
	srv, cli, _ := servers[0].start(t, WithMaxFrameSize(limit))
	body := bytes.Repeat([]byte{'x'}, limit)
	within(t, "send", func() error { return cli.Send(NewMsg(body)) })
	var m Msg
	within(t, "recv", func() (err error) { m, err = srv.Recv(); return err })
	if len(m.Frames) != 2 || !bytes.Equal(m.Frames[1], body) {
		t.Fatalf("got %d frames", len(m.Frames))
	}
}

func TestReadBody(t *testing.T) {
	data := make([]byte, 1<<20+12345)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, n := range []int{0, 1, readChunk - 1, readChunk, readChunk + 1, 3*readChunk + 5, len(data)} {
		got, err := readBody(bytes.NewReader(data), uint64(n))
		if err != nil || !bytes.Equal(got, data[:n]) || cap(got) != n {
			t.Errorf("readBody(%d): len %d cap %d err %v", n, len(got), cap(got), err)
		}
	}
	// a claim larger than what arrives allocates about what arrived
	got, err := readBody(bytes.NewReader(data[:200<<10]), 1<<28)
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(got) != 200<<10 || cap(got) > 512<<10 {
		t.Errorf("short body: len %d cap %d err %v", len(got), cap(got), err)
	}
}

// ---- 2. other input of a peer ----

// panicSec is the NULL mechanism under another name, whose Decrypt panics
// on a frame "boom": a stand-in for a bug in a reader goroutine.
type panicSec struct{ nullSecurity }

func (panicSec) Type() SecurityType { return "GOSYS" }
func (panicSec) Decrypt(w io.Writer, data []byte) (int, error) {
	if string(data) == "boom" {
		panic("boom")
	}
	return w.Write(data)
}

func TestPanicInReaderClosesOnlyThatConnection(t *testing.T) {
	sv := servers[0] // ROUTER
	srv, cli, addr := server{sv.name, sv.new, sv.peerType, func(ctx context.Context, opts ...Option) Socket {
		return NewDealer(ctx, append(opts, WithSecurity(panicSec{}))...)
	}, sv.exchange}.start(t, WithSecurity(panicSec{}))
	sv.exchange(t, srv, cli, 0)

	bad := rawConnect(t, addr, "GOSYS")
	if _, err := bad.Write(rawFrame(isCommandBitFlag, readyBody("Socket-Type", "DEALER"))); err != nil {
		t.Fatal(err)
	}
	if _, _, err := rawReadFrame(bad); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bad peer's connection", func() bool { return nconns(srv) == 2 })
	if _, err := bad.Write(rawFrame(0, []byte("boom"))); err != nil {
		t.Fatal(err)
	}
	waitClosed(t, bad)
	waitFor(t, "the socket to forget the bad peer", func() bool { return nconns(srv) == 1 })
	sv.exchange(t, srv, cli, 1)
}

func TestRecoverConn(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	c := &Conn{rw: a, log: quiet}
	func() {
		defer c.recoverConn()
		panic("in a reader goroutine")
	}()
	if !c.Closed() {
		t.Fatal("the connection is not closed")
	}
	if _, err := a.Write([]byte{0}); err == nil {
		t.Fatal("the net.Conn is not closed")
	}
}

func TestPeerMetadata(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ready []byte // READY command body
	}{
		{"no Socket-Type", readyBody("Identity", "x")},
		{"unknown Socket-Type", readyBody("Socket-Type", "FOO")},
		{"empty body", []byte("\x05READY")},
		{"key past the end", append([]byte("\x05READY"), 200, 'a')},
		{"key, no value length", append([]byte("\x05READY\x0bSocket-Type"), 0, 0)},
		{"value past the end", append(append([]byte("\x05READY\x0bSocket-Type"), 0, 0, 0, 9), "DEALER"...)},
		{"value length 2^32-1", append([]byte("\x05READY\x0bSocket-Type"), 0xff, 0xff, 0xff, 0xff)},
		{"not READY", []byte("\x05HELLO")},
		{"empty command", nil},
		{"name past the end", []byte("\x09READY")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sv := servers[0]
			srv, cli, addr := sv.start(t)
			bad := rawConnect(t, addr, "NULL")
			if _, err := bad.Write(rawFrame(isCommandBitFlag, tc.ready)); err != nil {
				t.Fatal(err)
			}
			waitClosed(t, bad)
			if n := nconns(srv); n != 1 {
				t.Fatalf("%d connections", n)
			}
			sv.exchange(t, srv, cli, 0)
		})
	}
}

func TestMetadataUnmarshal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Metadata // nil: an error
	}{
		{"", Metadata{}},
		{"\x01A\x00\x00\x00\x01b", Metadata{"A": "b"}},
		{"\x01A\x00\x00\x00\x00", Metadata{"A": ""}},
		{"\x00\x00\x00\x00\x00", Metadata{"": ""}},
		{"\x01", nil},
		{"\x01A", nil},
		{"\x01A\x00\x00\x00", nil},
		{"\x01A\x00\x00\x00\x02b", nil},
		{"\x05A", nil},
		{"\x01A\xff\xff\xff\xffb", nil},
		{"\x01A\x00\x00\x00\x01b\x01", nil},
	} {
		var md Metadata // nil: UnmarshalZMTP makes it
		err := md.UnmarshalZMTP([]byte(tc.in))
		switch {
		case tc.want == nil && err == nil:
			t.Errorf("%q: no error", tc.in)
		case tc.want != nil && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.want != nil && fmt.Sprint(md) != fmt.Sprint(tc.want):
			t.Errorf("%q: got %v, want %v", tc.in, md, tc.want)
		}
	}
}

// A peer that connects and says nothing keeps no one else from connecting
// (upstream did the handshake in the accept loop).
func TestSilentPeerDoesNotBlockAccept(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := NewRouter(ctx, WithLogger(quiet))
	defer srv.Close()
	if err := srv.Listen("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	silent, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	time.Sleep(20 * time.Millisecond) // accepted first

	cli := NewDealer(ctx, WithLogger(quiet))
	defer cli.Close()
	within(t, "dial", func() error { return cli.Dial("tcp://" + srv.Addr().String()) })
	servers[0].exchange(t, srv, cli, 0)
}

// Subscriptions are bounded per connection; over the bound, the connection
// is closed.
func TestSubscriptionsBounded(t *testing.T) {
	for _, mk := range []struct {
		name string
		new  func(context.Context, ...Option) Socket
	}{{"PUB", NewPub}, {"XPUB", NewXPub}} {
		t.Run(mk.name, func(t *testing.T) {
			sv := servers[1]
			sv.new = mk.new
			srv, cli, addr := sv.start(t)
			sv.exchange(t, srv, cli, 0)

			before := totalAlloc()
			bad := rawHandshake(t, addr, Sub)
			topic := make([]byte, 1+100<<10)
			topic[0] = 1
			var err error
			for i := 0; err == nil && i < 100; i++ { // 10 MiB of topics
				binary.BigEndian.PutUint32(topic[1:], uint32(i))
				_, err = bad.Write(rawFrame(0, topic))
			}
			waitClosed(t, bad)
			waitFor(t, "the socket to forget the bad peer", func() bool { return nconns(srv) == 1 })
			if grown := totalAlloc() - before; grown > 64<<20 {
				t.Errorf("the process allocated %d MiB for the bad peer", grown>>20)
			}
			sv.exchange(t, srv, cli, 1)
		})
	}
}

func TestSubscribe(t *testing.T) {
	c := &Conn{topics: make(map[string]struct{})}
	sub := func(v byte, topic string) error { return c.subscribe(NewMsg(append([]byte{v}, topic...))) }
	if err := sub(1, "a"); err != nil {
		t.Fatal(err)
	}
	_ = sub(1, "a") // again: counted once
	if c.topicBytes != 1+topicCost {
		t.Fatalf("topicBytes %d", c.topicBytes)
	}
	for _, tc := range []struct {
		topic string
		want  bool
	}{{"abc", true}, {"a", true}, {"b", false}, {"", false}} {
		if got := c.subscribed([]byte(tc.topic)); got != tc.want {
			t.Errorf("subscribed(%q) = %v", tc.topic, got)
		}
	}
	_ = sub(0, "a")
	_ = sub(0, "never") // not subscribed: no change
	if c.topicBytes != 0 || len(c.topics) != 0 {
		t.Fatalf("after unsubscribe: %d bytes, %d topics", c.topicBytes, len(c.topics))
	}
	if err := sub(1, strings.Repeat("x", maxTopicBytes)); err == nil {
		t.Fatal("a topic over the bound was accepted")
	}
	n := 0
	for ; sub(1, fmt.Sprint(n)) == nil; n++ {
	}
	if n > maxTopicBytes/topicCost || n < maxTopicBytes/(topicCost+8) {
		t.Fatalf("%d topics", n)
	}
	if !c.subscribed([]byte("1")) {
		t.Fatal("lost a topic")
	}
}

// ---- 3. PUB and XPUB never wait for a subscriber ----

func TestPubSlowSubscriber(t *testing.T) {
	const (
		n    = 20000
		size = 64 << 10
	)
	for _, tc := range []struct {
		name string
		new  func(context.Context, ...Option) Socket
		hwm  int   // 0: the default
		by   int64 // WithSendHWMBytes; 0: the default
	}{
		{"PUB", NewPub, 0, 0},
		{"XPUB", NewXPub, 0, 0},
		{"XPUB hwm 50", NewXPub, 50, 0},
		{"XPUB 1 MiB", NewXPub, 0, 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hwm := tc.hwm
			opts := []Option{WithLogger(quiet)}
			if hwm != 0 {
				opts = append(opts, WithSendHWM(hwm))
			} else {
				hwm = DefaultSendHWM
			}
			if tc.by != 0 {
				opts = append(opts, WithSendHWMBytes(tc.by))
				hwm = min(hwm, int(tc.by/size))
			}
			var (
				dropMu    sync.Mutex
				dropCalls = map[string]int{}
			)
			opts = append(opts, WithDropHandler(func(peer net.Addr, dropped uint64) {
				dropMu.Lock()
				dropCalls[peer.String()]++
				dropMu.Unlock()
			}))

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pub := tc.new(ctx, opts...)
			defer pub.Close()
			if err := pub.Listen("tcp://127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
			addr := pub.Addr().String()

			// the stalled subscriber: subscribes to everything, never reads
			stalled := rawHandshake(t, addr, Sub)
			if _, err := stalled.Write(rawFrame(0, []byte{1})); err != nil {
				t.Fatal(err)
			}
			// the reader
			sub := NewSub(ctx, WithLogger(quiet))
			defer sub.Close()
			within(t, "dial", func() error { return sub.Dial("tcp://" + addr) })
			if err := sub.SetOption(OptionSubscribe, ""); err != nil {
				t.Fatal(err)
			}
			sck := inner(pub)
			waitFor(t, "two subscribers", func() bool {
				sck.mu.RLock()
				defer sck.mu.RUnlock()
				ok := len(sck.conns) == 2
				for _, c := range sck.conns {
					ok = ok && c.subscribed(nil)
				}
				return ok
			})

			var got atomic.Int64
			readErr := make(chan error, 1)
			go func() {
				next := uint64(0)
				for {
					m, err := sub.Recv()
					if err != nil {
						readErr <- err
						return
					}
					if len(m.Frames) != 1 || len(m.Frames[0]) != size {
						readErr <- fmt.Errorf("got %d frames", len(m.Frames))
						return
					}
					seq := binary.BigEndian.Uint64(m.Frames[0])
					if seq < next {
						readErr <- fmt.Errorf("message %d after %d", seq, next-1)
						return
					}
					next = seq + 1
					got.Add(1)
				}
			}()

			within(t, fmt.Sprintf("%d sends of %d KiB", n, size>>10), func() error {
				for i := uint64(0); i < n; i++ {
					b := make([]byte, size)
					binary.BigEndian.PutUint64(b, i)
					if err := pub.Send(NewMsg(b)); err != nil {
						return err
					}
				}
				return nil
			})

			drops := pub.(Dropper)
			peer := func(a net.Addr) PeerDrop {
				for _, p := range drops.PeerDrops() {
					if p.Addr.String() == a.String() {
						return p
					}
				}
				t.Fatalf("no peer %v in %v", a, drops.PeerDrops())
				return PeerDrop{}
			}
			// the reader gets all that was not dropped for it
			var reader PeerDrop
			waitFor(t, "the reader to get its messages", func() bool {
				select {
				case err := <-readErr:
					t.Fatal(err)
				default:
				}
				for _, p := range drops.PeerDrops() {
					if p.Addr.String() != stalled.LocalAddr().String() {
						reader = p
					}
				}
				return reader.Queued == 0 && uint64(got.Load())+reader.Dropped == n
			})
			st := peer(stalled.LocalAddr())
			t.Logf("reader: %d received, %d dropped; stalled: %d dropped, %d queued", got.Load(), reader.Dropped, st.Dropped, st.Queued)

			if got.Load() < int64(min(n, hwm)) {
				t.Errorf("the reader got %d messages, fewer than its queue holds (%d)", got.Load(), hwm)
			}
			if st.Queued > hwm {
				t.Errorf("%d messages queued for the stalled subscriber, over %d", st.Queued, hwm)
			}
			// what the stalled one did not drop is queued or went to its
			// socket buffers (a few MiB)
			if st.Dropped < n-uint64(hwm)-uint64((32<<20)/size) {
				t.Errorf("only %d messages dropped for the stalled subscriber", st.Dropped)
			}
			if total := drops.Dropped(); total != st.Dropped+reader.Dropped {
				t.Errorf("Dropped() = %d, peers %d + %d", total, st.Dropped, reader.Dropped)
			}
			dropMu.Lock()
			if dropCalls[stalled.LocalAddr().String()] == 0 {
				t.Errorf("no drop handler call for the stalled subscriber: %v", dropCalls)
			}
			dropMu.Unlock()

			// the queues hold at most hwm messages each
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if limit := uint64(2*hwm+100)*size + 64<<20; ms.HeapAlloc > limit {
				t.Errorf("heap %d MiB, over %d MiB", ms.HeapAlloc>>20, limit>>20)
			}
		})
	}
}

// TestSendHWMBytesLargeMessages: messages larger than the byte bound still
// reach a subscriber whose queue is empty; a stalled one holds at most one.
func TestSendHWMBytesLargeMessages(t *testing.T) {
	const size = 32 << 20 // more than loopback's socket buffers take
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub := NewXPub(ctx, WithLogger(quiet), WithSendHWMBytes(1<<20))
	defer pub.Close()
	if err := pub.Listen("tcp://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	stalled := rawHandshake(t, pub.Addr().String(), Sub)
	if _, err := stalled.Write(rawFrame(0, []byte{1})); err != nil {
		t.Fatal(err)
	}
	sck := inner(pub)
	waitFor(t, "the subscription", func() bool {
		sck.mu.RLock()
		defer sck.mu.RUnlock()
		return len(sck.conns) == 1 && sck.conns[0].subscribed(nil)
	})
	for i := 0; i < 4; i++ {
		if err := pub.Send(NewMsg(make([]byte, size))); err != nil {
			t.Fatal(err)
		}
	}
	p := pub.(Dropper).PeerDrops()
	if len(p) != 1 || p[0].Queued != 1 || p[0].Bytes != size || p[0].Dropped != 3 {
		t.Errorf("stalled subscriber after 4 sends of 32 MiB, 1 MiB bound: %+v, want 1 queued (32 MiB), 3 dropped", p)
	}
}

func TestSendHWMOptions(t *testing.T) {
	ctx := context.Background()
	hwm := func(s Socket) int {
		w := inner(s).w.(*pubMWriter)
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.hwm
	}
	for _, tc := range []struct {
		name string
		s    Socket
		want int
	}{
		{"PUB default", NewPub(ctx), DefaultSendHWM},
		{"XPUB default", NewXPub(ctx), DefaultSendHWM},
		{"PUB WithSendHWM", NewPub(ctx, WithSendHWM(7)), 7},
		{"XPUB WithSendHWM", NewXPub(ctx, WithSendHWM(7)), 7},
	} {
		if got := hwm(tc.s); got != tc.want {
			t.Errorf("%s: hwm %d, want %d", tc.name, got, tc.want)
		}
		if err := tc.s.SetOption(OptionHWM, 9); err != nil {
			t.Errorf("%s: SetOption: %v", tc.name, err)
		}
		if got := hwm(tc.s); got != 9 {
			t.Errorf("%s: after SetOption, hwm %d", tc.name, got)
		}
		tc.s.Close()
	}
	if got := inner(NewRouter(ctx)).maxFrameSize; got != 0 {
		t.Errorf("default maxFrameSize %d", got)
	}
	if got := (&Conn{}).frameLimit(); got != uint64(DefaultMaxFrameSize) {
		t.Errorf("default frame limit %d", got)
	}
}
