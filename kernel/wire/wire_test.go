package wire_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"gosys/kernel/wire"
)

const testKey = "8f2a6c1e-5d4b-4e0f-9a7b-3c2d1e0f9a8b"

// golden is testdata/signatures.json, written by testdata/gen_signatures.py.
type golden struct {
	Command string `json:"command"`
	Key     string `json:"key"`
	Vectors []struct {
		Name      string `json:"name"`
		Header    string `json:"header"`
		Parent    string `json:"parent"`
		Metadata  string `json:"metadata"`
		Content   string `json:"content"`
		Signature string `json:"signature"`
	} `json:"vectors"`
}

func loadGolden(t *testing.T) golden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "signatures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("testdata/signatures.json: %v", err)
	}
	if len(g.Vectors) == 0 {
		t.Fatal("testdata/signatures.json has no vectors")
	}
	return g
}

// TestGoldenSignatures checks Sign and Decode against signatures computed by
// Python's hmac module.
func TestGoldenSignatures(t *testing.T) {
	g := loadGolden(t)
	for _, v := range g.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			parts := [][]byte{[]byte(v.Header), []byte(v.Parent), []byte(v.Metadata), []byte(v.Content)}
			if got := wire.NewSigner([]byte(g.Key)).Sign(parts...); got != v.Signature {
				t.Errorf("Sign = %s, want %s", got, v.Signature)
			}
			frames := append([][]byte{[]byte("client-id"), wire.Delimiter, []byte(v.Signature)}, parts...)
			m, err := wire.Decode(frames, wire.NewSigner([]byte(g.Key)))
			if err != nil {
				t.Fatalf("Decode of a golden message: %v", err)
			}
			if !bytes.Equal(m.RawHeader, parts[0]) || !bytes.Equal(m.Parent, parts[1]) ||
				!bytes.Equal(m.Metadata, parts[2]) || !bytes.Equal(m.Content, parts[3]) {
				t.Errorf("Decode changed the raw parts: %+v", m)
			}

			// Any change to the signed bytes or to the signature is refused.
			sig := []byte(v.Signature)
			sig[0] ^= 1
			frames[2] = sig
			if _, err := wire.Decode(frames, wire.NewSigner([]byte(g.Key))); !errors.Is(err, wire.ErrBadSignature) {
				t.Errorf("Decode with a flipped signature byte: err = %v, want ErrBadSignature", err)
			}
			frames[2] = []byte(v.Signature)
			frames[6] = append([]byte(v.Content[:len(v.Content)-1]), ' ', '}')
			if _, err := wire.Decode(frames, wire.NewSigner([]byte(g.Key))); !errors.Is(err, wire.ErrBadSignature) {
				t.Errorf("Decode with altered content: err = %v, want ErrBadSignature", err)
			}
			if _, err := wire.Decode(frames[:7], wire.NewSigner([]byte("another key"))); !errors.Is(err, wire.ErrBadSignature) {
				t.Errorf("Decode with another key: err = %v, want ErrBadSignature", err)
			}
		})
	}
}

// frames returns the frames of a message with the given parts, signed with
// key (unsigned when key is empty), after ids.
func frames(key string, ids []string, header, parent, meta, content string, buffers ...string) [][]byte {
	var out [][]byte
	for _, id := range ids {
		out = append(out, []byte(id))
	}
	sig := wire.NewSigner([]byte(key)).Sign([]byte(header), []byte(parent), []byte(meta), []byte(content))
	out = append(out, wire.Delimiter, []byte(sig), []byte(header), []byte(parent), []byte(meta), []byte(content))
	for _, b := range buffers {
		out = append(out, []byte(b))
	}
	return out
}

const goodHeader = `{"msg_id":"id-1","session":"sess","username":"u","date":"2024-01-01T00:00:00Z","msg_type":"execute_request","version":"5.3","extra":true}`

