// Package publish sends the kernel's side-effect messages on iopub: status,
// streams, displays, results and errors. It is the last stage of the data
// flow and the only writer of the iopub socket.
package publish

import (
	"log"

	"gosys/internal/content"

	"gosys/kernel/wire"
)

// Sender is the iopub socket as the publisher needs it.
type Sender interface {
	Send(frames [][]byte) error
}

// Publisher signs and sends iopub messages. It is safe for concurrent use.
type Publisher struct {
	out    Sender
	signer *wire.Signer
	log    *log.Logger
}

// New returns a Publisher sending on out, signing with signer.
func New(out Sender, signer *wire.Signer, logger *log.Logger) *Publisher {
	return &Publisher{out: out, signer: signer, log: logger}
}

// Publish sends a message of msgType with content whose parent is parent
// (nil for none). Failures are logged, never returned: iopub is
// fire-and-forget in the protocol.
func (p *Publisher) Publish(parent *wire.Message, msgType string, content any) {
	m, err := wire.NewMessage(parent, msgType, content)
	if err != nil {
		p.log.Printf("publish %s: %v", msgType, err)
		return
	}
	// The topic frame lets subscribers filter; ipykernel uses kernel.<id>.<type>.
	m.Identities = [][]byte{[]byte("kernel." + msgType)}
	frames, err := wire.Encode(m, p.signer)
	if err != nil {
		p.log.Printf("publish %s: %v", msgType, err)
		return
	}
	if err := p.out.Send(frames); err != nil {
		p.log.Printf("publish %s: %v", msgType, err)
	}
}

// Status publishes execution_state busy, idle or starting.
func (p *Publisher) Status(parent *wire.Message, state string) {
	p.Publish(parent, "status", map[string]string{"execution_state": state})
}

// Stream publishes text on the stdout or stderr stream.
func (p *Publisher) Stream(parent *wire.Message, name, text string) {
	p.Publish(parent, "stream", map[string]string{"name": name, "text": text})
}

// ExecuteInput publishes the code being executed and its execution count.
func (p *Publisher) ExecuteInput(parent *wire.Message, code string, count int) {
	p.Publish(parent, "execute_input", map[string]any{"code": code, "execution_count": count})
}

// ExecuteResult publishes the value of a cell.
func (p *Publisher) ExecuteResult(parent *wire.Message, count int, b content.Bundle) {
	p.Publish(parent, "execute_result", map[string]any{
		"execution_count": count, "data": b.Data, "metadata": orEmpty(b.Metadata)})
}

// Display publishes display_data, or update_display_data when update is true
// (which needs a display_id in b.Transient).
func (p *Publisher) Display(parent *wire.Message, b content.Bundle, update bool) {
	typ := "display_data"
	if update {
		typ = "update_display_data"
	}
	content := map[string]any{"data": b.Data, "metadata": orEmpty(b.Metadata)}
	if b.Transient != nil {
		content["transient"] = b.Transient
	} else {
		content["transient"] = map[string]any{}
	}
	p.Publish(parent, typ, content)
}

// ClearOutput publishes clear_output.
func (p *Publisher) ClearOutput(parent *wire.Message, wait bool) {
	p.Publish(parent, "clear_output", map[string]bool{"wait": wait})
}

// PublishError publishes an error message for e.
func (p *Publisher) PublishError(parent *wire.Message, e *content.Error) {
	p.Publish(parent, "error", e)
}

// Welcome publishes iopub_welcome (JEP 65) to new subscribers.
func (p *Publisher) Welcome(topic string) {
	p.Publish(nil, "iopub_welcome", map[string]string{"subscription": topic})
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
