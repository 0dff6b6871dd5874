package tracewire

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

func TestEncodeDecode(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)
	for _, c := range []struct {
		name     string
		in       Event
		wantData string
	}{
		{"read", Event{Pid: 7, Start: t0, End: t0.Add(time.Millisecond), Call: "read", FD: 3, Ret: 6, Object: "pipe:[1]", Data: "hello\n"}, "hello\n"},
		{"long data clipped", Event{Pid: 7, Start: t0, End: t0, Call: "write", FD: 4, Ret: 40, Data: strings.Repeat("ab", 20)}, strings.Repeat("ab", 16)},
		{"rune not cut", Event{Pid: 7, Start: t0, End: t0, Call: "write", Data: strings.Repeat("a", 31) + "é"}, strings.Repeat("a", 31)},
		{"invalid utf-8", Event{Pid: 7, Start: t0, End: t0, Call: "write", Data: "\xff\xfeok"}, "..ok"},
		{"socket", Event{Pid: 9, Start: t0, End: t0, Call: "accept", FD: 3, Ret: 4, Local: "127.0.0.1:80", Peer: "127.0.0.1:5000"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := Encode(c.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			want := c.in
			want.Data = c.wantData
			if !got.Start.Equal(want.Start) || !got.End.Equal(want.End) {
				t.Errorf("times %v %v, want %v %v", got.Start, got.End, want.Start, want.End)
			}
			got.Start, got.End, want.Start, want.End = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if got != want {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, in := range []string{
		``, `[]`, `{"pid":1,"call":"fork"`, `{"pid":0,"call":"read"}`, `{"pid":1,"call":"ioctl"}`,
		`{"pid":1,"call":"read","start":"2026-01-01T00:00:01Z","end":"2026-01-01T00:00:00Z"}`,
		`{"pid":1,"call":"read","data":"` + strings.Repeat("x", 33) + `"}`,
		`{"pid":1,"call":"read","start":"yesterday"}`,
	} {
		if e, err := Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) = %+v, want an error", in, e)
		}
	}
	if _, err := Decode([]byte(`{"pid":1,"call":"read","x":` + strings.Repeat(" ", MaxDatagram) + `1}`)); err == nil {
		t.Error("Decode accepted a datagram longer than MaxDatagram")
	}
}

// TestEmit sends through a real socket pair, and stops sending once the
// reading end is gone.
func TestEmit(t *testing.T) {
	sp, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(sp[1])
	Emit(Event{Call: "close", Start: time.Now(), End: time.Now()}) // no trace: nothing, no panic
	SetFD(sp[1])
	defer SetFD(-1)
	now := time.Now()
	Emit(Event{Call: "close", FD: 5, Start: now, End: now})
	buf := make([]byte, MaxDatagram)
	n, err := unix.Read(sp[0], buf)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Decode(buf[:n])
	if err != nil || e.Call != "close" || e.FD != 5 || e.Pid != unix.Getpid() {
		t.Fatalf("received %+v, %v", e, err)
	}
	unix.Close(sp[0])
	Emit(Event{Call: "close", Start: now, End: now})
	if Active() {
		t.Error("still tracing after the tracer's end closed")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"pid":1,"start":"2026-11-25T10:00:00Z","end":"2026-11-25T10:00:00.5Z","call":"read","fd":3,"ret":2,"data":"hi"}`))
	f.Add([]byte(`{"pid":1,"call":"wait","status":"exited 3"}`))
	f.Add([]byte(`{"pid":-1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := Decode(b)
		if err != nil {
			return
		}
		// What Decode accepts, Encode takes and Decode reads back the same.
		again, err := Encode(e)
		if err != nil {
			t.Fatalf("Encode of a decoded event: %v", err)
		}
		e2, err := Decode(again)
		if err != nil {
			t.Fatalf("Decode(Encode(e)): %v", err)
		}
		if e2.Call != e.Call || e2.Pid != e.Pid || e2.Ret != e.Ret || (utf8.ValidString(e.Data) && e2.Data != e.Data) {
			t.Fatalf("round trip changed %+v into %+v", e, e2)
		}
	})
}