func TestDecode(t *testing.T) {
	cases := []struct {
		name    string
		key     string // the decoding signer's key
		frames  [][]byte
		wantErr error
		check   func(t *testing.T, m *wire.Message)
	}{
		{
			name:   "identities kept",
			key:    testKey,
			frames: frames(testKey, []string{"router-id", "", "\x00\x01"}, goodHeader, "{}", "{}", `{"code":"1"}`),
			check: func(t *testing.T, m *wire.Message) {
				want := [][]byte{[]byte("router-id"), {}, {0, 1}}
				if !reflect.DeepEqual(m.Identities, want) {
					t.Errorf("Identities = %q, want %q", m.Identities, want)
				}
				wantH := wire.Header{MsgID: "id-1", Session: "sess", Username: "u", Date: "2024-01-01T00:00:00Z",
					MsgType: "execute_request", Version: "5.3"}
				if m.Header != wantH {
					t.Errorf("Header = %+v, want %+v", m.Header, wantH)
				}
				if string(m.RawHeader) != goodHeader {
					t.Errorf("RawHeader = %s, want the header as received (unknown fields kept)", m.RawHeader)
				}
				if string(m.Content) != `{"code":"1"}` || string(m.Parent) != "{}" || string(m.Metadata) != "{}" {
					t.Errorf("parts = %s %s %s", m.Parent, m.Metadata, m.Content)
				}
				if len(m.Buffers) != 0 {
					t.Errorf("Buffers = %q, want none", m.Buffers)
				}
			},
		},
		{
			name:   "no identities",
			key:    testKey,
			frames: frames(testKey, nil, goodHeader, "{}", "{}", "{}"),
			check: func(t *testing.T, m *wire.Message) {
				if len(m.Identities) != 0 {
					t.Errorf("Identities = %q, want none", m.Identities)
				}
			},
		},
		{
			name:   "buffers passed through",
			key:    testKey,
			frames: frames(testKey, []string{"id"}, goodHeader, "{}", "{}", "{}", "buf0", "", "<IDS|MSG>", "\xff\xfe"),
			check: func(t *testing.T, m *wire.Message) {
				want := [][]byte{[]byte("buf0"), {}, []byte("<IDS|MSG>"), {0xff, 0xfe}}
				if !reflect.DeepEqual(m.Buffers, want) {
					t.Errorf("Buffers = %q, want %q", m.Buffers, want)
				}
			},
		},
		{
			name:   "first delimiter splits identities from the message",
			key:    testKey,
			frames: append([][]byte{[]byte("a")}, frames(testKey, []string{"b"}, goodHeader, "{}", "{}", "{}")...),
			check: func(t *testing.T, m *wire.Message) {
				if want := [][]byte{[]byte("a"), []byte("b")}; !reflect.DeepEqual(m.Identities, want) {
					t.Errorf("Identities = %q, want %q", m.Identities, want)
				}
			},
		},
		{
			name:   "whitespace around JSON objects",
			key:    testKey,
			frames: frames(testKey, nil, " \n"+goodHeader+"\t", " {} ", "\n{}\n", " { \"a\" : [1] } "),
		},
		{
			name:   "empty key accepts unsigned",
			key:    "",
			frames: frames("", []string{"id"}, goodHeader, "{}", "{}", "{}"),
		},
		{
			name:   "empty key accepts a signed message without checking",
			key:    "",
			frames: frames("some other key", []string{"id"}, goodHeader, "{}", "{}", "{}"),
		},
		{name: "no frames", key: testKey, frames: nil, wantErr: wire.ErrNoDelimiter},
		{
			name:    "delimiter missing",
			key:     testKey,
			frames:  [][]byte{[]byte("id"), []byte("<IDS|MSG"), []byte(""), []byte(goodHeader), []byte("{}"), []byte("{}"), []byte("{}")},
			wantErr: wire.ErrNoDelimiter,
		},
		{
			name:    "delimiter with a trailing byte is not the delimiter",
			key:     "",
			frames:  [][]byte{[]byte("<IDS|MSG>\x00"), []byte(""), []byte(goodHeader), []byte("{}"), []byte("{}"), []byte("{}")},
			wantErr: wire.ErrNoDelimiter,
		},
		{
			name:    "too few frames",
			key:     testKey,
			frames:  frames(testKey, []string{"id"}, goodHeader, "{}", "{}", "{}")[:6],
			wantErr: wire.ErrShort,
		},
		{
			name:    "only the delimiter",
			key:     "",
			frames:  [][]byte{wire.Delimiter},
			wantErr: wire.ErrShort,
		},
		{
			name:    "bad signature",
			key:     testKey,
			frames:  frames("wrong key", []string{"id"}, goodHeader, "{}", "{}", "{}"),
			wantErr: wire.ErrBadSignature,
		},
		{
			name:    "signature of other content",
			key:     testKey,
			frames:  withFrame(frames(testKey, nil, goodHeader, "{}", "{}", "{}"), 1, sign(testKey, goodHeader, "{}", "{}", `{"a":1}`)),
			wantErr: wire.ErrBadSignature,
		},
		{
			name:    "signature in upper-case hex",
			key:     testKey,
			frames:  withFrame(frames(testKey, nil, goodHeader, "{}", "{}", "{}"), 1, bytes.ToUpper([]byte(sign(testKey, goodHeader, "{}", "{}", "{}")))),
			wantErr: wire.ErrBadSignature,
		},
		{
			name:    "unsigned with key",
			key:     testKey,
			frames:  frames("", []string{"id"}, goodHeader, "{}", "{}", "{}"),
			wantErr: wire.ErrUnsigned,
		},
		{name: "header is an array", key: testKey, frames: frames(testKey, nil, `[]`, "{}", "{}", "{}"), wantErr: wire.ErrBadJSON},
		{name: "header is a string", key: testKey, frames: frames(testKey, nil, `"x"`, "{}", "{}", "{}"), wantErr: wire.ErrBadJSON},
		{name: "header is empty", key: testKey, frames: frames(testKey, nil, ``, "{}", "{}", "{}"), wantErr: wire.ErrBadJSON},
		{name: "parent is null", key: testKey, frames: frames(testKey, nil, goodHeader, "null", "{}", "{}"), wantErr: wire.ErrBadJSON},
		{name: "parent is empty", key: testKey, frames: frames(testKey, nil, goodHeader, "", "{}", "{}"), wantErr: wire.ErrBadJSON},
		{name: "metadata is a number", key: testKey, frames: frames(testKey, nil, goodHeader, "{}", "1", "{}"), wantErr: wire.ErrBadJSON},
		{name: "content is true", key: testKey, frames: frames(testKey, nil, goodHeader, "{}", "{}", "true"), wantErr: wire.ErrBadJSON},
		{name: "content truncated", key: testKey, frames: frames(testKey, nil, goodHeader, "{}", "{}", `{"code":`), wantErr: wire.ErrBadJSON},
		{name: "content with trailing data", key: testKey, frames: frames(testKey, nil, goodHeader, "{}", "{}", `{} {}`), wantErr: wire.ErrBadJSON},
		{name: "header not JSON", key: "", frames: frames("", nil, `{msg_id: 1}`, "{}", "{}", "{}"), wantErr: wire.ErrBadJSON},
		{
			name:    "missing msg_type",
			key:     testKey,
			frames:  frames(testKey, nil, `{"msg_id":"1","session":"s"}`, "{}", "{}", "{}"),
			wantErr: wire.ErrBadJSON,
		},
		{
			name:    "missing msg_id",
			key:     testKey,
			frames:  frames(testKey, nil, `{"msg_type":"kernel_info_request"}`, "{}", "{}", "{}"),
			wantErr: wire.ErrBadJSON,
		},
		{
			name:    "empty msg_type",
			key:     testKey,
			frames:  frames(testKey, nil, `{"msg_id":"1","msg_type":""}`, "{}", "{}", "{}"),
			wantErr: wire.ErrBadJSON,
		},
		{
			name:    "msg_type not a string",
			key:     testKey,
			frames:  frames(testKey, nil, `{"msg_id":"1","msg_type":7}`, "{}", "{}", "{}"),
			wantErr: wire.ErrBadJSON,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := wire.Decode(c.frames, wire.NewSigner([]byte(c.key)))
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("Decode: err = %v, want %v", err, c.wantErr)
				}
				if m != nil {
					t.Errorf("Decode returned a message with an error: %+v", m)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if c.check != nil {
				c.check(t, m)
			}
		})
	}
}

