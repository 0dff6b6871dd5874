package wire

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"
	"strings"
	"sync"
)

// Signer computes and checks HMAC-SHA256 signatures over the four signed
// parts of a message. A Signer with an empty key neither signs nor checks,
// as the protocol prescribes. It is safe for concurrent use.
type Signer struct {
	key []byte
	mu  sync.Mutex
	mac hash.Hash
	// seen remembers recent signatures so a replayed message is rejected.
	seen *replayCache
}

// NewSigner returns a Signer for key with the "hmac-sha256" scheme, the one
// every Jupyter client uses by default.
func NewSigner(key []byte) *Signer {
	s, _ := NewSignerScheme("hmac-sha256", key)
	return s
}

// Schemes are the signature schemes NewSignerScheme knows: those of
// jupyter_client ("hmac-" and a hashlib name) that Go's crypto has.
var Schemes = map[string]func() hash.Hash{
	"hmac-sha256": sha256.New,
	"hmac-sha224": sha256.New224,
	"hmac-sha512": sha512.New,
	"hmac-sha384": sha512.New384,
	"hmac-sha1":   sha1.New,
	"hmac-md5":    md5.New,
}

// NewSignerScheme returns a Signer for key with a connection file's
// signature scheme; an unknown scheme is an error that lists the known ones.
func NewSignerScheme(scheme string, key []byte) (*Signer, error) {
	h, ok := Schemes[scheme]
	if !ok {
		known := make([]string, 0, len(Schemes))
		for k := range Schemes {
			known = append(known, k)
		}
		sort.Strings(known)
		return nil, fmt.Errorf("signature scheme %q: gosys knows %s", scheme, strings.Join(known, ", "))
	}
	s := &Signer{key: key, seen: newReplayCache(1 << 16)}
	if len(key) > 0 {
		s.mac = hmac.New(h, key)
	}
	return s, nil
}

// Sign returns the hex signature of parts (header, parent, metadata, content),
// or "" when the key is empty.
func (s *Signer) Sign(parts ...[]byte) string {
	if s.mac == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mac.Reset()
	for _, p := range parts {
		s.mac.Write(p)
	}
	return hex.EncodeToString(s.mac.Sum(nil))
}

// verify checks sig against parts in constant time and rejects a signature
// seen before.
func (s *Signer) verify(sig []byte, parts ...[]byte) error {
	if s.mac == nil {
		return nil
	}
	if len(sig) == 0 {
		return ErrUnsigned
	}
	want := s.Sign(parts...)
	if !hmac.Equal([]byte(want), sig) {
		return ErrBadSignature
	}
	if !s.seen.add(string(sig)) {
		return ErrReplayed
	}
	return nil
}

// replayCache is a bounded set of signatures, oldest evicted first.
type replayCache struct {
	mu    sync.Mutex
	set   map[string]struct{}
	order []string // grows to size, then a ring
	size  int
	next  int
}

// newReplayCache holds up to size signatures. It starts empty: a kernel
// that answers a few hundred requests should not pay for 65,536 (9 MB).
func newReplayCache(size int) *replayCache {
	return &replayCache{set: make(map[string]struct{}), size: size}
}

// add records sig and reports whether it was new.
func (c *replayCache) add(sig string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.set[sig]; dup {
		return false
	}
	if len(c.order) < c.size {
		c.order = append(c.order, sig)
	} else {
		delete(c.set, c.order[c.next])
		c.order[c.next] = sig
		c.next = (c.next + 1) % c.size
	}
	c.set[sig] = struct{}{}
	return true
}
