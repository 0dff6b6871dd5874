package capture

import (
	"gosys/internal/content"

	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"

	"gosys/kernel/wire"
	"gosys/rt/displaywire"
)

// DisplaySink publishes what rt's display calls send; the publisher
// implements it.
type DisplaySink interface {
	Display(parent *wire.Message, b content.Bundle, update bool)
	ClearOutput(parent *wire.Message, wait bool)
}

// Display is the socket rt's display calls write to, in the session and in
// every process it forks.
type Display struct {
	writer int // the writing end, given to each session
}

// StartDisplay opens the display socket and publishes each message that
// arrives on it as output of the cell the Output routes to, after the text
// written before it. Call Writer for the descriptor to give each session.
func (o *Output) StartDisplay(sink DisplaySink, logf func(string, ...any)) (*Display, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("display socket: %w", err)
	}
	go o.readDisplays(fds[0], sink, logf)
	return &Display{writer: fds[1]}, nil
}

// Writer returns the socket's writing end (close-on-exec).
func (d *Display) Writer() int { return d.writer }

func (o *Output) readDisplays(fd int, sink DisplaySink, logf func(string, ...any)) {
	for {
		m, ack, err := displaywire.Receive(fd)
		if errors.Is(err, io.EOF) || errors.Is(err, displaywire.ErrSocket) {
			logf("display socket closed: %v", err)
			return
		}
		if err != nil {
			logf("dropped display message: %v", err)
		} else {
			o.publishDisplay(sink, m)
		}
		ack()
	}
}

// publishDisplay publishes m after all text written before it.
func (o *Output) publishDisplay(sink DisplaySink, m displaywire.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked(true)
	switch m.Type {
	case displaywire.TypeClearOutput:
		sink.ClearOutput(o.parent, m.Wait)
	case displaywire.TypeDisplayData, displaywire.TypeUpdateDisplayData:
		sink.Display(o.parent, content.Bundle{Data: m.Data, Metadata: m.Metadata, Transient: m.Transient},
			m.Type == displaywire.TypeUpdateDisplayData)
	}
}
