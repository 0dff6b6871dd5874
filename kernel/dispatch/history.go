package dispatch

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

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
	code = clip(code, maxHistoryEntry, "is not kept in history")
	h.mu.Lock()
	defer h.mu.Unlock()
	h.entries = append(h.entries, historyEntry{line, code})
}

// clip returns code cut to at most max bytes (at a character boundary)
// followed by a comment saying how much is left out and why; code no longer
// than max is returned as it is. The result never shares code's memory, so
// a huge cell is not kept alive by its clipped copy.
func clip(code string, max int, why string) string {
	if len(code) <= max {
		return code
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(code[cut]) {
		cut--
	}
	return code[:cut] + fmt.Sprintf("\n// [gosys: the rest of this cell, %d bytes, %s]", len(code)-cut, why)
}

// maxHistoryEntry bounds what history keeps of one cell: a huge cell costs
// memory while it runs, not for the kernel's life.
const maxHistoryEntry = 1 << 20

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
		out = all[min(len(all), max(0, len(all)-n)):]
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
		if r.N != nil && *r.N <= 0 {
			return nil
		}
		for i := len(all) - 1; i >= 0; i-- {
			e := all[i]
			if !globMatch(pattern, e.code) {
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
	if !k.decode(k.Channels.Shell, m, &r) {
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
	k.reply(k.Channels.Shell, m, "history_reply", map[string]any{"status": "ok", "history": items})
}

// globMatch matches code against a shell glob as IPython's history search
// does (sqlite GLOB): * and ? match any characters, newlines and slashes
// included; [...] is a character class.
func globMatch(pattern, code string) bool {
	var re strings.Builder
	re.WriteString("(?s)^")
	runes := []rune(pattern)
	for i := 0; i < len(runes); i++ {
		switch c := runes[i]; c {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		case '[':
			j := strings.IndexRune(string(runes[i+1:]), ']')
			if j < 0 {
				re.WriteString(regexp.QuoteMeta("["))
				continue
			}
			class := string(runes[i+1:])[:j]
			j = len([]rune(class))
			if strings.HasPrefix(class, "^") {
				class = "^" + regexp.QuoteMeta(class[1:])
			} else {
				class = regexp.QuoteMeta(class)
			}
			re.WriteString("[" + strings.ReplaceAll(class, `\-`, "-") + "]")
			i += j + 1
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString("$")
	m, err := regexp.MatchString(re.String(), code)
	return err == nil && m
}
