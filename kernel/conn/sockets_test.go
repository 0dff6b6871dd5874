package conn_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"gosys/kernel/conn"
)

// freePorts returns n distinct tcp ports on 127.0.0.1 that were free a
// moment ago: each is listened on and closed.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	ports := make([]int, n)
	for i, l := range ls {
		ports[i] = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	return ports
}

func tcpInfo(t *testing.T) conn.Info {
	p := freePorts(t, 5)
	return conn.Info{Transport: "tcp", IP: "127.0.0.1", ShellPort: p[0], IOPubPort: p[1], StdinPort: p[2],
		ControlPort: p[3], HBPort: p[4], SignatureScheme: "hmac-sha256"}
}

func bind(t *testing.T, info conn.Info) *conn.Sockets {
	t.Helper()
	s, err := conn.Bind(info, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatalf("Bind: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestBindCreatesFiveSockets(t *testing.T) {
	for _, transport := range []string{"tcp", "ipc"} {
		t.Run(transport, func(t *testing.T) {
			info := tcpInfo(t)
			if transport == "ipc" {
				info.Transport, info.IP = "ipc", filepath.Join(t.TempDir(), "kernel")
				info.ShellPort, info.IOPubPort, info.StdinPort, info.ControlPort, info.HBPort = 1, 2, 3, 4, 5
			}
			s := bind(t, info)
			got := map[string]*conn.Socket{"shell": s.Shell, "control": s.Control, "stdin": s.Stdin, "iopub": s.IOPub, "hb": s.HB}
			for name, sk := range got {
				if sk == nil {
					t.Errorf("%s socket is nil", name)
				} else if sk.Name != name {
					t.Errorf("%s socket is named %q", name, sk.Name)
				}
			}
			// Each tcp port now refuses a second listener.
			if transport == "tcp" {
				for _, p := range []int{info.ShellPort, info.IOPubPort, info.StdinPort, info.ControlPort, info.HBPort} {
					if l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p))); err == nil {
						l.Close()
						t.Errorf("port %d is not bound", p)
					}
				}
			}
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
}

func TestBindPortInUse(t *testing.T) {
	info := tcpInfo(t)
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(info.StdinPort)))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s, err := conn.Bind(info, log.New(io.Discard, "", 0))
	if err == nil {
		s.Close()
		t.Fatal("Bind to a port in use: no error")
	}
	if !strings.Contains(err.Error(), "stdin") {
		t.Errorf("Bind error %q does not name the stdin socket", err)
	}
	// The sockets bound before the failure were released.
	for _, p := range []int{info.ShellPort, info.ControlPort} {
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			t.Errorf("port %d still bound after a failed Bind: %v", p, err)
			continue
		}
		l.Close()
	}
}

// recvWithin receives one message on s or fails after d.
func recvWithin(t *testing.T, s zmq4.Socket, d time.Duration) [][]byte {
	t.Helper()
	type result struct {
		m   zmq4.Msg
		err error
	}
	ch := make(chan result, 1)
	go func() {
		m, err := s.Recv()
		ch <- result{m, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("Recv: %v", r.err)
		}
		return r.m.Frames
	case <-time.After(d):
		t.Fatalf("no reply within %v", d)
		return nil
	}
}

func TestHeartbeatEcho(t *testing.T) {
	info := tcpInfo(t)
	s := bind(t, info)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		conn.Heartbeat(ctx, s.HB)
		close(done)
	}()

	clientCtx, stopClients := context.WithCancel(context.Background())
	defer stopClients()
	opts := []zmq4.Option{zmq4.WithTimeout(5 * time.Second), zmq4.WithDialerTimeout(5 * time.Second)}

	t.Run("REQ", func(t *testing.T) {
		req := zmq4.NewReq(clientCtx, opts...)
		defer req.Close()
		if err := req.Dial(info.Endpoint(info.HBPort)); err != nil {
			t.Fatal(err)
		}
		// Not an empty ping: zmq4's REP takes the last empty frame of a
		// request as the envelope's end, so an empty body is lost.
		for _, ping := range []string{"ping", "\x00binary\xff"} {
			if err := req.Send(zmq4.NewMsgString(ping)); err != nil {
				t.Fatal(err)
			}
			got := recvWithin(t, req, 5*time.Second)
			if want := [][]byte{[]byte(ping)}; !reflect.DeepEqual(got, want) {
				t.Errorf("echo of %q = %q", ping, got)
			}
		}
	})
	t.Run("DEALER", func(t *testing.T) {
		dealer := zmq4.NewDealer(clientCtx, opts...)
		defer dealer.Close()
		if err := dealer.Dial(info.Endpoint(info.HBPort)); err != nil {
			t.Fatal(err)
		}
		// A DEALER speaks to a REP with the empty envelope frame itself.
		for i, ping := range []string{"beat-1", "beat-2"} {
			if err := dealer.SendMulti(zmq4.NewMsgFrom([]byte{}, []byte(ping))); err != nil {
				t.Fatal(err)
			}
			got := recvWithin(t, dealer, 5*time.Second)
			if len(got) != 2 || len(got[0]) != 0 || string(got[1]) != ping {
				t.Errorf("echo #%d of %q = %q, want [\"\" %q]", i, ping, got, ping)
			}
		}
	})

	// Heartbeat returns once its context ends and the socket is closed.
	cancel()
	s.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Error("Heartbeat did not return after cancel and Close")
	}
}

