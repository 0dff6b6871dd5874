package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gosys/kernel/wire"
)

type executeRequest struct {
	Code            string            `json:"code"`
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
func (k *Kernel) execute(m *wire.Message) {
	s := k.Sockets.Shell
	var req executeRequest
	if !k.decode(s, m, &req) {
		return
	}
	store := flag(req.StoreHistory, true) && !req.Silent
	k.mu.Lock()
	if store {
		k.count++
	}
	count := k.count
	ctx, cancel := context.WithCancel(context.Background())
	k.cancel = cancel
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		k.cancel = nil
		k.mu.Unlock()
		cancel()
	}()

	if !req.Silent {
		k.Publisher.ExecuteInput(m, req.Code, count)
	}
	k.Output.SetParent(m)
	if k.Interrupter != nil {
		k.Interrupter.Begin()
	}
	inputCtx, stopInput := context.WithCancel(ctx)
	inputDone := make(chan struct{})
	go func() {
		defer close(inputDone)
		k.Input.Serve(inputCtx, flag(req.AllowStdin, true), func(ctx context.Context, prompt string, password bool) (string, error) {
			return k.askInput(ctx, m, prompt, password)
		})
	}()

	out := k.Eval.Execute(ctx, req.Code)

	stopInput()
	<-inputDone
	k.Output.Flush()
	if store {
		k.history.add(count, req.Code)
	}
	if out.Err != nil {
		k.Publisher.PublishError(m, out.Err)
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
	if out.Result != nil && !req.Silent {
		k.Publisher.ExecuteResult(m, count, *out.Result)
	}
	payload := []any{}
	if out.Page != "" {
		payload = append(payload, map[string]any{"source": "page", "data": map[string]any{"text/plain": out.Page}, "start": 0})
	}
	k.reply(s, m, "execute_reply", map[string]any{
		"status": "ok", "execution_count": count,
		"user_expressions": k.userExpressions(req.UserExpressions),
		"payload":          payload,
	})
}

// userExpressions evaluates each expression after the cell, as the protocol
// asks, reporting each one's value or error.
func (k *Kernel) userExpressions(exprs map[string]string) map[string]any {
	res := map[string]any{}
	for name, code := range exprs {
		out := k.Eval.Execute(context.Background(), code)
		switch {
		case out.Err != nil:
			res[name] = map[string]any{"status": "error", "ename": out.Err.Name, "evalue": out.Err.Value, "traceback": out.Err.Traceback}
		case out.Result != nil:
			res[name] = map[string]any{"status": "ok", "data": out.Result.Data, "metadata": out.Result.Metadata}
		default:
			res[name] = map[string]any{"status": "ok", "data": map[string]any{}, "metadata": map[string]any{}}
		}
	}
	return res
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
				k.reply(k.Sockets.Shell, m, "execute_reply", map[string]any{
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
	if err := k.Sockets.Stdin.Send(frames); err != nil {
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
