// Package session is the session process: the one process where learner
// code runs. The kernel process starts it (`gosys session`), talks to it
// over a link (internal/link), gives it pipes as descriptors 0, 1 and 2,
// and starts a fresh one whenever it dies. It owns the Go interpreter, the
// rt package's state and every process rt.Fork starts; forked children are
// its children, and orphans of theirs are adopted by it.
package session

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"gosys/internal/content"
	"gosys/internal/fdspace"
	"gosys/internal/link"
	"gosys/rt/cellctl"
	"gosys/rt/displaywire"
	"gosys/session/eval"
	"gosys/session/fork"
	"gosys/session/symbols"
)

// EnvLinkFD names the environment variable holding the session's end of the
// link to the kernel.
const EnvLinkFD = "GOSYS_LINK_FD"

// Config is what the kernel tells the session at start.
type Config struct {
	// MaxChildren limits the processes rt.Fork may have started and not
	// reaped at once, in the whole session tree.
	MaxChildren int
	// MemoryLimit caps the memory of the session process and of each
	// process it forks, in bytes; 0 for none.
	MemoryLimit int64
	// WarmChildren is how many forked children wait ready.
	WarmChildren int
}

// server is the session process's state.
type server struct {
	link *link.Conn
	sess *eval.Session
	logf func(string, ...any)

	// cellMu runs cells one at a time, with what follows each (PrimeForker).
	cellMu sync.Mutex

	mu      sync.Mutex
	cancel  context.CancelFunc // of the running cell; nil when idle
	cell    int                // the running cell's number
	stuck   *time.Timer        // reports where an interrupted cell blocks
	decls   declState
	running sync.WaitGroup // cells and requests in progress
}

// Serve is the life of the session process. It returns the process's exit
// status.
func Serve(cfg Config) int {
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "gosys session: "+format+"\n", args...)
	}
	linkFD, err := startDescriptors()
	if err != nil {
		logf("%v", err)
		return 1
	}
	l := link.New(linkFD)
	if err := startProcess(cfg); err != nil {
		logf("%v", err)
		return 1
	}
	sv := &server{link: l, logf: logf}
	opts := interpOptions()
	opts.GoPanic = sv.goroutinePanic
	opts.PanicFrame = func(g uint64, line string) {
		sv.reply(link.TypeFrame, 0, link.Frame{G: g, Text: line})
	}
	if cfg.WarmChildren > 0 {
		// Empty until the first fork: a notebook that never forks pays
		// nothing for it.
		opts.Forker = fork.NewPool(cfg.WarmChildren, func(f string, a ...any) { logf(f, a...) })
	}
	sess, err := eval.New(opts)
	if err != nil {
		logf("%v", err)
		return 1
	}
	sv.sess = sess
	if path := os.Getenv(EnvCPUProfile); path != "" {
		stop, err := startProfile(path)
		if err != nil {
			logf("%v", err)
		} else {
			defer stop()
		}
	}
	go sv.signals()
	go reapOrphans()
	if err := l.Send(link.TypeHello, 0, link.Hello{Pid: os.Getpid()}); err != nil {
		logf("hello: %v", err)
		return 1
	}
	return sv.loop()
}

// startDescriptors moves gosys's own descriptors out of the learner's
// numbers and starts Go's poller there (see fdspace), so that the cells see
// the table of a fresh C process: 0, 1, 2, and nothing else. It returns the
// link's descriptor.
func startDescriptors() (int, error) {
	linkFD, err := fdspace.LiftEnv(EnvLinkFD)
	if err != nil {
		return -1, err
	}
	if linkFD < 0 {
		return -1, fmt.Errorf("%s is not set: the session is started by the kernel", EnvLinkFD)
	}
	os.Unsetenv(EnvLinkFD) // not for children
	if _, err := fdspace.LiftEnv(displaywire.EnvFD); err != nil {
		return -1, err
	}
	if err := fdspace.StartRuntime(); err != nil {
		fmt.Fprintf(os.Stderr, "gosys session: %v\n", err)
	}
	// Anything else a launcher left open below the floor is not the
	// learner's.
	fdspace.CloseFrom(3, nil)
	return linkFD, nil
}