// syncBuffer is a log destination the test reads while zmq4 writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestIOPubStalledSubscriber: a subscriber that stops reading loses its
// messages past the high-water mark, the kernel says so in its log, and a
// subscriber that reads still gets every message, in order.
func TestIOPubStalledSubscriber(t *testing.T) {
	info := tcpInfo(t)
	var logged syncBuffer
	s, err := conn.Bind(info, log.New(&logged, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	subscribe := func() zmq4.Socket {
		sub := zmq4.NewSub(ctx, zmq4.WithDialerTimeout(5*time.Second))
		if err := sub.Dial(info.Endpoint(info.IOPubPort)); err != nil {
			t.Fatal(err)
		}
		if err := sub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
			t.Fatal(err)
		}
		return sub
	}
	stalled, reader := subscribe(), subscribe()
	defer stalled.Close()
	defer reader.Close()
	deadline := time.Now().Add(10 * time.Second)
	for s.IOPub.Subscribers() < 2 || len(s.IOPub.Topics()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscribers, subscriptions %q", s.IOPub.Subscribers(), s.IOPub.Topics())
		}
		time.Sleep(10 * time.Millisecond)
	}

	// The topics are the union of both subscribers': the reader's own
	// subscription is in effect once a probe reaches it.
	const n, size = 3 * conn.IOPubHWM, 64 << 10
	var read atomic.Int64
	got := make(chan error, 1)
	probed := make(chan struct{})
	go func() {
		first := true
		for i := 0; i < n; {
			m, err := reader.Recv()
			if err != nil {
				got <- err
				return
			}
			if string(m.Frames[0]) == "probe" {
				if first {
					first = false
					close(probed)
				}
				continue
			}
			if seq, _ := strconv.Atoi(string(m.Frames[0])); seq != i {
				got <- fmt.Errorf("message %d arrived as number %d", seq, i)
				return
			}
			read.Add(1)
			i++
		}
		got <- nil
	}()
	for wait := time.Now().Add(10 * time.Second); ; {
		if err := s.IOPub.Send([][]byte{[]byte("probe"), nil}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-probed:
		case <-time.After(10 * time.Millisecond):
			if time.Now().After(wait) {
				t.Fatal("no probe reached the reading subscriber within 10s")
			}
			continue
		}
		break
	}
	body := make([]byte, size)
	for i := range n {
		// The reader keeps within half the high-water mark: only the
		// stalled one falls behind.
		for wait := time.Now().Add(30 * time.Second); int64(i)-read.Load() > conn.IOPubHWM/2; {
			if time.Now().After(wait) {
				t.Fatalf("the reader is stuck at %d of %d", read.Load(), i)
			}
			select {
			case err := <-got:
				t.Fatalf("the reader stopped at %d of %d: %v", read.Load(), i, err)
			default:
			}
			time.Sleep(time.Millisecond)
		}
		if err := s.IOPub.Send([][]byte{[]byte(strconv.Itoa(i)), body}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the reading subscriber did not get every message within 30s")
	}
	if s.IOPub.Dropped() == 0 {
		t.Errorf("nothing dropped for a subscriber that read none of %d messages", n)
	}
	if !strings.Contains(logged.String(), "is not reading") {
		t.Errorf("no drop in the log:\n%s", logged.String())
	}
}
