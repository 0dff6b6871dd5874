package dispatch

import (
	"path"
	"sync"

	"gosys/kernel/wire"
)

// history keeps the cells executed in this kernel's life, for
// history_request. Session number 1 is this kernel's session (IPython's
// numbering: 0 in a request means the current session).
type history struct {
	mu      sync.Mutex
	entries []historyEntry
}

type historyEntry struct {
	line int
	code string
}

const currentSession = 1

func (h *history) add(line int, code string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.entries = append(h.entries, historyEntry{line, code})
}

type historyRequest struct {
	Output     bool   `json:"output"`
	Raw        bool   `json:"raw"`
	AccessType string `json:"hist_access_type"`
	Session    int    `json:"session"`
	Start      int    `json:"start"`
	Stop       *int   `json:"stop"`
	N          *int   `json:"n"`
	Pattern    string `json:"pattern"`
	Unique     bool   `json:"unique"`
}

// query returns the entries a history_request selects.
func (h *history) query(r historyRequest) []historyEntry {
	h.mu.Lock()
	all := append([]historyEntry(nil), h.entries...)
	h.mu.Unlock()
	var out []historyEntry
	switch r.AccessType {
	case "tail":
		n := 10
		if r.N != nil {
			n = *r.N
		}
		out = all[max(0, len(all)-n):]
	case "range":
		if r.Session != 0 && r.Session != currentSession {
			return nil
		}
		for _, e := range all {
			if e.line >= r.Start && (r.Stop == nil || e.line < *r.Stop) {
				out = append(out, e)
			}
		}
	case "search":
		pattern := r.Pattern
		if pattern == "" {
			pattern = "*"
		}
		seen := map[string]bool{}
		for i := len(all) - 1; i >= 0; i-- {
			e := all[i]
			if ok, _ := path.Match(pattern, e.code); !ok {
				continue
			}
			if r.Unique && seen[e.code] {
				continue
			}
			seen[e.code] = true
			out = append([]historyEntry{e}, out...)
			if r.N != nil && len(out) >= *r.N {
				break
			}
		}
	}
	return out
}

func (k *Kernel) historyReply(m *wire.Message) {
	var r historyRequest
	if !k.decode(k.Sockets.Shell, m, &r) {
		return
	}
	items := []any{}
	for _, e := range k.history.query(r) {
		if r.Output {
			// Outputs are not kept: report none, as the protocol allows.
			items = append(items, []any{currentSession, e.line, []any{e.code, nil}})
		} else {
			items = append(items, []any{currentSession, e.line, e.code})
		}
	}
	k.reply(k.Sockets.Shell, m, "history_reply", map[string]any{"status": "ok", "history": items})
}
