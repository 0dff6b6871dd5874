package runner

import "strings"

// outputs turns a cell's iopub messages into nbformat outputs as nbclient's
// NotebookClient.process_message does: output messages become outputs of
// the running cell, clear_output empties them at once or (wait=true) just
// before the next output, update_display_data and outputs carrying a
// display_id rewrite every earlier output of that display_id in any cell,
// and execution_count is taken from the messages that carry one.
// Consecutive stream outputs of the same name are merged into one, as
// JupyterLab and nbclient's coalesce_streams do; their text is kept as sent
// ("\r" included).
type outputs struct {
	nb *Notebook
	// displays maps a display_id to the cells and output indices showing it.
	displays map[string]map[int][]int
	cell     int
	// clearPending is clear_output(wait=true) waiting for the next output.
	clearPending bool
}

func newOutputs(nb *Notebook) *outputs {
	return &outputs{nb: nb, displays: map[string]map[int][]int{}}
}

// begin starts collecting for cell i, whose outputs are emptied.
func (o *outputs) begin(i int) {
	o.cell = i
	o.clearPending = false
	o.nb.cells[i]["outputs"] = []any{}
}

// handle applies one iopub message of the running cell. It reports whether
// the message was the status idle that ends the cell's output.
func (o *outputs) handle(msgType string, content map[string]any) (idle bool) {
	cell := o.nb.cells[o.cell]
	displayID := ""
	if tr, ok := content["transient"].(map[string]any); ok {
		displayID, _ = tr["display_id"].(string)
	}
	switch msgType {
	case "execute_result", "display_data", "update_display_data":
		if displayID != "" {
			o.updateDisplay(displayID, content)
		}
	}
	if n, ok := content["execution_count"]; ok {
		cell["execution_count"] = n
	}
	switch {
	case msgType == "status":
		return content["execution_state"] == "idle"
	case msgType == "clear_output":
		if wait, _ := content["wait"].(bool); wait {
			o.clearPending = true
		} else {
			o.clear()
		}
	case strings.HasPrefix(msgType, "comm"), msgType == "execute_input", msgType == "update_display_data":
		// No output of their own.
	default:
		o.add(msgType, content, displayID)
	}
	return false
}

// add appends the output of an output message; other messages are ignored.
func (o *outputs) add(msgType string, content map[string]any, displayID string) {
	out := outputFromMsg(msgType, content)
	if out == nil {
		return
	}
	if o.clearPending {
		o.clear()
		o.clearPending = false
	}
	cell := o.nb.cells[o.cell]
	outs, _ := cell["outputs"].([]any)
	if n := len(outs); n > 0 && out["output_type"] == "stream" {
		if last, ok := outs[n-1].(map[string]any); ok && last["output_type"] == "stream" && last["name"] == out["name"] {
			lt, ok1 := last["text"].(string)
			nt, ok2 := out["text"].(string)
			if ok1 && ok2 {
				last["text"] = lt + nt
				return
			}
		}
	}
	if displayID != "" {
		m := o.displays[displayID]
		if m == nil {
			m = map[int][]int{}
			o.displays[displayID] = m
		}
		m[o.cell] = append(m[o.cell], len(outs))
	}
	cell["outputs"] = append(outs, out)
}

// clear empties the running cell's outputs and forgets their display ids.
func (o *outputs) clear() {
	o.nb.cells[o.cell]["outputs"] = []any{}
	for _, m := range o.displays {
		delete(m, o.cell)
	}
}

// updateDisplay replaces data and metadata of every output showing id.
func (o *outputs) updateDisplay(id string, content map[string]any) {
	data, meta := bundleOf(content)
	for cellIdx, indices := range o.displays[id] {
		outs, _ := o.nb.cells[cellIdx]["outputs"].([]any)
		for _, i := range indices {
			if i < len(outs) {
				if out, ok := outs[i].(map[string]any); ok {
					out["data"], out["metadata"] = data, meta
				}
			}
		}
	}
}

// outputFromMsg is nbformat's output_from_msg: the output an iopub message
// of msgType makes, or nil when it makes none. Fields a kernel left out get
// nbformat's defaults.
func outputFromMsg(msgType string, c map[string]any) map[string]any {
	switch msgType {
	case "execute_result":
		data, meta := bundleOf(c)
		return map[string]any{"output_type": msgType, "data": data, "metadata": meta, "execution_count": c["execution_count"]}
	case "display_data":
		data, meta := bundleOf(c)
		return map[string]any{"output_type": msgType, "data": data, "metadata": meta}
	case "stream":
		return map[string]any{"output_type": msgType, "name": orDefault(c["name"], "stdout"), "text": orDefault(c["text"], "")}
	case "error":
		return map[string]any{"output_type": msgType, "ename": orDefault(c["ename"], ""),
			"evalue": orDefault(c["evalue"], ""), "traceback": orDefault(c["traceback"], []any{})}
	}
	return nil
}

func bundleOf(c map[string]any) (data, meta any) {
	return orDefault(c["data"], map[string]any{}), orDefault(c["metadata"], map[string]any{})
}

func orDefault(v, def any) any {
	if v == nil {
		return def
	}
	return v
}
