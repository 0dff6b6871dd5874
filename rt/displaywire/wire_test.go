package displaywire

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Message // zero: an error
	}{
		{`{"type":"display_data","data":{"text/plain":"x"},"pid":7}`,
			Message{Type: TypeDisplayData, Data: map[string]any{"text/plain": "x"}, Metadata: map[string]any{}, Pid: 7}},
		{`{"type":"update_display_data","data":{},"transient":{"display_id":"a"},"pid":7}`,
			Message{Type: TypeUpdateDisplayData, Data: map[string]any{}, Metadata: map[string]any{}, Transient: map[string]any{"display_id": "a"}, Pid: 7}},
		{`{"type":"clear_output","wait":true,"pid":7,"extra":1}`,
			Message{Type: TypeClearOutput, Wait: true, Pid: 7}},
		{`{"type":"file","path":"/tmp/gosys-display-123.json","pid":7}`,
			Message{Type: TypeFile, Path: "/tmp/gosys-display-123.json", Pid: 7}},
		{`{"type":"update_display_data","data":{},"pid":7}`, Message{}},
		{`{"type":"stream","pid":7}`, Message{}},
		{`{"type":"display_data","data":{}}`, Message{}},
		{`{"type":"file","path":"/etc/passwd","pid":7}`, Message{}},
		{`{"type":"file","path":"/tmp/../etc/gosys-display-1.json","pid":7}`, Message{}},
		{`{"type":"file","path":"gosys-display-1.json","pid":7}`, Message{}},
		{`{"type":"display_data","data":[1],"pid":7}`, Message{}},
		{`not json`, Message{}},
	} {
		got, err := Decode([]byte(tc.in))
		if tc.want.Type == "" {
			if err == nil {
				t.Errorf("Decode(%s) = %+v; want an error", tc.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Decode(%s) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// socketPair returns the sender's and the reader's ends of a display socket.
func socketPair(t *testing.T) (send, recv int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

func TestSendSmallAndLarge(t *testing.T) {
	send, recv := socketPair(t)
	for _, size := range []int{10, MaxDatagram - 1000, MaxDatagram + 1, 3 << 20} {
		m := Message{Type: TypeDisplayData, Data: map[string]any{"text/plain": strings.Repeat("x", size)}, Metadata: map[string]any{}, Pid: 9}
		sent := make(chan error, 1)
		go func() { sent <- Send(send, m) }()
		got, ack, err := Receive(recv)
		if err != nil {
			t.Fatal(err)
		}
		ack()
		// Send returns only after the ack: it must not be stuck in its wait.
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("size %d: received a different message", size)
		}
	}
}

// TestSendWaitsForAck checks that Send does not return before the reader
// acknowledged the message: that is what keeps displays and stdout in order.
func TestSendWaitsForAck(t *testing.T) {
	send, recv := socketPair(t)
	sent := make(chan error, 1)
	go func() {
		sent <- Send(send, Message{Type: TypeClearOutput, Pid: 1})
	}()
	_, ack, err := Receive(recv)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-sent:
		t.Fatal("Send returned before the message was acknowledged")
	case <-time.After(100 * time.Millisecond):
	}
	ack()
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
}

func TestReadFileMessage(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	nested := write("gosys-display-1.json", `{"type":"file","path":"/tmp/gosys-display-2.json","pid":3}`)
	if _, err := ReadFileMessage(nested); err == nil {
		t.Error("a file message inside a file was accepted")
	}
	other := write("notes.txt", `{"type":"clear_output","pid":3}`)
	if _, err := ReadFileMessage(other); err == nil {
		t.Error("a file Send cannot have made was accepted")
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("refused file was touched: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"type":"display_data","data":{"text/html":"<b>x</b>","text/plain":"x"},"metadata":{},"pid":1}`,
		`{"type":"update_display_data","data":{"a":1},"transient":{"display_id":"d"},"pid":2}`,
		`{"type":"clear_output","wait":true,"pid":3}`,
		`{"type":"file","path":"/tmp/gosys-display-1.json","pid":4}`,
		`{}`, `[]`, `null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, datagram []byte) {
		m, err := Decode(datagram)
		if err != nil {
			return
		}
		b, err := Encode(m)
		if err != nil {
			t.Fatalf("Encode of a decoded message: %v", err)
		}
		m2, err := Decode(b)
		if err != nil {
			t.Fatalf("Decode of an encoded message: %v", err)
		}
		b2, err := Encode(m2)
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("encoding not stable: %s then %s (%v)", b, b2, err)
		}
	})
}
