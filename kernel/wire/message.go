// Package wire turns ZeroMQ multipart frames into signed Jupyter messages and
// back. It does no I/O: the conn package moves frames, the dispatcher acts on
// messages.
package wire

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"
)

// ProtocolVersion is the Jupyter messaging protocol version the kernel speaks.
const ProtocolVersion = "5.5"

// Header is a Jupyter message header. Unknown fields a client sends are kept
// in the raw form of the message (see Message.RawHeader) so replies echo them.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"`
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one Jupyter message. Content and Metadata are kept as raw JSON
// so that a handler decodes only what it needs.
type Message struct {
	// Identities are the ZeroMQ routing frames before the <IDS|MSG> delimiter.
	Identities [][]byte
	Header     Header
	// RawHeader is the header exactly as received (or as encoded), used as the
	// parent_header of replies.
	RawHeader json.RawMessage
	// Parent is the raw parent_header ("{}" when there is none).
	Parent   json.RawMessage
	Metadata json.RawMessage
	Content  json.RawMessage
	Buffers  [][]byte
}

// NewHeader returns a header for a new message of msgType in session, with a
// fresh random msg_id and the current time in ISO 8601 (UTC, microseconds).
func NewHeader(msgType, session string) Header {
	return Header{
		MsgID:    NewID(),
		Session:  session,
		Username: "gosys",
		Date:     time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"),
		MsgType:  msgType,
		Version:  ProtocolVersion,
	}
}

// NewID returns a random 128-bit identifier in hex, as used for msg_id and
// session ids.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux.
	return hex.EncodeToString(b[:])
}

// Lean returns a copy of m without its content, metadata and buffers:
// what a reply or an iopub message needs of its parent (identities and
// header), cheap to keep while a huge request is long gone.
func (m *Message) Lean() *Message {
	return &Message{Identities: m.Identities, Header: m.Header, RawHeader: m.RawHeader}
}

// NewMessage builds a message of msgType whose parent is parent (nil for a
// message with no parent): same identities and session as parent, and
// parent_header = parent's raw header. The publisher replaces the identities
// with a topic for iopub.
func NewMessage(parent *Message, msgType string, content any) (*Message, error) {
	body, err := json.Marshal(content)
	if err != nil {
		return nil, err
	}
	m := &Message{Content: body, Metadata: json.RawMessage("{}"), Parent: json.RawMessage("{}")}
	session := NewID()
	if parent != nil {
		m.Identities = parent.Identities
		m.Parent = parent.RawHeader
		session = parent.Header.Session
	}
	m.Header = NewHeader(msgType, session)
	return m, nil
}