// loop serves the kernel's messages until the link closes or a shutdown.
func (sv *server) loop() int {
	for {
		m, err := sv.link.Recv()
		if err != nil {
			if err != io.EOF {
				sv.logf("link: %v", err)
			}
			// The kernel is gone: so is everything the cells started.
			terminate()
			return 0
		}
		switch m.Type {
		case link.TypeExecute:
			var req link.Execute
			if err := m.Decode(&req); err != nil {
				sv.reply(link.TypeResult, m.ID, link.Result{Err: content.NewError("BadRequest", err.Error())})
				continue
			}
			sv.running.Add(1)
			go func() {
				defer sv.running.Done()
				sv.execute(m.ID, req)
			}()
		case link.TypeComplete:
			var req link.Complete
			if m.Decode(&req) == nil {
				go func() {
					c := sv.sess.Complete(req.Code, req.Cursor)
					sv.reply(link.TypeComplete, m.ID, link.Completion{Matches: c.Matches, Start: c.Start, End: c.End})
				}()
			}
		case link.TypeInspect:
			var req link.Inspect
			if m.Decode(&req) == nil {
				go func() {
					text, found := sv.sess.Inspect(req.Code, req.Cursor)
					sv.reply(link.TypeInspect, m.ID, link.Inspection{Text: text, Found: found})
				}()
			}
		case link.TypeRestore:
			var r link.Recipe
			if err := m.Decode(&r); err != nil {
				sv.reply(link.TypeRestore, m.ID, link.Restored{Failed: []string{err.Error()}})
				continue
			}
			restored := sv.sess.Restore(r)
			sv.sendDecls() // what is declared now is the kernel's copy already
			sv.reply(link.TypeRestore, m.ID, restored)
		case link.TypeInterrupt:
			var req link.Interrupt
			_ = m.Decode(&req) // a bare interrupt is fine too
			sv.interrupt(time.Duration(req.StuckAfterMS) * time.Millisecond)
		case link.TypeStdin:
			sv.newStdin(m.FDs)
		case link.TypeShutdown:
			sv.interrupt(0)
			terminate()
			writeHeapProfile()
			return 0
		default:
			sv.logf("link: unknown message type %q", m.Type)
			for _, fd := range m.FDs {
				syscall.Close(fd)
			}
		}
	}
}

// reply sends a reply; a failure means the kernel is gone, which the
// receiving loop sees too.
func (sv *server) reply(typ string, id uint64, body any) {
	if err := sv.link.Send(typ, id, body); err != nil {
		sv.logf("send %s: %v", typ, err)
	}
}

// execute runs one cell and sends its declarations, then its result.
func (sv *server) execute(id uint64, req link.Execute) {
	sv.cellMu.Lock()
	defer sv.cellMu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	sv.mu.Lock()
	sv.cancel, sv.cell = cancel, req.Cell
	sv.mu.Unlock()
	defer func() {
		sv.mu.Lock()
		sv.cancel = nil
		if sv.stuck != nil {
			sv.stuck.Stop()
			sv.stuck = nil
		}
		sv.mu.Unlock()
		cancel()
	}()
	if err := cellctl.Begin(); err != nil {
		sv.logf("%v", err)
	}
	symbols.BeginCell()
	sv.sess.SetCell(req.Cell)
	out := sv.sess.Execute(ctx, req.Code)
	res := link.Result{Value: out.Result, Err: out.Err, Page: out.Page}
	if out.Err == nil && len(req.UserExpressions) > 0 {
		res.Expressions = map[string]link.Expression{}
		for name, code := range req.UserExpressions {
			o := sv.sess.Execute(context.Background(), code)
			res.Expressions[name] = link.Expression{Value: o.Result, Err: o.Err}
		}
	}
	sv.sendDecls()
	sv.reply(link.TypeResult, id, res)
	// After the reply, before the next cell (which waits for cellMu): the
	// warm children learn this cell's declarations.
	sv.sess.PrimeForker()
}

// interrupt stops the running cell: the interpreter stops at its next
// statement, rt's blocking calls and the interruptible standard library
// calls return. If the cell is still running after stuckAfter (a second if
// 0), the kernel learns where it is blocked.
func (sv *server) interrupt(stuckAfter time.Duration) {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	if sv.cancel == nil {
		return
	}
	// The interpreter stops first: the calls woken below must find nothing
	// more of the cell to run.
	sv.sess.Stop()
	sv.cancel()
	cellctl.Interrupt()
	symbols.Interrupt()
	if stuckAfter <= 0 {
		stuckAfter = time.Second
	}
	if sv.stuck == nil {
		cell := sv.cell
		sv.stuck = time.AfterFunc(stuckAfter, func() {
			sv.reply(link.TypeStuck, 0, link.Stuck{Cell: cell, Where: stuckWhere()})
		})
	}
}

// goroutinePanic reports a panic that ended a goroutine of a cell.
func (sv *server) goroutinePanic(cell int, e *content.Error) {
	sv.reply(link.TypeGoroutinePanic, 0, link.GoroutinePanic{Cell: cell, Err: e})
}

// newStdin puts the passed pipe behind descriptor 0.
func (sv *server) newStdin(fds []int) {
	if len(fds) != 1 {
		sv.logf("stdin: %d descriptors, want 1", len(fds))
		for _, fd := range fds {
			syscall.Close(fd)
		}
		return
	}
	if err := syscall.Dup3(fds[0], 0, 0); err != nil {
		sv.logf("stdin: %v", err)
	}
	syscall.Close(fds[0])
}

// signals handles the signals the session gets: SIGTERM (also its
// parent-death signal: the kernel died) ends every process the cells
// started, then the session; SIGINT interrupts the running cell, as
// jupyter_client's signal mode sends it to the whole process group.
func (sv *server) signals() {
	c := make(chan os.Signal, 4)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	for s := range c {
		switch s {
		case syscall.SIGINT:
			sv.interrupt(0)
		default:
			terminate()
			os.Exit(0)
		}
	}
}
