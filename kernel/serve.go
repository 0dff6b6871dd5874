// Package kernel wires the gosys kernel process together: connection file,
// sockets, the session's output, the session process and the dispatcher.
// The kernel process never runs a cell: the session process does (see
// kernel/supervise and docs/architecture.md).
package kernel

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	"gosys/internal/content"
	"gosys/internal/fdspace"
	"gosys/kernel/capture"
	"gosys/kernel/conn"
	"gosys/kernel/dispatch"
	"gosys/kernel/publish"
	"gosys/kernel/supervise"
	"gosys/kernel/wire"
)

// Version is the gosys version, reported in kernel_info_reply.
const Version = "0.2.0"

// Options configure Serve.
type Options struct {
	// ConnectionFile is the path Jupyter passes with -f.
	ConnectionFile string
	// LogFile receives the kernel's own log; empty means stderr.
	LogFile string
	// Limits of the session process.
	Limits Limits
}

// Serve runs a kernel for one connection file until it is shut down.
func Serve(opts Options) error {
	fdspace.CloseInherited()
	info, err := conn.ReadInfo(opts.ConnectionFile)
	if err != nil {
		return err
	}
	logger := log.New(os.Stderr, LogPrefix(opts.ConnectionFile), log.LstdFlags|log.Lmicroseconds)
	if opts.LogFile != "" {
		f, err := os.OpenFile(opts.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("open log file: %w", err)
		}
		defer f.Close()
		logger.SetOutput(f)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the gosys binary: %w", err)
	}
	signer, err := wire.NewSignerScheme(info.SignatureScheme, []byte(info.Key))
	if err != nil {
		return err
	}
	for _, w := range info.Warnings() {
		logger.Printf("WARNING: %s", w)
	}
	socks, err := conn.Bind(info, logger)
	if err != nil {
		return err
	}
	defer socks.Close()
	pub := publish.New(socks.IOPub, signer, logger)

	out, err := capture.NewOutput(pub, opts.Limits.MaxOutput)
	if err != nil {
		return err
	}
	display, err := out.StartDisplay(pub, logger.Printf)
	if err != nil {
		return err
	}
	var k *dispatch.Kernel
	sup, err := supervise.New(supervise.Config{
		Exe: exe, Output: out, Display: display.Writer(), Input: capture.NewInput(),
		MaxChildren: opts.Limits.MaxChildren, MemoryLimit: opts.Limits.Memory,
		WarmChildren: opts.Limits.WarmChildren, InterruptGrace: opts.Limits.InterruptGrace,
		Notify: func(cell int, e *content.Error, restarted bool) { k.CellError(cell, e, restarted) },
		Log:    logger,
	})
	if err != nil {
		return err
	}
	k = dispatch.New(dispatch.Config{
		Channels: dispatch.Channels{
			Shell: socks.Shell, Control: socks.Control, Stdin: socks.Stdin, HB: socks.HB,
			Topics: socks.IOPub.Topics,
		},
		Signer: signer, Publisher: pub, Output: out,
		Eval: sup, Shutdown: sup.Close, Log: logger,
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
	go watchLauncher(k, logger)
	if path := os.Getenv("GOSYS_KERNEL_CPUPROFILE"); path != "" {
		// For measuring gosys itself (bench/README.md): from here to shutdown.
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			defer f.Close()
			defer pprof.StopCPUProfile()
		}
	}
	restart := k.Run(context.Background())
	logger.Printf("shut down (restart=%v)", restart)
	if path := os.Getenv("GOSYS_KERNEL_HEAPPROFILE"); path != "" {
		// For measuring gosys itself (bench/README.md).
		if f, err := os.Create(path); err == nil {
			runtime.GC()
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	return nil
}

// watchLauncher shuts the kernel down when the process that started it is
// gone (it was re-parented), as ipykernel's parent poller does: a kernel
// nobody can reach must not run on, let alone spin in a cell.
func watchLauncher(k *dispatch.Kernel, logger *log.Logger) {
	parent := os.Getppid()
	if parent == 1 {
		return // started detached on purpose: nothing to watch
	}
	for range time.Tick(launcherPoll) {
		if os.Getppid() != parent {
			logger.Printf("the process that started the kernel (pid %d) is gone: shutting down", parent)
			k.Stop()
			return
		}
	}
}

// launcherPoll is how often the kernel checks its launcher is alive.
const launcherPoll = time.Second

// Limits are the limits of each session process; the kernelspec's env or
// the command line set them (see ParseLimits).
type Limits struct {
	// MaxChildren is how many processes rt.Fork may have started and not
	// reaped at once, in the whole session tree.
	MaxChildren int
	// Memory caps the memory of the session and the processes it starts,
	// in bytes.
	Memory int64
	// MaxOutput is how many bytes of output one cell may publish.
	MaxOutput int64
	// InterruptGrace is how long an interrupted cell may take to stop
	// before the session is restarted.
	InterruptGrace time.Duration
	// WarmChildren is how many forked children wait ready for rt.Fork
	// (about 25 MB each): 0 makes every fork start a process from scratch,
	// for a class where memory matters more than fork time.
	WarmChildren int
}
