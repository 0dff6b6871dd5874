package dispatch

import (
	"runtime"
	"unicode/utf8"

	"gosys/kernel/wire"
	"gosys/session/eval"
)

// KernelInfo is the part of kernel_info_reply that names the kernel.
type KernelInfo struct {
	Implementation        string
	ImplementationVersion string
	Banner                string
}

// handleShell answers one shell request.
func (k *Kernel) handleShell(m *wire.Message) {
	s := k.Channels.Shell
	switch m.Header.MsgType {
	case "execute_request":
		k.execute(m)
	case "kernel_info_request":
		k.reply(s, m, "kernel_info_reply", k.kernelInfo())
	case "complete_request":
		k.complete(m)
	case "inspect_request":
		k.inspect(m)
	case "is_complete_request":
		k.isComplete(m)
	case "history_request":
		k.historyReply(m)
	case "comm_info_request":
		k.reply(s, m, "comm_info_reply", map[string]any{"status": "ok", "comms": map[string]any{}})
	case "comm_open":
		k.commOpen(m)
	case "comm_msg", "comm_close":
		// No comm is ever open (comm_open is refused), so there is nothing to
		// deliver to; the protocol has no reply for these.
		k.Log.Printf("%s for a comm that does not exist: ignored", m.Header.MsgType)
	case "shutdown_request":
		k.shutdown(s, m)
	default:
		k.Log.Printf("shell: unknown message type %q: ignored", m.Header.MsgType)
	}
}

// handleControl answers a control request at once, even while a cell runs.
func (k *Kernel) handleControl(m *wire.Message) {
	k.serve(m, func(m *wire.Message) {
		s := k.Channels.Control
		switch m.Header.MsgType {
		case "interrupt_request":
			k.interrupt()
			k.reply(s, m, "interrupt_reply", map[string]string{"status": "ok"})
		case "shutdown_request":
			k.shutdown(s, m)
		case "kernel_info_request":
			k.reply(s, m, "kernel_info_reply", k.kernelInfo())
		default:
			// debug_request and others this kernel does not offer.
			k.Log.Printf("control: unsupported message type %q", m.Header.MsgType)
			k.reply(s, m, replyType(m.Header.MsgType), map[string]any{
				"status": "error", "ename": "NotImplemented",
				"evalue": m.Header.MsgType + " is not supported by gosys", "traceback": []string{},
			})
		}
	})
}

func (k *Kernel) kernelInfo() map[string]any {
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       wire.ProtocolVersion,
		"implementation":         k.Info.Implementation,
		"implementation_version": k.Info.ImplementationVersion,
		"language_info": map[string]any{
			"name":               "go",
			"version":            runtime.Version()[len("go"):],
			"mimetype":           "text/x-go",
			"file_extension":     ".go",
			"pygments_lexer":     "go",
			"codemirror_mode":    "go",
			"nbconvert_exporter": "script",
		},
		"banner":             k.Info.Banner,
		"help_links":         []map[string]string{{"text": "Go documentation", "url": "https://pkg.go.dev/std"}},
		"debugger":           false,
		"supported_features": []string{},
	}
}

func (k *Kernel) complete(m *wire.Message) {
	var req struct {
		Code   string `json:"code"`
		Cursor int    `json:"cursor_pos"`
	}
	if !k.decode(k.Channels.Shell, m, &req) {
		return
	}
	req.Cursor = clampCursor(req.Code, req.Cursor)
	c := k.Eval.Complete(req.Code, req.Cursor)
	matches := c.Matches
	if matches == nil {
		matches = []string{}
	}
	k.reply(k.Channels.Shell, m, "complete_reply", map[string]any{
		"status": "ok", "matches": matches, "cursor_start": c.Start, "cursor_end": c.End, "metadata": map[string]any{},
	})
}

func (k *Kernel) inspect(m *wire.Message) {
	var req struct {
		Code   string `json:"code"`
		Cursor int    `json:"cursor_pos"`
	}
	if !k.decode(k.Channels.Shell, m, &req) {
		return
	}
	req.Cursor = clampCursor(req.Code, req.Cursor)
	text, found := k.Eval.Inspect(req.Code, req.Cursor)
	data := map[string]any{}
	if found {
		data["text/plain"] = text
	}
	k.reply(k.Channels.Shell, m, "inspect_reply", map[string]any{
		"status": "ok", "found": found, "data": data, "metadata": map[string]any{},
	})
}

// clampCursor brings a cursor position (in Unicode code points, as the
// protocol counts since 5.2) into the code: a client's bad position gets
// an answer about the nearest real one, never an echo of its mistake.
func clampCursor(code string, cursor int) int {
	return min(max(cursor, 0), utf8.RuneCountInString(code))
}

func (k *Kernel) isComplete(m *wire.Message) {
	var req struct {
		Code string `json:"code"`
	}
	if !k.decode(k.Channels.Shell, m, &req) {
		return
	}
	status, indent := eval.IsComplete(req.Code)
	content := map[string]string{"status": status}
	if status == "incomplete" {
		content["indent"] = indent
	}
	k.reply(k.Channels.Shell, m, "is_complete_reply", content)
}

// commOpen refuses a comm: gosys registers no comm targets. Like ipykernel,
// it tells the frontend by closing the comm.
func (k *Kernel) commOpen(m *wire.Message) {
	var req struct {
		ID     string `json:"comm_id"`
		Target string `json:"target_name"`
	}
	if !k.decode(k.Channels.Shell, m, &req) {
		return
	}
	k.Log.Printf("comm_open: no comm target %q", req.Target)
	k.Publisher.Publish(m, "comm_close", map[string]any{"comm_id": req.ID, "data": map[string]any{}})
}

func (k *Kernel) shutdown(s Channel, m *wire.Message) {
	var req struct {
		Restart bool `json:"restart"`
	}
	_ = k.decode(s, m, &req)
	content := map[string]any{"status": "ok", "restart": req.Restart}
	// ipykernel also publishes the reply, so every client learns of it.
	k.Publisher.Publish(m, "shutdown_reply", content)
	k.reply(s, m, "shutdown_reply", content)
	k.stop(req.Restart)
}
