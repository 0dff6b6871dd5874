package supervise

import (
	"time"

	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"gosys/internal/link"
)

// proc is one session process as the kernel sees it.
type proc struct {
	pid  int
	link *link.Conn

	ready chan struct{} // closed when its hello arrived
	dead  chan struct{} // closed when it ended (reaped) and its link closed

	mu      sync.Mutex
	pending map[uint64]chan *link.Message // requests waiting for a reply
	nextID  uint64
	status  syscall.WaitStatus // once dead
	killed  string             // why the kernel killed it, "" if it did not
	stuck   string             // where its interrupted cell was blocked
	frames  []string           // of the last panic the session reported
	frameG  uint64             // the goroutine of frames
	frameAt time.Time          // when the last frame came
	exited  chan struct{}      // closed when reaped
	linkEOF chan struct{}      // closed when its link closed
}

// spawn starts a session process: the gosys binary in session mode, with
// stdin, stdout and stderr as its descriptors 0, 1 and 2, its end of a new
// link and the display socket. events receives the messages that are not
// replies.
func (s *Supervisor) spawn(stdin int) (*proc, error) {
	mine, theirs, err := link.Pair()
	if err != nil {
		return nil, err
	}
	stdout, stderr := s.cfg.Output.Writers()
	files := []uintptr{uintptr(stdin), uintptr(stdout), uintptr(stderr), uintptr(theirs.FD()), uintptr(s.cfg.Display)}
	env := append(os.Environ(),
		"GOSYS_LINK_FD=3",
		"GOSYS_DISPLAY_FD=4",
	)
	if _, ok := os.LookupEnv("GOTRACEBACK"); !ok {
		// A crash writes its headline only: goroutine dumps of the
		// interpreter's internals would bury it in the cell.
		env = append(env, "GOTRACEBACK=none", quietTracebackEnv+"=1")
	}
	args := []string{"gosys", "session",
		"--max-children", strconv.Itoa(s.cfg.MaxChildren),
		"--memory-limit", strconv.FormatInt(s.cfg.MemoryLimit, 10),
		"--warm-children", strconv.Itoa(s.cfg.WarmChildren),
	}
	pid, err := syscall.ForkExec(s.cfg.Exe, args, &syscall.ProcAttr{Env: env, Files: files})
	// Close only this process's copy: Conn.Close would shut the socket
	// down for the session too.
	unix.Close(theirs.FD())
	if err != nil {
		mine.Close()
		return nil, fmt.Errorf("start the session process: %w", err)
	}
	p := &proc{
		pid: pid, link: mine,
		ready: make(chan struct{}), dead: make(chan struct{}),
		exited: make(chan struct{}), linkEOF: make(chan struct{}),
		pending: map[uint64]chan *link.Message{},
	}
	watchChild(p)
	go p.read(s)
	go func() {
		<-p.exited
		<-p.linkEOF
		close(p.dead)
	}()
	return p, nil
}

// quietTracebackEnv tells a session that GOTRACEBACK=none in its
// environment is gosys's, not the user's: it keeps it for its forked
// children and not for the programs cells run.
const quietTracebackEnv = "GOSYS_QUIET_TRACEBACK"

// read receives the session's messages until its link closes.
func (p *proc) read(s *Supervisor) {
	defer close(p.linkEOF)
	for {
		m, err := p.link.Recv()
		if err != nil {
			p.mu.Lock()
			for id, c := range p.pending {
				close(c)
				delete(p.pending, id)
			}
			p.mu.Unlock()
			return
		}
		switch m.Type {
		case link.TypeHello:
			select {
			case <-p.ready:
			default:
				close(p.ready)
			}
		case link.TypeDecls:
			var r link.Recipe
			if err := m.Decode(&r); err == nil {
				s.recipe.merge(r)
			}
		case link.TypeGoroutinePanic:
			var gp link.GoroutinePanic
			if err := m.Decode(&gp); err == nil && s.cfg.Notify != nil {
				s.cfg.Notify(gp.Cell, gp.Err, false)
			}
		case link.TypeFrame:
			var f link.Frame
			if err := m.Decode(&f); err == nil {
				p.mu.Lock()
				if f.G != p.frameG || time.Since(p.frameAt) > frameAge {
					p.frames, p.frameG = nil, f.G
				}
				if len(p.frames) < 32 {
					p.frames = append(p.frames, f.Text)
				}
				p.frameAt = time.Now()
				p.mu.Unlock()
			}
		case link.TypeStuck:
			var st link.Stuck
			if err := m.Decode(&st); err == nil {
				p.mu.Lock()
				p.stuck = st.Where
				p.mu.Unlock()
			}
		default:
			p.mu.Lock()
			c := p.pending[m.ID]
			delete(p.pending, m.ID)
			p.mu.Unlock()
			if c != nil {
				c <- m
			}
		}
		for _, fd := range m.FDs {
			unix.Close(fd)
		}
	}
}

// errSessionGone is returned for a request whose session ended first.
var errSessionGone = errors.New("the session process ended")

// request sends a request and returns the channel its reply arrives on
// (closed without a value if the session ends first).
func (p *proc) request(typ string, body any) (<-chan *link.Message, error) {
	c := make(chan *link.Message, 1)
	p.mu.Lock()
	p.nextID++
	id := p.nextID
	p.pending[id] = c
	p.mu.Unlock()
	if err := p.link.Send(typ, id, body); err != nil {
		p.mu.Lock()
		delete(p.pending, id)
		p.mu.Unlock()
		return nil, fmt.Errorf("%w: %v", errSessionGone, err)
	}
	return c, nil
}

// ended records the process's wait status once it was reaped.
func (p *proc) ended(ws syscall.WaitStatus) {
	p.mu.Lock()
	p.status = ws
	p.mu.Unlock()
	close(p.exited)
}

// kill ends the process with SIGKILL, recording why.
func (p *proc) kill(reason string) {
	p.mu.Lock()
	if p.killed == "" {
		p.killed = reason
	}
	p.mu.Unlock()
	_ = unix.Kill(p.pid, unix.SIGKILL)
}

// isDead reports whether the process ended.
func (p *proc) isDead() bool {
	select {
	case <-p.dead:
		return true
	default:
		return false
	}
}
