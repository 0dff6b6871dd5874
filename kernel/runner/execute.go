package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gosys/kernel/wire"
)

const (
	// iopubGrace is how long the outputs of a cell may trail its
	// execute_reply (nbclient's iopub_timeout).
	iopubGrace = 4 * time.Second
	// interruptGrace is how long a cell may take to stop after
	// interrupt_request before the kernel is given up.
	interruptGrace = 5 * time.Second
)

// errUnresponsive is returned when a kernel does not stop a cell it was
// asked to interrupt.
var errUnresponsive = errors.New("the kernel did not stop the cell after interrupt_request")

// executor runs cells one at a time in a session.
type executor struct {
	s      *session
	nb     *Notebook
	out    *outputs
	timing bool
}

// cellRun is the outcome of one cell.
type cellRun struct {
	err      *CellError // nil when the cell succeeded
	duration time.Duration
}

// execute runs cell i and collects its outputs until the kernel has both
// replied and published status idle for it. A cell over timeout (if
// positive) is interrupted and fails with a CellTimeoutError output. The
// error is for what ends the run whatever the options say: ctx's end, the
// kernel's death or a kernel that ignores the interrupt.
func (e *executor) execute(ctx context.Context, i int, timeout time.Duration) (cellRun, error) {
	cell := e.nb.cells[i]
	e.out.begin(i)
	var times map[string]any
	if e.timing {
		times = map[string]any{}
		cell["metadata"].(map[string]any)["execution"] = times
	}
	begin := time.Now()
	req, err := e.s.client.send(e.s.client.shell, "execute_request", map[string]any{
		"code": cellSource(cell), "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true,
	})
	if err != nil {
		return cellRun{}, err
	}
	id := req.Header.MsgID

	var deadline, grace <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	done := ctx.Done()
	var reply map[string]any
	idle, timedOut, canceled := false, false, false
	interrupt := func() error {
		_, err := e.s.client.send(e.s.client.control, "interrupt_request", map[string]any{})
		grace = time.After(interruptGrace)
		return err
	}
wait:
	for reply == nil || !idle {
		select {
		case m := <-e.s.client.IOPub:
			if parentID(m) != id {
				continue
			}
			content := decodeContent(m)
			if times != nil {
				recordTime(times, m, content)
			}
			if e.out.handle(m.Header.MsgType, content) {
				idle = true
			}
		case m := <-e.s.client.Shell:
			if parentID(m) != id || m.Header.MsgType != "execute_reply" {
				continue
			}
			reply = decodeContent(m)
			if times != nil {
				times["shell.execute_reply"] = timestamp(m)
			}
			deadline = nil
			if grace == nil {
				grace = time.After(iopubGrace)
			}
		case <-e.s.client.Control:
			// interrupt_reply: the cell's own reply tells the outcome.
		case <-deadline:
			timedOut, deadline = true, nil
			if err := interrupt(); err != nil {
				return cellRun{duration: time.Since(begin)}, err
			}
		case <-done:
			canceled, done = true, nil
			if reply == nil {
				if err := interrupt(); err != nil {
					return cellRun{duration: time.Since(begin)}, err
				}
			}
		case <-grace:
			if reply == nil {
				return cellRun{duration: time.Since(begin)}, errUnresponsive
			}
			e.s.logf("cell %d: no status idle within %v of execute_reply", i+1, iopubGrace)
			break wait
		case <-e.s.proc.exited:
			return cellRun{duration: time.Since(begin)}, e.s.proc.died()
		}
	}
	run := cellRun{duration: time.Since(begin)}
	if canceled {
		return run, fmt.Errorf("interrupted: %w", context.Cause(ctx))
	}
	if n, ok := reply["execution_count"]; ok && n != nil {
		cell["execution_count"] = n
	}
	if timedOut {
		run.err = &CellError{Ename: "CellTimeoutError", TimedOut: true,
			Evalue: fmt.Sprintf("cell execution timed out after %v and was interrupted", timeout)}
		run.err.Traceback = []string{run.err.Ename + ": " + run.err.Evalue}
		e.out.add("error", map[string]any{"ename": run.err.Ename, "evalue": run.err.Evalue,
			"traceback": []any{run.err.Traceback[0]}}, "")
		return run, nil
	}
	switch reply["status"] {
	case "ok":
	case "aborted":
		run.err = &CellError{Ename: "aborted", Evalue: "the kernel aborted the execution"}
	default:
		run.err = &CellError{Ename: str(reply["ename"]), Evalue: str(reply["evalue"]), Traceback: strs(reply["traceback"])}
		if run.err.Ename == "" {
			run.err.Ename = "error"
		}
	}
	return run, nil
}

// recordTime notes the iopub timestamps nbclient keeps in
// metadata.execution.
func recordTime(times map[string]any, m *wire.Message, content map[string]any) {
	switch m.Header.MsgType {
	case "status":
		switch content["execution_state"] {
		case "busy":
			times["iopub.status.busy"] = timestamp(m)
		case "idle":
			times["iopub.status.idle"] = timestamp(m)
		}
	case "execute_input":
		times["iopub.execute_input"] = timestamp(m)
	}
}

// timestamp is m's header date as nbclient writes it:
// 2006-01-02T15:04:05.000000Z in UTC; the date as sent if it does not parse.
func timestamp(m *wire.Message) string {
	t, err := time.Parse(time.RFC3339Nano, m.Header.Date)
	if err != nil {
		return m.Header.Date
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
