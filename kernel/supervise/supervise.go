// Package supervise is the kernel's hold on the session process, where
// cells run: it starts it, forwards cells and questions to it over the
// link, and when it dies (a fatal error, a signal, memory, an interrupt it
// could not honour) reports why in the learner's terms and starts a fresh
// one with the earlier cells' declarations declared again. The kernel
// process never runs a cell.
package supervise

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"gosys/internal/content"
	"gosys/internal/link"
	"gosys/internal/procfs"
	"gosys/kernel/capture"
)

// Config is what a Supervisor is built from.
type Config struct {
	// Exe is the gosys binary, started as "gosys session".
	Exe string
	// Output and Display are the pipes and socket every session writes to;
	// Input answers its reads of descriptor 0.
	Output  *capture.Output
	Display int
	Input   *capture.Input
	// Limits of each session (see session.Config).
	MaxChildren  int
	MemoryLimit  int64
	WarmChildren int
	// InterruptGrace is how long an interrupted cell may take to stop
	// before the session is restarted.
	InterruptGrace time.Duration
	// Notify publishes an error as output of a cell that is not (or no
	// longer) the one running: a goroutine's panic (restarted false), or
	// the death of a session while no cell ran (restarted true).
	Notify func(cell int, e *content.Error, restarted bool)
	Log    *log.Logger
}

// Supervisor runs cells in a session process. Execute may not be called
// concurrently; the other methods may be called at any time.
type Supervisor struct {
	cfg    Config
	recipe recipeStore
	// restartMu makes restarts one at a time: a cell and the watcher of an
	// idle session may both find the session dead.
	restartMu sync.Mutex

	mu       sync.Mutex
	cur      *proc                      // the session cells run in; nil while it is replaced
	spare    *proc                      // a session started ahead of a likely restart
	procs    map[int]*proc              // every session process not reaped yet, by pid
	early    map[int]syscall.WaitStatus // reaped before they were tracked
	running  bool                       // an Execute is in progress
	lastCell int                        // the cell that ran last
	stdinFor int                        // the pid whose descriptor 0 is Input's current pipe
	closing  bool
	starting bool // a spare is being started
}

// New starts the first session and returns at once; cells wait for it.
func New(cfg Config) (*Supervisor, error) {
	if cfg.InterruptGrace <= 0 {
		cfg.InterruptGrace = 2 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = log.New(os.Stderr, "gosys: ", log.LstdFlags)
	}
	// The orphans of a dead session's processes come to the kernel, which
	// ends them.
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		cfg.Log.Printf("PR_SET_CHILD_SUBREAPER: %v", err)
	}
	s := &Supervisor{cfg: cfg}
	p, err := s.start()
	if err != nil {
		return nil, err
	}
	s.cur = p
	return s, nil
}

// start spawns a session process with /dev/null as descriptor 0 (a cell
// gets Input's pipe before it runs) and watches it.
func (s *Supervisor) start() (*proc, error) {
	null, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open /dev/null: %w", err)
	}
	defer unix.Close(null)
	p, err := s.spawn(null)
	if err != nil {
		return nil, err
	}
	go s.watch(p)
	if s.cfg.MemoryLimit > 0 {
		go s.watchMemory(p)
	}
	return p, nil
}

// watch handles the death of a session while no cell runs in it: the cell
// that ran last gets the report, and a fresh session starts.
func (s *Supervisor) watch(p *proc) {
	<-p.dead
	s.mu.Lock()
	idle := s.cur == p && !s.running && !s.closing
	if idle {
		s.cur = nil
	}
	cell := s.lastCell
	s.mu.Unlock()
	if !idle {
		return
	}
	e := s.afterDeath(p)
	s.cfg.Log.Printf("session %d died while idle: %s: %s", p.pid, e.Name, e.Value)
	if s.cfg.Notify != nil {
		s.cfg.Notify(cell, e, true)
	}
}

