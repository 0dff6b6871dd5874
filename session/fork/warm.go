package fork

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"gosys/internal/fdspace"
	"io"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// A warm child is the gosys binary started in child mode ahead of time: it
// builds its interpreter, then waits on a control socket for a payload and
// the parent's descriptors (SCM_RIGHTS), places them at their numbers, and
// runs. That removes the exec and the interpreter's start-up (most of a
// fork's cost) from rt.Fork.
//
// The handoff on the control socket (a SOCK_STREAM socketpair):
//
//	parent → child: 4-byte big-endian length N, then N bytes of JSON handoff,
//	                with the descriptors attached to the first byte;
//	child → parent: one byte, 'y' when the child took over, 'n' when it
//	                could not (a target number taken by its Go runtime, a
//	                payload that does not extend its prelude), then the
//	                parent starts a cold child instead.
//
// Before the handoff, the parent may send any number of primes (prime.go):
// the same framing, a handoff whose Prime is set and Payload nil, with no
// descriptors and no answer.

// EnvControlFD names the environment variable holding a warm child's control
// descriptor.
const EnvControlFD = "GOSYS_FORK_CONTROL_FD"

// handoff is what a warm child receives.
type handoff struct {
	Payload *Payload `json:"payload"`
	// Targets are the numbers the attached descriptors must have, in order.
	Targets []int `json:"targets"`
	// Trace says one more descriptor follows the targets: the rt.Trace
	// socket, which the child keeps at a number of its own.
	Trace bool `json:"trace,omitempty"`
	// Prime, in a message without a payload, is the session's prelude,
	// which the child declares ahead of the fork.
	Prime *Prelude `json:"prime,omitempty"`
}

// maxRights is how many descriptors one control message carries (Linux's
// SCM_MAX_FD is 253).
const maxRights = 250

// Pool keeps warm children ready. It is safe for concurrent use.
//
// It holds none until the first Start, then as many as the demand it saw:
// one after the first fork, twice as many each time a fork found it empty,
// up to its size. A session that forks now and then keeps one warm child
// (about 25 MB), a fork loop gets the full pool.
type Pool struct {
	size    int
	want    int // children to keep ready now, <= size
	mu      sync.Mutex
	idle    []*warmChild
	filling bool     // a Fill is starting children
	prelude *Prelude // the session's, as of its last cell; nil before Prime
	logf    func(string, ...any)
}

type warmChild struct {
	pid  int
	ctrl int // the parent's end of the control socket
	// mu orders what is written on ctrl: a prime, then the handoff.
	mu     sync.Mutex
	primed *Prelude // what the child has declared (or will, from ctrl)
	gone   bool     // handed over or let go: ctrl is closed
}

// NewPool returns a pool that keeps up to size warm children.
func NewPool(size int, logf func(string, ...any)) *Pool {
	return &Pool{size: size, logf: logf}
}

// Fill starts warm children until the pool holds what the demand asks
// (see Pool). Starting one
// takes milliseconds (an exec), so it happens without holding the pool: a
// Start meanwhile takes an idle child or starts a cold one. One Fill runs
// at a time; a second returns at once.
func (p *Pool) Fill() {
	p.mu.Lock()
	if p.filling {
		p.mu.Unlock()
		return
	}
	p.filling = true
	for len(p.idle) < p.want {
		pre := p.prelude
		p.mu.Unlock()
		w, err := startWarm()
		if err == nil && pre != nil {
			err = w.prime(pre)
		}
		p.mu.Lock()
		if err != nil {
			p.logf("fork pool: %v", err)
			break
		}
		p.idle = append(p.idle, w)
	}
	p.filling = false
	p.mu.Unlock()
}

// Start runs payload in a warm child if one is ready and takes it, else in a
// cold one (see Start). It returns the child's pid.
func (p *Pool) Start(payload *Payload, keep []int) (int, error) {
	p.mu.Lock()
	var w *warmChild
	if n := len(p.idle); n > 0 {
		w, p.idle = p.idle[n-1], p.idle[:n-1]
	} else {
		p.want = min(p.size, max(1, 2*p.want))
	}
	p.mu.Unlock()
	// The replacement starts off the fork's path: rt.Fork returns as soon
	// as the child took over.
	defer func() { go p.Fill() }()
	if w != nil {
		w.mu.Lock()
		_, ok := w.primed.Extend(PreludeOf(payload))
		w.mu.Unlock()
		if !ok {
			// The cell changed a declaration the child has: it cannot run
			// this payload (prime.go).
			w.stop()
			return Start(payload, keep)
		}
		pid, err := w.hand(payload, keep)
		if err == nil {
			return pid, nil
		}
		p.logf("fork pool: warm child %d: %v; starting a cold one", w.pid, err)
	}
	return Start(payload, keep)
}

