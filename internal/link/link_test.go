package link

import (
	"encoding/binary"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func pair(t testing.TB) (*Conn, *Conn) {
	t.Helper()
	a, b, err := Pair()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

func TestRoundTrip(t *testing.T) {
	a, b := pair(t)
	big := strings.Repeat("x", 3<<20) // larger than one read
	go func() {
		a.Send(TypeExecute, 7, Execute{Cell: 3, Code: "1 + 2"})
		a.Send(TypeInterrupt, 0, nil)
		a.Send(TypeExecute, 8, Execute{Cell: 4, Code: big})
	}()
	m, err := b.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var e Execute
	if m.Type != TypeExecute || m.ID != 7 || m.Decode(&e) != nil || e.Code != "1 + 2" || e.Cell != 3 {
		t.Fatalf("got %+v %+v", m, e)
	}
	if m, err = b.Recv(); err != nil || m.Type != TypeInterrupt || m.ID != 0 {
		t.Fatalf("got %+v, %v", m, err)
	}
	if err := m.Decode(&e); err == nil {
		t.Fatal("Decode of a message without a body succeeded")
	}
	if m, err = b.Recv(); err != nil || m.Decode(&e) != nil || len(e.Code) != len(big) {
		t.Fatalf("big message: %v", err)
	}
	a.Close()
	if _, err := b.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("after close: %v, want EOF", err)
	}
}

func TestDescriptors(t *testing.T) {
	a, b := pair(t)
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	go func() {
		a.Send(TypeHello, 0, Hello{Pid: 1})
		a.Send(TypeStdin, 0, nil, p[0])
		a.Send(TypeHello, 0, Hello{Pid: 2})
	}()
	if m, err := b.Recv(); err != nil || len(m.FDs) != 0 {
		t.Fatalf("%+v %v", m, err)
	}
	m, err := b.Recv()
	if err != nil || m.Type != TypeStdin || len(m.FDs) != 1 {
		t.Fatalf("%+v %v", m, err)
	}
	// The received descriptor is the pipe's read end, close-on-exec.
	if _, err := unix.Write(p[1], []byte("hi")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2)
	if n, err := unix.Read(m.FDs[0], buf); n != 2 || err != nil || string(buf) != "hi" {
		t.Fatalf("read passed fd: %d %v %q", n, err, buf)
	}
	if flags, _ := unix.FcntlInt(uintptr(m.FDs[0]), unix.F_GETFD, 0); flags&unix.FD_CLOEXEC == 0 {
		t.Error("passed descriptor is not close-on-exec")
	}
	unix.Close(m.FDs[0])
	if m, err := b.Recv(); err != nil || len(m.FDs) != 0 {
		t.Fatalf("%+v %v", m, err)
	}
}

func TestRefusesHugeFrameBeforeAllocating(t *testing.T) {
	a, b := pair(t)
	hdr := binary.BigEndian.AppendUint32(nil, MaxFrame+1)
	if _, err := unix.Write(a.FD(), hdr); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Recv(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if err := a.Send(TypeHello, 0, strings.Repeat("y", MaxFrame)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Send of a huge body: %v", err)
	}
}

func TestBadFrames(t *testing.T) {
	cases := map[string][]byte{
		"not json":        frame([]byte("{nope")),
		"no type":         frame([]byte(`{"id":3}`)),
		"fds not sent":    frame([]byte(`{"type":"stdin","nfds":1}`)),
		"negative fds":    frame([]byte(`{"type":"stdin","nfds":-1}`)),
		"truncated frame": frame([]byte(`{"type":"hello"}`))[:9],
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			a, b := pair(t)
			if _, err := unix.Write(a.FD(), raw); err != nil {
				t.Fatal(err)
			}
			a.Close()
			if m, err := b.Recv(); err == nil || errors.Is(err, io.EOF) {
				t.Fatalf("got %+v, %v; want an error", m, err)
			}
		})
	}
}

func frame(body []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

// FuzzRecv feeds arbitrary bytes to a receiving end: it must return
// messages or an error, never panic, hang or allocate a claimed size.
func FuzzRecv(f *testing.F) {
	f.Add(frame([]byte(`{"type":"execute","id":1,"body":{"cell":1,"code":"1"}}`)))
	f.Add(append(frame([]byte(`{"type":"hello"}`)), frame([]byte(`{"type":"result","id":2,"body":{"error":{"ename":"x"}}}`))...))
	f.Add(binary.BigEndian.AppendUint32(nil, 1<<31))
	f.Add([]byte{0, 0, 0, 2, '{', '}'})
	f.Add(frame([]byte(`{"type":"stdin","nfds":3}`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Skip(err)
		}
		w := os.NewFile(uintptr(fds[0]), "w")
		b := New(fds[1])
		defer b.Close()
		go func() {
			w.Write(data)
			w.Close()
		}()
		for range 1000 {
			m, err := b.Recv()
			if err != nil {
				return
			}
			var e Execute
			_ = m.Decode(&e)
		}
	})
}