// watchMemory kills p when it and its processes use more memory than the
// limit.
func (s *Supervisor) watchMemory(p *proc) {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.dead:
			return
		case <-tick.C:
		}
		total, _ := procfs.RSS(p.pid)
		for _, d := range procfs.Descendants(p.pid) {
			if n, err := procfs.RSS(d); err == nil {
				total += n
			}
		}
		if total > s.cfg.MemoryLimit {
			s.cfg.Log.Printf("session %d uses %d bytes, over the limit of %d: killing it", p.pid, total, s.cfg.MemoryLimit)
			p.kill(killMemory)
			return
		}
	}
}

// Why the kernel killed a session.
const (
	killInterrupt = "interrupt"
	killMemory    = "memory"
	killShutdown  = "shutdown"
	killHung      = "hung"
)

// current returns the live session, starting one if there is none, and
// waits until it is ready or ctx ends.
func (s *Supervisor) current(ctx context.Context) (*proc, error) {
	s.mu.Lock()
	p := s.cur
	s.mu.Unlock()
	if p == nil || p.isDead() {
		var err error
		if p, err = s.replace(); err != nil {
			return nil, err
		}
	}
	select {
	case <-p.ready:
		return p, nil
	case <-p.dead:
		return p, nil // the caller finds it dead and reports it
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(startTimeout):
		p.kill(killHung)
		return nil, fmt.Errorf("the session process did not start within %v", startTimeout)
	}
}

// startTimeout bounds a session's start.
const startTimeout = 60 * time.Second

// Pid returns the pid of the session cells run in now, 0 if none.
func (s *Supervisor) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return 0
	}
	return s.cur.pid
}

// MaxCell is the largest cell the session is given, in bytes of code; the
// link carries at most link.MaxFrame.
const MaxCell = 32 << 20

// Request is one cell to run.
type Request struct {
	Cell            int
	Code            string
	UserExpressions map[string]string
	// AllowStdin and Ask answer the cell's reads of descriptor 0.
	AllowStdin bool
	Ask        capture.Asker
}

// Execute runs a cell and returns its result. When ctx ends (an
// interrupt), the cell is stopped; if it has not stopped within the
// interrupt grace, the session is killed and replaced, and the result says
// so. If the session dies during the cell, the result is an error saying
// why, and a fresh session is ready when Execute returns.
func (s *Supervisor) Execute(ctx context.Context, req Request) link.Result {
	if len(req.Code) > MaxCell {
		return link.Result{Err: content.NewError("CellTooLarge", fmt.Sprintf(
			"the cell holds %s of code; a cell may hold at most %s", bytesText(int64(len(req.Code))), bytesText(MaxCell)))}
	}
	s.mu.Lock()
	s.running, s.lastCell = true, req.Cell
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running = false
		s.mu.Unlock()
	}()
	p, err := s.current(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return link.Result{Err: interrupted()}
		}
		return link.Result{Err: content.NewError("SessionError", err.Error())}
	}
	if err := s.giveStdin(p); err != nil {
		s.cfg.Log.Printf("stdin: %v", err)
	}
	inputCtx, stopInput := context.WithCancel(context.Background())
	inputDone := make(chan struct{})
	go func() {
		defer close(inputDone)
		if req.Ask != nil {
			s.cfg.Input.Serve(inputCtx, p.pid, req.AllowStdin, req.Ask)
		}
	}()
	defer func() {
		stopInput()
		<-inputDone
	}()

	replies, err := p.request(link.TypeExecute, link.Execute{Cell: req.Cell, Code: req.Code, UserExpressions: req.UserExpressions})
	if err != nil {
		return link.Result{Err: s.afterDeath(p)}
	}
	select {
	case m, ok := <-replies:
		return s.result(p, m, ok)
	case <-p.dead:
		return link.Result{Err: s.afterDeath(p)}
	case <-ctx.Done():
	}
	// Interrupted: the session stops the cell; a read of stdin gets EOF.
	_ = p.link.Send(link.TypeInterrupt, 0, link.Interrupt{StuckAfterMS: int(s.cfg.InterruptGrace.Milliseconds() * 3 / 4)})
	s.cfg.Input.EOF()
	grace := time.NewTimer(s.cfg.InterruptGrace)
	defer grace.Stop()
	ahead := time.NewTimer(s.cfg.InterruptGrace / 4)
	defer ahead.Stop()
	for {
		select {
		case m, ok := <-replies:
			if ok {
				s.dropSpare() // the cell stopped in place: no restart after all
			}
			return s.result(p, m, ok)
		case <-p.dead:
			return link.Result{Err: s.afterDeath(p)}
		case <-ahead.C:
			s.prestart()
		case <-grace.C:
			s.cfg.Log.Printf("cell %d did not stop within %v of the interrupt: restarting the session", req.Cell, s.cfg.InterruptGrace)
			p.kill(killInterrupt)
			return link.Result{Err: s.afterDeath(p)}
		}
	}
}

