// Package displaywire is the format of the display messages rt sends to the
// kernel: one JSON object per datagram on a SOCK_SEQPACKET unix socket whose
// descriptor number is in the environment variable named by EnvFD.
//
// A message too long for one datagram travels in a temporary file; the
// datagram then is a message of type TypeFile naming it, and the reader
// deletes the file after reading it (ReadFileMessage).
package displaywire

import (
	"encoding/json"
	"errors"
	"fmt"
	"gosys/internal/fdspace"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// EnvFD names the environment variable holding the number of the display
// socket's descriptor. A forked child inherits the descriptor under the same
// number.
const EnvFD = "GOSYS_DISPLAY_FD"

// MaxDatagram is the longest datagram Send writes; a reader's buffer of this
// size holds any of them.
const MaxDatagram = 200 << 10

// tempPattern names the temporary files of oversized messages.
const tempPattern = "gosys-display-*.json"

// Message types, as in the Jupyter message of the same name, plus TypeFile.
const (
	TypeDisplayData       = "display_data"
	TypeUpdateDisplayData = "update_display_data"
	TypeClearOutput       = "clear_output"
	TypeFile              = "file" // the message is in the file at Path
)

// Message is one display message. Data, Metadata and Transient are the
// fields of the Jupyter message of type Type; Pid is the sending process.
type Message struct {
	Type      string         `json:"type"`
	Data      map[string]any `json:"data,omitempty"`      // mime type → value; image/png is base64
	Metadata  map[string]any `json:"metadata,omitempty"`  // display and update messages
	Transient map[string]any `json:"transient,omitempty"` // {"display_id": id} when there is one
	Wait      bool           `json:"wait,omitempty"`      // clear_output only
	Path      string         `json:"path,omitempty"`      // file only
	Pid       int            `json:"pid"`
}

// Encode returns m as one JSON object after checking it as Decode does.
func Encode(m Message) ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// Decode parses and checks one datagram. Display and update messages come
// with non-nil Data and Metadata, as Jupyter wants them. A TypeFile message
// is returned as is; pass its Path to ReadFileMessage.
func Decode(datagram []byte) (Message, error) {
	var m Message
	if err := json.Unmarshal(datagram, &m); err != nil {
		return Message{}, fmt.Errorf("display message: %w", err)
	}
	if err := m.validate(); err != nil {
		return Message{}, err
	}
	if m.Type == TypeDisplayData || m.Type == TypeUpdateDisplayData {
		if m.Data == nil {
			m.Data = map[string]any{}
		}
		if m.Metadata == nil {
			m.Metadata = map[string]any{}
		}
	}
	return m, nil
}

// ReadFileMessage reads the message a TypeFile datagram names, deletes the
// file, and returns the message, which is never itself of TypeFile. It
// refuses any path Send cannot have made.
func ReadFileMessage(path string) (Message, error) {
	if err := checkPath(path); err != nil {
		return Message{}, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Message{}, fmt.Errorf("display message: %w", err)
	}
	if err := os.Remove(path); err != nil {
		return Message{}, fmt.Errorf("display message: %w", err)
	}
	m, err := Decode(b)
	if err == nil && m.Type == TypeFile {
		err = errors.New("display message: file message inside a file")
	}
	return m, err
}

// Send writes m to the display socket fd as one datagram, or, when it is
// longer than MaxDatagram or the socket refuses it as too long, writes it to
// a temporary file and sends a TypeFile message naming it. A full socket
// makes Send wait.
func Send(fd int, m Message) error {
	b, err := Encode(m)
	if err != nil {
		return err
	}
	if len(b) <= MaxDatagram {
		err := write(fd, b)
		if !errors.Is(err, unix.EMSGSIZE) {
			return err
		}
	}
	f, err := os.CreateTemp("", tempPattern)
	if err != nil {
		return fmt.Errorf("display message: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		b, err = Encode(Message{Type: TypeFile, Path: f.Name(), Pid: m.Pid})
	}
	if err == nil {
		err = write(fd, b)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("display message: %w", err)
	}
	return nil
}

// ackTimeout bounds how long Send waits for the kernel to publish a message.
const ackTimeout = 5 * time.Second

// write sends one datagram and waits until the reader has handled it, so
// that what the sender writes to its stdout afterwards cannot overtake the
// display in the notebook. The datagram carries the write end of a fresh
// pipe (SCM_RIGHTS); the reader closes it once the message is published,
// and the sender sees the pipe hang up. A reader that never does costs the
// sender ackTimeout, not a hang.
func write(fd int, b []byte) error {
	var ack [2]int
	if err := unix.Pipe2(ack[:], unix.O_CLOEXEC); err != nil {
		return fmt.Errorf("display message ack pipe: %w", err)
	}
	defer unix.Close(ack[0])
	rights := unix.UnixRights(ack[1])
	for {
		err := unix.Sendmsg(fd, b, rights, nil, 0)
		if err == unix.EINTR {
			continue
		}
		unix.Close(ack[1])
		if err != nil {
			return fmt.Errorf("send display message on fd %d: %w", fd, err)
		}
		break
	}
	deadline := time.Now().Add(ackTimeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil
		}
		fds := []unix.PollFd{{Fd: int32(ack[0]), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, int(left.Milliseconds())+1); err == unix.EINTR {
			continue
		}
		return nil
	}
}

func (m Message) validate() error {
	switch m.Type {
	case TypeDisplayData:
	case TypeUpdateDisplayData:
		if id, ok := m.Transient["display_id"].(string); !ok || id == "" {
			return errors.New("display message: update_display_data without transient.display_id")
		}
	case TypeClearOutput:
	case TypeFile:
		if err := checkPath(m.Path); err != nil {
			return err
		}
	default:
		return fmt.Errorf("display message: unknown type %q", m.Type)
	}
	if m.Pid <= 0 {
		return fmt.Errorf("display message: bad pid %d", m.Pid)
	}
	return nil
}

// checkPath accepts only the clean absolute name of a file Send creates.
func checkPath(path string) error {
	prefix, suffix, _ := strings.Cut(tempPattern, "*")
	base := filepath.Base(path)
	if !filepath.IsAbs(path) || filepath.Clean(path) != path ||
		!strings.HasPrefix(base, prefix) || !strings.HasSuffix(base, suffix) || len(base) <= len(prefix)+len(suffix) {
		return fmt.Errorf("display message: refusing file path %q", path)
	}
	return nil
}

// ErrSocket wraps a failure of the display socket itself, after which
// Receive will not succeed again (unlike a malformed message).
var ErrSocket = errors.New("display socket")

// Receive reads one message from the reader's end fd, following a TypeFile
// message to its file; io.EOF when every sender is gone. The caller must call ack once the message is
// published (or dropped): the sender waits for it. ack is never nil, even
// with an error, when a datagram was read.
func Receive(fd int) (m Message, ack func(), err error) {
	buf := make([]byte, MaxDatagram+1)
	oob := make([]byte, unix.CmsgSpace(4*8))
	var n, oobn int
	for {
		n, oobn, _, _, err = unix.Recvmsg(fd, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return Message{}, func() {}, fmt.Errorf("%w: receive on fd %d: %w", ErrSocket, fd, err)
	}
	if n == 0 && oobn == 0 {
		return Message{}, func() {}, io.EOF
	}
	acks, _ := fdspace.Rights(oob[:oobn])
	ack = func() {
		for _, a := range acks {
			unix.Close(a)
		}
	}
	m, err = Decode(buf[:n])
	if err == nil && m.Type == TypeFile {
		m, err = ReadFileMessage(m.Path)
	}
	return m, ack, err
}