// startWarm starts one warm child with only descriptors 0, 1, 2, gosys's
// own it needs and its control socket: it must not keep the learner's other
// descriptors of this moment (an idle warm child holding a pipe's write end
// would keep its reader from ever seeing end-of-file); its learner
// descriptors are set at handoff.
func startWarm() (*warmChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the gosys binary: %w", err)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	// Every inheritable descriptor of this moment is listed, and closed in
	// the child (noFD), but 0, 1 and 2: the exec would keep them open.
	learner, err := inherited(nil)
	if err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, err
	}
	for fd := 3; fd < len(learner); fd++ {
		learner[fd] = noFD
	}
	files, env := childFiles(learner, append(internalFDs(), internalFD{EnvControlFD, fds[1]}))
	pid, err := syscall.ForkExec(exe, []string{"gosys", ChildArg}, &syscall.ProcAttr{Env: env, Files: files})
	unix.Close(fds[1])
	if err != nil {
		unix.Close(fds[0])
		return nil, fmt.Errorf("start warm child: %w", err)
	}
	ctrl, err := fdspace.Lift(fds[0])
	if err != nil {
		unix.Close(fds[0])
		kill(pid)
		return nil, err
	}
	return &warmChild{pid: pid, ctrl: ctrl}, nil
}

// kill ends and reaps the warm child pid.
func kill(pid int) {
	_ = unix.Kill(pid, unix.SIGKILL)
	_, _ = unix.Wait4(pid, nil, 0, nil)
}

// frame is a control message: the length of h's JSON, then the JSON.
func frame(h handoff) ([]byte, error) {
	body, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...), nil
}

// hand gives the payload and the descriptors to the warm child and waits
// for its answer.
func (w *warmChild) hand(p *Payload, keep []int) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.gone {
		return 0, errors.New("warm child already let go")
	}
	w.gone = true
	defer unix.Close(w.ctrl)
	fail := func(err error) (int, error) {
		kill(w.pid)
		return 0, err
	}
	files, err := inherited(keep)
	if err != nil {
		return fail(err)
	}
	var targets []int
	for fd, f := range files {
		if f != noFD {
			targets = append(targets, fd)
		}
	}
	h := handoff{Payload: p, Targets: targets}
	sent := targets
	if p.TraceFD > 0 {
		// The trace socket is gosys's: it goes last, wherever the child wants.
		h.Trace = true
		sent = append(slices.Clone(targets), p.TraceFD)
	}
	msg, err := frame(h)
	if err != nil {
		return fail(err)
	}
	// Descriptors go in batches, each attached to one byte of the message
	// (the message is longer than the number of batches: it names them all).
	for i := 0; i < len(sent); i += maxRights {
		batch := sent[i:min(i+maxRights, len(sent))]
		if err := unix.Sendmsg(w.ctrl, msg[:1], unix.UnixRights(batch...), nil, 0); err != nil {
			return fail(fmt.Errorf("hand over: %w", err))
		}
		msg = msg[1:]
	}
	if err := writeAll(w.ctrl, msg); err != nil {
		return fail(fmt.Errorf("hand over: %w", err))
	}
	var ans [1]byte
	if n, err := unix.Read(w.ctrl, ans[:]); n != 1 || ans[0] != 'y' {
		return fail(fmt.Errorf("child refused the handoff (%q, %v)", ans[:n], err))
	}
	return w.pid, nil
}

// ErrRefused means a warm child could not take a handoff; the parent starts
// a cold child instead, and this one just ends.
var ErrRefused = errors.New("warm child refused the handoff")

// ErrNotWarm means this child was started cold (its payload is on a pipe).
var ErrNotWarm = errors.New("not a warm child")

