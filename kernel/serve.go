// Package kernel wires the gosys kernel together: connection file, sockets,
// descriptor capture, the Go session and the dispatcher.
package kernel

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/traefik/yaegi/interp"
	"golang.org/x/sys/unix"

	"gosys/kernel/capture"
	"gosys/kernel/conn"
	"gosys/kernel/dispatch"
	"gosys/kernel/eval"
	"gosys/kernel/fork"
	"gosys/kernel/publish"
	"gosys/kernel/rtsymbols"
	"gosys/kernel/symbols"
	"gosys/kernel/wire"
	"gosys/runtime/cellctl"
)

// Version is the gosys version, reported in kernel_info_reply.
const Version = "0.1.0"

// Options configure Serve.
type Options struct {
	// ConnectionFile is the path Jupyter passes with -f.
	ConnectionFile string
	// LogFile receives the kernel's own log; empty means the original stderr.
	LogFile string
}

// Serve runs a kernel for one connection file until it is shut down. It
// takes over the process's descriptors 0, 1 and 2: call it once, from main.
func Serve(opts Options) error {
	// Descriptors a launcher leaked to us (not close-on-exec) would show in
	// every rt.ShowFDs and every forked child: a fresh kernel has none.
	closeInherited()
	info, err := conn.ReadInfo(opts.ConnectionFile)
	if err != nil {
		return err
	}
	signer := wire.NewSigner([]byte(info.Key))
	logger := log.New(os.Stderr, "gosys: ", log.LstdFlags|log.Lmicroseconds)

	socks, err := conn.Bind(info, logger)
	if err != nil {
		return err
	}
	defer socks.Close()
	if info.Transport == "tcp" {
		cellctl.SetKernelPorts(info.ShellPort, info.IOPubPort, info.StdinPort, info.ControlPort, info.HBPort)
	}
	pub := publish.New(socks.IOPub, signer, logger)

	out, origStderr, err := capture.StartOutput(pub)
	if err != nil {
		return err
	}
	// From here on fd 2 is a cell's stderr: the log and crash reports go to
	// the original stderr (or the log file) instead.
	var logOut io.Writer = origStderr
	if opts.LogFile != "" {
		f, err := os.OpenFile(opts.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("open log file: %w", err)
		}
		defer f.Close()
		logOut = f
	}
	logger.SetOutput(logOut)
	log.SetOutput(logOut) // yaegi logs through the standard logger
	_ = debug.SetCrashOutput(origStderr, debug.CrashOptions{})

	if err := out.StartDisplay(pub, logger.Printf); err != nil {
		return err
	}
	// Orphaned grandchildren (a forked child's own children) are re-parented
	// to the kernel, so shutdown can end them too.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		logger.Printf("PR_SET_CHILD_SUBREAPER: %v", err)
	}
	in, err := capture.StartInput()
	if err != nil {
		return err
	}
	sessOpts := sessionOptions()
	// Warm children make rt.Fork cheap; the first ones start while the
	// kernel answers its first requests.
	pool := fork.NewPool(forkPoolSize, logger.Printf)
	go pool.Fill()
	sessOpts.Forker = pool
	session, err := eval.New(sessOpts)
	if err != nil {
		return err
	}
	k := dispatch.New(dispatch.Config{
		Sockets: socks, Signer: signer, Publisher: pub, Output: out, Input: in,
		Eval: session, Interrupter: cellScope{}, Log: logger,
		Shutdown: endChildren,
		Info: dispatch.KernelInfo{
			Implementation: "gosys", ImplementationVersion: Version,
			Banner: "gosys " + Version + ": Go cells with real fork, pipes and sockets",
		},
	})

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for s := range sigs {
			if s == syscall.SIGINT {
				logger.Printf("SIGINT: interrupting the cell")
				k.Interrupt()
			} else {
				logger.Printf("SIGTERM: shutting down")
				k.Stop()
			}
		}
	}()
	restart := k.Run(context.Background())
	logger.Printf("shut down (restart=%v)", restart)
	return nil
}

// cellScope connects the dispatcher's cell lifecycle to rt's interruptible
// calls.
type cellScope struct{}

func (cellScope) Begin()     { _ = cellctl.Begin() }
func (cellScope) Interrupt() { cellctl.Interrupt() }

// forkPoolSize is how many warm children wait for rt.Fork.
const forkPoolSize = 3

// sessionOptions are the Go session's options, the same in the kernel and
// in its forked children.
func sessionOptions() eval.Options {
	return eval.Options{
		Symbols: []interp.Exports{symbols.Stdlib(), rtsymbols.Symbols},
		Sources: symbols.GenericSources(),
		Prelude: []string{symbols.Prelude(), `import rt "gosys/runtime"`},
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
	}
}
