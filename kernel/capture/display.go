package capture

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"gosys/kernel/publish"
	"gosys/kernel/wire"
	"gosys/runtime/displaywire"
)

// DisplaySink publishes what rt's display calls send; the publisher
// implements it.
type DisplaySink interface {
	Display(parent *wire.Message, b publish.Bundle, update bool)
	ClearOutput(parent *wire.Message, wait bool)
}

// StartDisplay opens the socket rt's display calls write to (in this process
// and in every child, which inherits it), names its descriptor in the
// environment for rt, and publishes each message as output of the cell the
// Output routes to, after the text written before it. It is meant to be
// called once per process, before any cell runs.
func (o *Output) StartDisplay(sink DisplaySink, logf func(string, ...any)) error {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("display socket: %w", err)
	}
	// The writing end stays open across exec: children reach the notebook too.
	if _, err := unix.FcntlInt(uintptr(fds[1]), unix.F_SETFD, 0); err != nil {
		return fmt.Errorf("display socket: %w", err)
	}
	if err := os.Setenv(displaywire.EnvFD, strconv.Itoa(fds[1])); err != nil {
		return fmt.Errorf("display socket: %w", err)
	}
	go o.readDisplays(fds[0], sink, logf)
	return nil
}

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
		sink.Display(o.parent, publish.Bundle{Data: m.Data, Metadata: m.Metadata, Transient: m.Transient},
			m.Type == displaywire.TypeUpdateDisplayData)
	}
}
