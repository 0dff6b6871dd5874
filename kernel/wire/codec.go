package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// Delimiter separates routing identities from the message proper.
var Delimiter = []byte("<IDS|MSG>")

// Errors Decode returns; each is wrapped with detail.
var (
	ErrNoDelimiter  = errors.New("no <IDS|MSG> delimiter")
	ErrShort        = errors.New("too few frames after the delimiter")
	ErrUnsigned     = errors.New("message is not signed")
	ErrBadSignature = errors.New("bad signature")
	ErrReplayed     = errors.New("signature seen before (replayed message)")
	ErrBadJSON      = errors.New("malformed JSON")
)

// Decode parses the frames of one multipart message, checks its signature
// with s and validates that header, parent header, metadata and content are
// JSON objects and that the header names a msg_type and msg_id. It never
// panics, whatever the frames hold.
func Decode(frames [][]byte, s *Signer) (*Message, error) {
	i := 0
	for i < len(frames) && !bytes.Equal(frames[i], Delimiter) {
		i++
	}
	if i == len(frames) {
		return nil, fmt.Errorf("decode %d frames: %w", len(frames), ErrNoDelimiter)
	}
	rest := frames[i+1:]
	if len(rest) < 5 {
		return nil, fmt.Errorf("decode: %d frames after delimiter, want 5: %w", len(rest), ErrShort)
	}
	sig, header, parent, meta, content := rest[0], rest[1], rest[2], rest[3], rest[4]
	if err := s.verify(sig, header, parent, meta, content); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	m := &Message{
		// A slice of its own: frames[:i] would keep every frame of the
		// request (a huge content too) alive as long as a reply's
		// identities.
		Identities: slices.Clone(frames[:i]),
		RawHeader:  json.RawMessage(header),
		Parent:     json.RawMessage(parent),
		Metadata:   json.RawMessage(meta),
		Content:    json.RawMessage(content),
		Buffers:    rest[5:],
	}
	for _, part := range []struct {
		name string
		raw  []byte
	}{{"header", header}, {"parent_header", parent}, {"metadata", meta}, {"content", content}} {
		if !isObject(part.raw) {
			return nil, fmt.Errorf("decode %s: not a JSON object: %w", part.name, ErrBadJSON)
		}
	}
	if err := json.Unmarshal(header, &m.Header); err != nil {
		return nil, fmt.Errorf("decode header: %w: %v", ErrBadJSON, err)
	}
	if m.Header.MsgType == "" || m.Header.MsgID == "" {
		return nil, fmt.Errorf("decode header: msg_type and msg_id are required: %w", ErrBadJSON)
	}
	return m, nil
}

// isObject reports whether raw is valid JSON whose top level is an object.
func isObject(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{' && json.Valid(raw)
}

// Encode returns the frames of m, signed with s: identities, delimiter,
// signature, header, parent header, metadata, content, buffers. It also sets
// m.RawHeader to the encoded header.
func Encode(m *Message, s *Signer) ([][]byte, error) {
	header, err := json.Marshal(m.Header)
	if err != nil {
		return nil, fmt.Errorf("encode header: %w", err)
	}
	m.RawHeader = header
	parent, meta, content := orEmpty(m.Parent), orEmpty(m.Metadata), orEmpty(m.Content)
	sig := s.Sign(header, parent, meta, content)
	frames := make([][]byte, 0, len(m.Identities)+7+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames, Delimiter, []byte(sig), header, parent, meta, content)
	frames = append(frames, m.Buffers...)
	return frames, nil
}

func orEmpty(raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return []byte("{}")
	}
	return raw
}
