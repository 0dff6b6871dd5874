package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"gosys/kernel/wire"
)

// session is a started kernel with a connected client.
type session struct {
	proc   *kernelProcess
	client *client
	// kernelInfo is the content of the kernel's kernel_info_reply.
	kernelInfo map[string]any
	logf       func(string, ...any)
}

// startSession starts a kernel with argv, connects to it and waits until it
// answers kernel_info_request and its iopub messages reach us, or until
// timeout, ctx's end or the kernel's exit.
func startSession(ctx context.Context, argv []string, stderr io.Writer, timeout time.Duration, logf func(string, ...any)) (*session, error) {
	proc, err := startKernel(argv, stderr)
	if err != nil {
		return nil, err
	}
	s := &session{proc: proc, logf: logf}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("kernel not ready after %v", timeout))
	defer cancel()
	go func() { // a kernel that dies while we dial ends the wait
		select {
		case <-proc.exited:
			cancel()
		case <-ctx.Done():
		}
	}()
	s.client, err = dialClient(ctx, proc.info, logf)
	if err == nil {
		err = s.waitReady(ctx)
	}
	if err != nil {
		select {
		case <-proc.exited:
			err = proc.died()
		default:
		}
		s.shutdown(time.Second)
		return nil, fmt.Errorf("start kernel: %w", err)
	}
	return s, nil
}

// waitReady sends kernel_info_request until a reply has come on shell and
// some message on iopub: a kernel publishes iopub_welcome or status when
// the subscription reaches it, and busy/idle around each request, so once
// both have arrived no output of the first cell can be lost.
func (s *session) waitReady(ctx context.Context) error {
	var reply *wire.Message
	sawIOPub := false
	retry := time.NewTicker(250 * time.Millisecond)
	defer retry.Stop()
	for reply == nil || !sawIOPub {
		if _, err := s.client.send(s.client.shell, "kernel_info_request", map[string]any{}); err != nil {
			return err
		}
		for wait := true; wait && (reply == nil || !sawIOPub); {
			select {
			case m := <-s.client.Shell:
				if m.Header.MsgType == "kernel_info_reply" {
					reply = m
				}
			case <-s.client.IOPub:
				sawIOPub = true
			case <-retry.C:
				wait = false
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
	}
	s.kernelInfo = decodeContent(reply)
	return nil
}

// shutdown asks the kernel to shut down on control, waits up to grace for
// it to exit, then terminates its process group; it closes the sockets and
// removes the connection file. It reports whether the kernel left on
// request.
func (s *session) shutdown(grace time.Duration) (clean bool, err error) {
	select {
	case <-s.proc.exited:
	default:
		if s.client != nil {
			if _, err := s.client.send(s.client.control, "shutdown_request", map[string]any{"restart": false}); err != nil {
				s.logf("%v", err)
			}
		}
		clean = s.proc.waitExit(grace)
		if !clean {
			sig := s.proc.terminate(2 * time.Second)
			err = fmt.Errorf("kernel did not exit within %v of shutdown_request; ended it with %s", grace, sig)
		}
	}
	if s.client != nil {
		s.client.Close()
	}
	return clean, errors.Join(err, s.proc.cleanup())
}