// result decodes a cell's result, or reports the session's death if the
// reply channel closed.
func (s *Supervisor) result(p *proc, m *link.Message, ok bool) link.Result {
	if !ok {
		return link.Result{Err: s.afterDeath(p)}
	}
	var r link.Result
	if err := m.Decode(&r); err != nil {
		return link.Result{Err: content.NewError("SessionError", err.Error())}
	}
	return r
}

// giveStdin gives p a fresh stdin pipe if its descriptor 0 is not the
// current one (a new session, or end-of-file was given).
func (s *Supervisor) giveStdin(p *proc) error {
	s.mu.Lock()
	fresh := s.stdinFor == p.pid && !s.cfg.Input.Ended()
	s.mu.Unlock()
	if fresh {
		return nil
	}
	r, err := s.cfg.Input.NewPipe()
	if err != nil {
		return err
	}
	defer unix.Close(r)
	if err := p.link.Send(link.TypeStdin, 0, nil, r); err != nil {
		return err
	}
	s.mu.Lock()
	s.stdinFor = p.pid
	s.mu.Unlock()
	return nil
}

// prestart starts a spare session, ready to replace the current one.
func (s *Supervisor) prestart() {
	s.mu.Lock()
	if s.spare != nil || s.closing || s.starting {
		s.mu.Unlock()
		return
	}
	s.starting = true
	s.mu.Unlock()
	p, err := s.start()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.starting = false
	if err != nil {
		s.cfg.Log.Printf("start a spare session: %v", err)
		return
	}
	s.spare = p
}

// dropSpare ends the spare session, if any.
func (s *Supervisor) dropSpare() {
	s.mu.Lock()
	p := s.spare
	s.spare = nil
	s.mu.Unlock()
	if p != nil {
		_ = p.link.Send(link.TypeShutdown, 0, nil)
		go func() {
			select {
			case <-p.dead:
			case <-time.After(3 * time.Second):
				p.kill(killShutdown)
			}
			p.link.Close()
		}()
	}
}

// afterDeath waits until p has ended (killing it if only its link closed),
// ends the processes it left behind, starts a fresh session with the
// earlier declarations, and returns the error that reports all this.
func (s *Supervisor) afterDeath(p *proc) *content.Error {
	select {
	case <-p.exited:
	case <-time.After(time.Second):
		p.kill(killHung)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
		}
	}
	report, head := s.cfg.Output.Crashed()
	tail := s.cfg.Output.Tail()
	if report != "" {
		// The log keeps the report whole, headline first.
		s.cfg.Log.Printf("session %d died; the Go runtime's report (%d bytes):\n%s", p.pid, len(report), report)
		// The report is what stderr got last: quote what came before it.
		switch {
		case strings.HasSuffix(tail, report):
			tail = tail[:len(tail)-len(report)]
		case len(report) >= len(tail):
			tail = ""
		}
		tail += head + "\n"
	}
	p.mu.Lock()
	var frames []string
	if time.Since(p.frameAt) < frameAge {
		frames = p.frames
	}
	e := describeDeath(p.status, p.killed, p.stuck, tail, report, frames, s.cfg)
	p.mu.Unlock()
	s.mu.Lock()
	if s.cur == p {
		s.cur = nil
	}
	s.mu.Unlock()
	s.endOrphans()
	note, err := s.restart()
	if err != nil {
		e.Traceback = append(e.Traceback, "", "The session could not be restarted: "+err.Error())
		return e
	}
	e.Traceback = append(e.Traceback, "")
	e.Traceback = append(e.Traceback, note...)
	return e
}

