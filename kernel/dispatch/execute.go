package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gosys/internal/content"
	"gosys/internal/link"
	"gosys/kernel/supervise"
	"gosys/kernel/wire"
)

type executeRequest struct {
	Code            *string           `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    *bool             `json:"store_history"`
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      *bool             `json:"allow_stdin"`
	StopOnError     *bool             `json:"stop_on_error"`
}

// flag returns *b, or def when the field was absent.
func flag(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

// execute runs a cell and publishes its input, output, result or error.
// https://jupyter-client.readthedocs.io/en/latest/messaging.html#execute
func (k *Kernel) execute(m *wire.Message) {
	s := k.Channels.Shell
	var req executeRequest
	if !k.decode(s, m, &req) {
		return
	}
	if req.Code == nil {
		// Not a cell at all: no execution count is used up.
		k.mu.Lock()
		count := k.count
		k.mu.Unlock()
		k.reply(s, m, "execute_reply", map[string]any{
			"status": "error", "execution_count": count,
			"ename": "BadRequest", "evalue": "execute_request without code", "traceback": []string{"BadRequest: execute_request without code"},
			"user_expressions": map[string]any{}, "payload": []any{},
		})
		return
	}
	code := *req.Code
	store := flag(req.StoreHistory, true) && !req.Silent
	k.mu.Lock()
	if store {
		k.count++
	}
	count := k.count
	ctx, cancel := context.WithCancel(context.Background())
	k.cancel = cancel
	cell := k.cells.begin(m.Lean())
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.cancel = nil
		k.cells.end()
		k.mu.Unlock()
		cancel()
	}()

	if !req.Silent {
		shown := code
		if len(code) > supervise.MaxCell {
			// Refused below: every subscriber need not receive all of it.
			shown = clip(code, maxHistoryEntry, "is not shown: the cell is too large to run")
		}
		k.Publisher.ExecuteInput(m, shown, count)
	}
	k.Output.SetParent(m.Lean())
	out := k.Eval.Execute(ctx, supervise.Request{
		Cell: cell, Code: code, UserExpressions: req.UserExpressions,
		AllowStdin: flag(req.AllowStdin, true),
		Ask: func(ctx context.Context, prompt string, password bool) (string, error) {
			return k.askInput(ctx, m, prompt, password)
		},
	})
	k.Output.EndCell()
	if store {
		k.history.add(count, code)
	}
	shown := false
	if out.Err == nil {
		// A goroutine of this cell panicked: its error is shown already,
		// the cell failed.
		k.mu.Lock()
		out.Err = k.cells.failure()
		k.mu.Unlock()
		shown = out.Err != nil
	}
	if out.Err != nil {
		if !shown {
			k.Publisher.PublishError(m, out.Err)
		}
		// Abort before replying: a request the client sends once it has
		// seen this reply must run, not be aborted.
		if flag(req.StopOnError, true) {
			k.abortQueued()
		}
		k.reply(s, m, "execute_reply", map[string]any{
			"status": "error", "execution_count": count,
			"ename": out.Err.Name, "evalue": out.Err.Value, "traceback": out.Err.Traceback,
			"user_expressions": map[string]any{}, "payload": []any{},
		})
		return
	}
	if out.Value != nil && !req.Silent {
		k.Publisher.ExecuteResult(m, count, *out.Value)
	}
	payload := []any{}
	if out.Page != "" {
		payload = append(payload, map[string]any{"source": "page", "data": map[string]any{"text/plain": out.Page}, "start": 0})
		if !flag(req.AllowStdin, true) && !req.Silent {
			// A client that cannot answer input (nbconvert, papermill,
			// gosys run) shows no pager either: the text goes in the cell.
			k.Publisher.Stream(m, "stdout", out.Page+"\n")
		}
	}
	k.reply(s, m, "execute_reply", map[string]any{
		"status": "ok", "execution_count": count,
		"user_expressions": userExpressions(req.UserExpressions, out.Expressions),
		"payload":          payload,
	})
}

// userExpressions reports each user expression's value or error as the
// protocol asks; the session evaluated them after the cell.
func userExpressions(asked map[string]string, got map[string]link.Expression) map[string]any {
	res := map[string]any{}
	for name := range asked {
		x := got[name]
		switch {
		case x.Err != nil:
			res[name] = map[string]any{"status": "error", "ename": x.Err.Name, "evalue": x.Err.Value, "traceback": x.Err.Traceback}
		case x.Value != nil:
			res[name] = map[string]any{"status": "ok", "data": x.Value.Data, "metadata": orEmpty(x.Value.Metadata)}
		default:
			res[name] = map[string]any{"status": "ok", "data": map[string]any{}, "metadata": map[string]any{}}
		}
	}
	return res
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// CellError publishes e, an error of cell (a panic in a goroutine it
// started, or the death of the session after it ran), as that cell's
// output. If cell is running and the error is a goroutine's, the cell
// fails with it. The supervisor calls it.
func (k *Kernel) CellError(cell int, e *content.Error, restarted bool) {
	k.mu.Lock()
	parent := k.cells.note(cell, e, !restarted)
	k.mu.Unlock()
	k.Output.Flush()
	k.Publisher.PublishError(parent, e)
	if restarted {
		k.Log.Printf("the session died after cell %d and was restarted: %s: %s", cell, e.Name, e.Value)
	}
}

// abortQueued answers every execute_request already waiting with status
// "aborted", as ipykernel does after an error with stop_on_error; other
// requests are served normally.
func (k *Kernel) abortQueued() {
	for {
		select {
		// Requests sent right behind the failed one may still be on their
		// way: keep aborting until the channel has been quiet a moment.
		case m := <-k.queue:
			if m.Header.MsgType != "execute_request" {
				k.serve(m, k.handleShell)
				continue
			}
			k.serve(m, func(m *wire.Message) {
				k.mu.Lock()
				count := k.count
				k.mu.Unlock()
				k.reply(k.Channels.Shell, m, "execute_reply", map[string]any{
					"status": "aborted", "execution_count": count,
					"user_expressions": map[string]any{}, "payload": []any{},
				})
			})
		case <-time.After(abortQuiet):
			return
		}
	}
}

// abortQuiet is how long the shell channel must be quiet before aborting
// after an error ends.
const abortQuiet = 10 * time.Millisecond

// errNoInput is returned to a cell's read when the frontend does not answer.
var errNoInput = errors.New("no input_reply from the frontend")

// askInput sends an input_request for the cell m and waits for the reply.
func (k *Kernel) askInput(ctx context.Context, m *wire.Message, prompt string, password bool) (string, error) {
	req, err := wire.NewMessage(m, "input_request", map[string]any{"prompt": prompt, "password": password})
	if err != nil {
		return "", err
	}
	frames, err := wire.Encode(req, k.Signer)
	if err != nil {
		return "", err
	}
	// Text the cell printed as its prompt must reach the frontend first.
	k.Output.Flush()
	// Forget replies to earlier, abandoned requests.
	for len(k.replies) > 0 {
		<-k.replies
	}
	if err := k.Channels.Stdin.Send(frames); err != nil {
		return "", err
	}
	for {
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-k.done:
			return "", errNoInput
		case r := <-k.replies:
			var parent struct {
				MsgID string `json:"msg_id"`
			}
			if r.Header.MsgType != "input_reply" {
				continue
			}
			// jupyter_client's KernelClient.input() sends no parent header;
			// like ipykernel, take such a reply as the answer.
			if err := json.Unmarshal(r.Parent, &parent); err != nil || (parent.MsgID != "" && parent.MsgID != req.Header.MsgID) {
				continue
			}
			var content struct {
				Value string `json:"value"`
			}
			if err := json.Unmarshal(r.Content, &content); err != nil {
				return "", fmt.Errorf("input_reply: %w", err)
			}
			return content.Value, nil
		case <-time.After(24 * time.Hour):
			// A frontend that never answers must not hold the cell forever;
			// interrupt is the usual way out, this is the last resort.
			return "", errNoInput
		}
	}
}