// WaitHandoff is the warm child's side: it declares the primes it is sent
// (calling prime with what each adds to the ones before: see prime.go),
// then waits for the handoff, places the parent's descriptors at their
// numbers, closes every other descriptor it inherited, and returns the
// payload and what it adds to the prelude the child has declared (nil when
// the child declared nothing ahead). It returns
// ErrNotWarm when the process was not started warm, and ErrRefused when it
// cannot take the handoff (or failed to declare a prime: the parent then
// starts a cold child).
func WaitHandoff(prime func(delta *Prelude) error) (*Payload, *Prelude, error) {
	v, ok := os.LookupEnv(EnvControlFD)
	if !ok {
		return nil, nil, ErrNotWarm
	}
	os.Unsetenv(EnvControlFD)
	// ChildStartup moved it out of the way of the numbers the parent's
	// descriptors will take.
	ctrl, err := strconv.Atoi(v)
	if err != nil {
		return nil, nil, fmt.Errorf("%s=%q: %w", EnvControlFD, v, err)
	}
	// What is open now and not close-on-exec came from the parent at start:
	// descriptors to drop at handoff unless the parent passes their number.
	own := map[int]bool{}
	if fds, err := fdspace.Open(); err == nil {
		for _, fd := range fds {
			own[fd] = true
		}
	}
	r := &ctrlReader{fd: ctrl}
	var primed *Prelude
	var h handoff
	for {
		if h, err = r.next(); err != nil {
			return nil, nil, err
		}
		if h.Payload != nil {
			break
		}
		if h.Prime == nil {
			return nil, nil, errors.New("warm child: a message with neither payload nor prime")
		}
		delta, ok := primed.Extend(h.Prime)
		if !ok {
			return nil, nil, fmt.Errorf("%w: %v", ErrRefused, errStale)
		}
		if err := prime(delta); err != nil {
			return nil, nil, fmt.Errorf("%w: declaring the session ahead: %v", ErrRefused, err)
		}
		primed = h.Prime
	}
	received := r.fds
	want := len(h.Targets)
	if h.Trace {
		want++
	}
	if want != len(received) {
		return nil, nil, fmt.Errorf("warm child: bad handoff (%d descriptors for %d targets)", len(received), want)
	}
	trace := -1
	if h.Trace {
		trace, received = received[len(received)-1], received[:len(received)-1]
	}
	var todo *Prelude
	if primed != nil {
		var ok bool
		if todo, ok = primed.Extend(PreludeOf(h.Payload)); !ok {
			_, _ = unix.Write(ctrl, []byte("n"))
			return nil, nil, fmt.Errorf("%w: %v", ErrRefused, errStale)
		}
	}
	if err := place(received, h.Targets, own, ctrl); err != nil {
		_, _ = unix.Write(ctrl, []byte("n"))
		return nil, nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	// The trace socket is gosys's: out of the learner's numbers, which are
	// all placed now.
	h.Payload.TraceFD = 0
	if trace >= 0 {
		if h.Payload.TraceFD, err = fdspace.Lift(trace); err != nil {
			return nil, nil, fmt.Errorf("warm child: %w", err)
		}
	}
	_, _ = unix.Write(ctrl, []byte("y"))
	unix.Close(ctrl)
	if h.Payload.Dir != "" {
		if err := os.Chdir(h.Payload.Dir); err != nil {
			return nil, nil, fmt.Errorf("warm child: chdir: %w", err)
		}
	}
	return h.Payload, todo, nil
}

// ctrlReader reads the messages of a control socket. One read may return
// the end of a message and the start of the next; descriptors come only
// with the handoff, the last message.
type ctrlReader struct {
	fd   int
	data []byte
	fds  []int
	buf  []byte
	oob  []byte
}

// next returns the next message.
func (r *ctrlReader) next() (handoff, error) {
	if r.buf == nil {
		r.buf = make([]byte, 64<<10)
		r.oob = make([]byte, unix.CmsgSpace(maxRights*4))
	}
	need := -1
	for {
		if need < 0 && len(r.data) >= 4 {
			need = int(binary.BigEndian.Uint32(r.data))
		}
		if need >= 0 && len(r.data) >= 4+need {
			break
		}
		n, oobn, _, _, err := unix.Recvmsg(r.fd, r.buf, r.oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return handoff{}, fmt.Errorf("warm child: receive handoff: %w", err)
		}
		if n == 0 {
			return handoff{}, fmt.Errorf("warm child: parent closed the control socket: %w", io.EOF)
		}
		fds, err := fdspace.Rights(r.oob[:oobn])
		if err != nil {
			return handoff{}, fmt.Errorf("warm child: receive handoff: %w", err)
		}
		r.fds = append(r.fds, fds...)
		r.data = append(r.data, r.buf[:n]...)
	}
	var h handoff
	err := json.Unmarshal(r.data[4:4+need], &h)
	r.data = r.data[4+need:]
	if err != nil {
		return handoff{}, fmt.Errorf("warm child: bad handoff: %w", err)
	}
	return h, nil
}

// place dup2s each received descriptor onto its target number and closes
// the descriptors inherited at start that the parent no longer has. A
// target held by this process's own (close-on-exec) descriptors, such as
// the Go runtime's poller, cannot be taken: the handoff is refused.
func place(received, targets []int, own map[int]bool, ctrl int) error {
	for _, t := range targets {
		if t == ctrl || (own[t] && !fdspace.IsInheritable(t)) {
			return fmt.Errorf("warm child: descriptor %d is in use by the runtime", t)
		}
	}
	// Move the received descriptors above every target first, so no dup2
	// overwrites one still to be placed.
	floor := slices.Max(append(slices.Clone(targets), ctrl)) + 1
	high := make([]int, len(received))
	for i, r := range received {
		h, err := unix.FcntlInt(uintptr(r), unix.F_DUPFD_CLOEXEC, floor)
		if err != nil {
			return fmt.Errorf("warm child: dup: %w", err)
		}
		unix.Close(r)
		high[i] = h
	}
	want := map[int]bool{}
	for i, t := range targets {
		if err := unix.Dup2(high[i], t); err != nil {
			return fmt.Errorf("warm child: dup2 onto %d: %w", t, err)
		}
		unix.Close(high[i])
		want[t] = true
	}
	for fd := range own {
		if !want[fd] && fd != ctrl && fdspace.IsInheritable(fd) {
			unix.Close(fd)
		}
	}
	return nil
}