// replace starts (or takes the spare) session as the current one, with the
// recipe declared, unless another call did already.
func (s *Supervisor) replace() (*proc, error) {
	if _, err := s.restart(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return nil, errSessionGone
	}
	return s.cur, nil
}

// restart makes a fresh session current, declares the recipe in it and
// returns the lines that tell the learner what was declared again and what
// was lost.
func (s *Supervisor) restart() ([]string, error) {
	s.restartMu.Lock()
	defer s.restartMu.Unlock()
	s.mu.Lock()
	if s.cur != nil && !s.cur.isDead() {
		s.mu.Unlock()
		return nil, nil
	}
	p := s.spare
	s.spare = nil
	s.mu.Unlock()
	if p == nil || p.isDead() {
		var err error
		if p, err = s.start(); err != nil {
			return nil, err
		}
	}
	select {
	case <-p.ready:
	case <-p.dead:
		return nil, errors.New("the new session process died at start")
	case <-time.After(startTimeout):
		p.kill(killHung)
		return nil, fmt.Errorf("the new session process did not start within %v", startTimeout)
	}
	r := s.recipe.recipe()
	restored := link.Restored{}
	if len(r.Imports)+len(r.Decls)+len(r.Vars)+len(r.Natives) > 0 {
		c, err := p.request(link.TypeRestore, r)
		if err != nil {
			return nil, err
		}
		select {
		case m, ok := <-c:
			if !ok {
				return nil, errors.New("the new session process died while declaring the earlier cells' declarations")
			}
			if err := m.Decode(&restored); err != nil {
				return nil, err
			}
		case <-time.After(startTimeout):
			p.kill(killHung)
			return nil, errors.New("the new session process did not declare the earlier cells' declarations in time")
		}
	}
	s.mu.Lock()
	s.cur = p
	s.mu.Unlock()
	s.cfg.Log.Printf("session %d started in place of a dead one", p.pid)
	return restartNote(restored, r), nil
}

// endOrphans ends the processes a dead session left behind: the kernel
// adopted them (it is their subreaper). Session processes are left alone.
func (s *Supervisor) endOrphans() {
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		left := 0
		for _, pid := range procfs.Children(os.Getpid()) {
			if !isSession(pid) {
				_ = unix.Kill(pid, unix.SIGKILL)
				left++
			}
		}
		if left == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond) // the reaper collects them
	}
}

// Close ends the sessions and every process the cells started.
func (s *Supervisor) Close() {
	s.mu.Lock()
	s.closing = true
	var ps []*proc
	for _, p := range []*proc{s.cur, s.spare} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	s.mu.Unlock()
	for _, p := range ps {
		_ = p.link.Send(link.TypeShutdown, 0, nil)
	}
	for _, p := range ps {
		select {
		case <-p.dead:
		case <-time.After(3 * time.Second):
			p.kill(killShutdown)
		}
		p.link.Close()
	}
	s.endOrphans()
}

// Complete asks the session for completions; none when it is not ready.
func (s *Supervisor) Complete(code string, cursor int) link.Completion {
	var c link.Completion
	s.ask(link.TypeComplete, link.Complete{Code: code, Cursor: cursor}, &c)
	return c
}

// Inspect asks the session for the documentation at the cursor.
func (s *Supervisor) Inspect(code string, cursor int) (string, bool) {
	var i link.Inspection
	s.ask(link.TypeInspect, link.Inspect{Code: code, Cursor: cursor}, &i)
	return i.Text, i.Found
}

// askTimeout bounds a completion or inspection.
const askTimeout = 10 * time.Second

// ask sends a question to a ready session and decodes its answer into v;
// v is left as is when there is no ready session or no answer in time.
func (s *Supervisor) ask(typ string, body, v any) {
	s.mu.Lock()
	p := s.cur
	s.mu.Unlock()
	if p == nil {
		return
	}
	select {
	case <-p.ready:
	default:
		return
	}
	c, err := p.request(typ, body)
	if err != nil {
		return
	}
	select {
	case m, ok := <-c:
		if ok {
			_ = m.Decode(v)
		}
	case <-time.After(askTimeout):
	}
}

func interrupted() *content.Error {
	return content.NewError("Interrupted", "the cell was interrupted")
}