func sign(key, header, parent, meta, content string) []byte {
	return []byte(wire.NewSigner([]byte(key)).Sign([]byte(header), []byte(parent), []byte(meta), []byte(content)))
}

// withFrame returns frames with the frame at offset i after the delimiter
// replaced by b.
func withFrame(frames [][]byte, i int, b []byte) [][]byte {
	out := append([][]byte(nil), frames...)
	for j, f := range out {
		if bytes.Equal(f, wire.Delimiter) {
			out[j+i] = b
			break
		}
	}
	return out
}

func TestDecodeReplay(t *testing.T) {
	s := wire.NewSigner([]byte(testKey))
	first := frames(testKey, []string{"id"}, goodHeader, "{}", "{}", `{"n":1}`)
	if _, err := wire.Decode(first, s); err != nil {
		t.Fatalf("first Decode: %v", err)
	}
	if _, err := wire.Decode(first, s); !errors.Is(err, wire.ErrReplayed) {
		t.Fatalf("second Decode of the same frames: err = %v, want ErrReplayed", err)
	}
	// Other routing identities do not make a replay new.
	again := append([][]byte{[]byte("other-id")}, first[1:]...)
	if _, err := wire.Decode(again, s); !errors.Is(err, wire.ErrReplayed) {
		t.Errorf("replay under another identity: err = %v, want ErrReplayed", err)
	}
	// A different message is still accepted.
	if _, err := wire.Decode(frames(testKey, []string{"id"}, goodHeader, "{}", "{}", `{"n":2}`), s); err != nil {
		t.Errorf("Decode of a new message after a replay: %v", err)
	}
	// Another signer (another kernel) has its own memory.
	if _, err := wire.Decode(first, wire.NewSigner([]byte(testKey))); err != nil {
		t.Errorf("Decode with a fresh signer: %v", err)
	}
	// A bad signature is not remembered: the genuine message still passes.
	s2 := wire.NewSigner([]byte(testKey))
	forged := withFrame(first, 1, bytes.Repeat([]byte("0"), 64))
	if _, err := wire.Decode(forged, s2); !errors.Is(err, wire.ErrBadSignature) {
		t.Fatalf("forged: err = %v, want ErrBadSignature", err)
	}
	if _, err := wire.Decode(first, s2); err != nil {
		t.Errorf("genuine message after a forged one: %v", err)
	}
}

// TestDecodeReplayUnsigned documents that without a key there is nothing to
// remember a message by: the same frames are accepted again.
func TestDecodeReplayUnsigned(t *testing.T) {
	s := wire.NewSigner(nil)
	f := frames("", nil, goodHeader, "{}", "{}", "{}")
	for i := range 2 {
		if _, err := wire.Decode(f, s); err != nil {
			t.Fatalf("Decode #%d without a key: %v", i+1, err)
		}
	}
}

func TestDecodeErrorsAreDistinct(t *testing.T) {
	sentinels := []error{wire.ErrNoDelimiter, wire.ErrShort, wire.ErrUnsigned, wire.ErrBadSignature, wire.ErrReplayed, wire.ErrBadJSON}
	for i, a := range sentinels {
		for j, b := range sentinels {
			if i != j && errors.Is(a, b) {
				t.Errorf("errors.Is(%v, %v) = true", a, b)
			}
		}
	}
}

func TestSignerEmptyKey(t *testing.T) {
	for _, key := range [][]byte{nil, {}} {
		if got := wire.NewSigner(key).Sign([]byte("{}")); got != "" {
			t.Errorf("Sign with key %q = %q, want \"\"", key, got)
		}
	}
}

func TestSignerConcurrent(t *testing.T) {
	s := wire.NewSigner([]byte(testKey))
	want := s.Sign([]byte("a"), []byte("b"))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := s.Sign([]byte("a"), []byte("b")); got != want {
					t.Errorf("concurrent Sign = %s, want %s", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	for _, key := range []string{testKey, ""} {
		t.Run("key="+key, func(t *testing.T) {
			req, err := wire.Decode(frames(key, []string{"id-a", "id-b"}, goodHeader, "{}", "{}", `{"code":"x"}`), wire.NewSigner([]byte(key)))
			if err != nil {
				t.Fatal(err)
			}
			m, err := wire.NewMessage(req, "execute_reply", map[string]any{"status": "ok", "execution_count": 3})
			if err != nil {
				t.Fatal(err)
			}
			m.Buffers = [][]byte{[]byte("b1"), {}}
			m.Metadata = json.RawMessage(`{"started":"now"}`)
			out, err := wire.Encode(m, wire.NewSigner([]byte(key)))
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 2+6+2 || !bytes.Equal(out[2], wire.Delimiter) {
				t.Fatalf("Encode frames = %q", out)
			}
			if !bytes.Equal(out[4], m.RawHeader) {
				t.Errorf("Encode did not set RawHeader to the header frame: %s vs %s", m.RawHeader, out[4])
			}
			if key == "" && len(out[3]) != 0 {
				t.Errorf("unsigned Encode: signature frame %q, want empty", out[3])
			}
			if key != "" {
				if _, err := hex.DecodeString(string(out[3])); err != nil || len(out[3]) != 64 {
					t.Errorf("signature frame %q is not 64 hex digits", out[3])
				}
			}
			got, err := wire.Decode(out, wire.NewSigner([]byte(key)))
			if err != nil {
				t.Fatalf("Decode(Encode(m)): %v", err)
			}
			if !reflect.DeepEqual(got.Identities, req.Identities) {
				t.Errorf("Identities = %q, want %q", got.Identities, req.Identities)
			}
			if got.Header != m.Header {
				t.Errorf("Header = %+v, want %+v", got.Header, m.Header)
			}
			if string(got.Parent) != goodHeader {
				t.Errorf("Parent = %s, want the request's raw header", got.Parent)
			}
			if string(got.Metadata) != `{"started":"now"}` {
				t.Errorf("Metadata = %s", got.Metadata)
			}
			var content map[string]any
			if err := json.Unmarshal(got.Content, &content); err != nil || content["status"] != "ok" || content["execution_count"] != 3.0 {
				t.Errorf("Content = %s (%v)", got.Content, err)
			}
			if !reflect.DeepEqual(got.Buffers, m.Buffers) {
				t.Errorf("Buffers = %q, want %q", got.Buffers, m.Buffers)
			}
		})
	}
}

// TestEncodeEmptyParts checks that missing parent, metadata and content are
// sent as empty objects, which Decode accepts.
func TestEncodeEmptyParts(t *testing.T) {
	m := &wire.Message{Header: wire.NewHeader("status", "s")}
	out, err := wire.Encode(m, wire.NewSigner([]byte(testKey)))
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"parent", "metadata", "content"} {
		if got := string(out[3+i]); got != "{}" {
			t.Errorf("%s frame = %q, want {}", name, got)
		}
	}
	if _, err := wire.Decode(out, wire.NewSigner([]byte(testKey))); err != nil {
		t.Errorf("Decode: %v", err)
	}
}

func TestNewMessage(t *testing.T) {
	t.Run("no parent", func(t *testing.T) {
		m, err := wire.NewMessage(nil, "status", map[string]string{"execution_state": "idle"})
		if err != nil {
			t.Fatal(err)
		}
		if m.Identities != nil {
			t.Errorf("Identities = %q, want nil", m.Identities)
		}
		if string(m.Parent) != "{}" || string(m.Metadata) != "{}" {
			t.Errorf("Parent = %s, Metadata = %s, want {} and {}", m.Parent, m.Metadata)
		}
		if string(m.Content) != `{"execution_state":"idle"}` {
			t.Errorf("Content = %s", m.Content)
		}
		checkHeader(t, m.Header, "status")
		if _, err := hex.DecodeString(m.Header.Session); err != nil || len(m.Header.Session) != 32 {
			t.Errorf("fresh session %q is not 32 hex digits", m.Header.Session)
		}
	})
	t.Run("with parent", func(t *testing.T) {
		parent, err := wire.Decode(frames(testKey, []string{"zmq-id"}, goodHeader, "{}", "{}", "{}"), wire.NewSigner([]byte(testKey)))
		if err != nil {
			t.Fatal(err)
		}
		m, err := wire.NewMessage(parent, "execute_reply", struct{}{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(m.Identities, parent.Identities) {
			t.Errorf("Identities = %q, want the parent's %q", m.Identities, parent.Identities)
		}
		if string(m.Parent) != goodHeader {
			t.Errorf("Parent = %s, want the parent's raw header", m.Parent)
		}
		if m.Header.Session != "sess" {
			t.Errorf("Session = %q, want the parent's", m.Header.Session)
		}
		if m.Header.MsgID == parent.Header.MsgID {
			t.Error("reply reuses the parent's msg_id")
		}
		checkHeader(t, m.Header, "execute_reply")
	})
	t.Run("content that cannot be marshalled", func(t *testing.T) {
		if _, err := wire.NewMessage(nil, "x", make(chan int)); err == nil {
			t.Error("NewMessage with a channel as content: no error")
		}
	})
	t.Run("ids are fresh", func(t *testing.T) {
		seen := map[string]bool{}
		for range 100 {
			id := wire.NewID()
			if len(id) != 32 || seen[id] {
				t.Fatalf("NewID = %q (repeated: %v)", id, seen[id])
			}
			seen[id] = true
		}
	})
}

func checkHeader(t *testing.T, h wire.Header, msgType string) {
	t.Helper()
	if h.MsgType != msgType {
		t.Errorf("MsgType = %q, want %q", h.MsgType, msgType)
	}
	if _, err := hex.DecodeString(h.MsgID); err != nil || len(h.MsgID) != 32 {
		t.Errorf("MsgID %q is not 32 hex digits", h.MsgID)
	}
	if h.Version != wire.ProtocolVersion {
		t.Errorf("Version = %q, want %q", h.Version, wire.ProtocolVersion)
	}
	if h.Username == "" {
		t.Error("empty Username")
	}
	d, err := time.Parse(time.RFC3339Nano, h.Date)
	if err != nil {
		t.Errorf("Date %q is not ISO 8601: %v", h.Date, err)
	} else if time.Since(d) > time.Minute || time.Since(d) < -time.Minute {
		t.Errorf("Date %q is not now", h.Date)
	}
}

// fuzzSigners are shared by FuzzDecode's runs: a Signer holds a large replay
// cache, too costly to build three times per input.
var fuzzSigners = map[bool]*wire.Signer{false: wire.NewSigner(nil), true: wire.NewSigner([]byte(testKey))}

// FuzzDecode builds frames from the input split on 0x00 and decodes them
// with or without a key. When sign is set, the frame after the first
// delimiter is replaced by the correct signature, so that the checks past
// the signature are reached too. Decode must never panic, and a message it
// accepts must survive Encode and Decode again. (The fuzzer runs an input
// more than once, so a keyed input may be refused as replayed; the round
// trip gets a fresh msg_id so that its signature is new.)
func FuzzDecode(f *testing.F) {
	join := func(fr [][]byte) []byte { return bytes.Join(fr, []byte{0}) }
	f.Add(join(frames(testKey, []string{"id"}, goodHeader, "{}", "{}", `{"code":"1"}`, "buf")), false, true)
	f.Add(join(frames("", nil, goodHeader, "{}", "{}", "{}")), true, false)
	f.Add(join(frames("", nil, `{"msg_id":"1","msg_type":"x"}`, " {}", "{} ", `{"a":[1,{"b":null}]}`)), true, true)
	f.Add([]byte("<IDS|MSG>\x00\x00{}\x00{}\x00{}"), true, false)
	f.Add([]byte("a\x00b\x00<IDS|MSG>"), false, false)
	f.Add([]byte{}, false, false)
	f.Fuzz(func(t *testing.T, data []byte, sign, keyed bool) {
		s := fuzzSigners[keyed]
		fr := bytes.Split(data, []byte{0})
		if sign {
			for i, x := range fr {
				if bytes.Equal(x, wire.Delimiter) && len(fr) >= i+6 {
					fr[i+1] = []byte(s.Sign(fr[i+2 : i+6]...))
					break
				}
			}
		}
		m, err := wire.Decode(fr, s)
		if err != nil {
			if m != nil {
				t.Fatalf("Decode returned a message and an error %v", err)
			}
			return
		}
		m.Header.MsgID = wire.NewID()
		out, err := wire.Encode(m, s)
		if err != nil {
			t.Fatalf("Encode of an accepted message: %v", err)
		}
		m2, err := wire.Decode(out, s)
		if err != nil {
			t.Fatalf("Decode(Encode(m)): %v\nframes %q", err, out)
		}
		if !reflect.DeepEqual(m2.Identities, m.Identities) || m2.Header != m.Header ||
			!bytes.Equal(m2.RawHeader, m.RawHeader) || !bytes.Equal(m2.Parent, m.Parent) ||
			!bytes.Equal(m2.Metadata, m.Metadata) || !bytes.Equal(m2.Content, m.Content) ||
			!reflect.DeepEqual(m2.Buffers, m.Buffers) {
			t.Fatalf("round trip changed the message:\n%+v\n%+v", m, m2)
		}
	})
}

// TestDecodedIdentitiesHoldNoOtherFrame: a reply keeps the request's
// identities for as long as the cell runs and beyond; they must not keep
// the request's other frames (a 200 MiB content) alive.
func TestDecodedIdentitiesHoldNoOtherFrame(t *testing.T) {
	s := wire.NewSigner([]byte(testKey))
	m, err := wire.Decode(frames(testKey, []string{"id1", "id2"}, goodHeader, "{}", "{}", `{"big":"x"}`), s)
	if err != nil {
		t.Fatal(err)
	}
	all := m.Identities[:cap(m.Identities)]
	for i, f := range all {
		if i < len(m.Identities) {
			continue
		}
		if f != nil {
			t.Errorf("Identities' backing array holds frame %q past its length", f)
		}
	}
}
