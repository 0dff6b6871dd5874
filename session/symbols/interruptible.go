package symbols

import (
	"net"
	"reflect"
	"sync"
	"time"
	"weak"

	"gosys/rt/cellctl"
)

// Standard library calls that return at an interrupt. A cell blocked in a
// compiled call holds the session until that call returns: the kernel then
// has to restart the session. These common ones are replaced in the symbol
// tables by versions that watch the running cell's scope (cellctl):
//
//   - time.Sleep returns at once when the cell is interrupted;
//   - the listeners and connections that net.Listen, net.ListenTCP,
//     net.ListenUnix, net.ListenUDP, net.ListenPacket, net.Dial,
//     net.DialTimeout, net.DialTCP, net.DialUDP and net.DialUnix return
//     are registered (weakly: the collector still closes forgotten ones);
//     at an interrupt their deadlines are set in the past, so a blocked
//     Accept, Read or Write returns, and at the next cell cleared again.
//
// The interpreter stops the cell at its next statement, so what such a
// call returns is never used. Connections that a listener's Accept returns
// are not registered (Accept is a method of a compiled type): a Read on
// them blocks until data comes, and an interrupt then costs the session.
var interruptible = map[string]map[string]reflect.Value{
	"time/time": {
		"Sleep": reflect.ValueOf(sleep),
	},
	"net/net": {
		"Listen":       reflect.ValueOf(func(n, a string) (net.Listener, error) { return reg(net.Listen(n, a)) }),
		"ListenTCP":    reflect.ValueOf(func(n string, a *net.TCPAddr) (*net.TCPListener, error) { return reg(net.ListenTCP(n, a)) }),
		"ListenUnix":   reflect.ValueOf(func(n string, a *net.UnixAddr) (*net.UnixListener, error) { return reg(net.ListenUnix(n, a)) }),
		"ListenUDP":    reflect.ValueOf(func(n string, a *net.UDPAddr) (*net.UDPConn, error) { return reg(net.ListenUDP(n, a)) }),
		"ListenPacket": reflect.ValueOf(func(n, a string) (net.PacketConn, error) { return reg(net.ListenPacket(n, a)) }),
		"Dial":         reflect.ValueOf(func(n, a string) (net.Conn, error) { return reg(net.Dial(n, a)) }),
		"DialTimeout": reflect.ValueOf(func(n, a string, d time.Duration) (net.Conn, error) {
			return reg(net.DialTimeout(n, a, d))
		}),
		"DialTCP": reflect.ValueOf(func(n string, l, r *net.TCPAddr) (*net.TCPConn, error) { return reg(net.DialTCP(n, l, r)) }),
		"DialUDP": reflect.ValueOf(func(n string, l, r *net.UDPAddr) (*net.UDPConn, error) { return reg(net.DialUDP(n, l, r)) }),
		"DialUnix": reflect.ValueOf(func(n string, l, r *net.UnixAddr) (*net.UnixConn, error) {
			return reg(net.DialUnix(n, l, r))
		}),
	},
}

// sleep is time.Sleep that returns when the running cell is interrupted.
// Outside a cell (a forked child) it is time.Sleep.
func sleep(d time.Duration) {
	s := cellctl.Acquire()
	defer s.Release()
	if s == nil || d <= 0 {
		time.Sleep(d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.Done():
	}
}

// deadliner is what an interrupt needs of a listener or connection.
type deadliner interface {
	SetDeadline(time.Time) error
}

// netEntry is one registered listener or connection, held weakly.
type netEntry interface {
	// setDeadline sets the deadline; false once the object is gone or
	// closed.
	setDeadline(time.Time) bool
	// alive reports whether the object was not collected.
	alive() bool
}

type weakEntry[T any, P interface {
	*T
	deadliner
}] struct{ p weak.Pointer[T] }

func (e weakEntry[T, P]) alive() bool { return e.p.Value() != nil }

func (e weakEntry[T, P]) setDeadline(t time.Time) bool {
	v := e.p.Value()
	return v != nil && P(v).SetDeadline(t) == nil
}

// registry holds the registered objects; interrupted says their deadlines
// were set by an interrupt and must be cleared.
var registry struct {
	mu          sync.Mutex
	entries     []netEntry
	interrupted bool
	pruneAt     int // prune collected entries when this many are held
}

// reg registers what a net constructor returned, and returns it.
func reg[V any](v V, err error) (V, error) {
	if err != nil {
		return v, err
	}
	var e netEntry
	switch x := any(v).(type) {
	case *net.TCPListener:
		e = weakEntry[net.TCPListener, *net.TCPListener]{weak.Make(x)}
	case *net.UnixListener:
		e = weakEntry[net.UnixListener, *net.UnixListener]{weak.Make(x)}
	case *net.TCPConn:
		e = weakEntry[net.TCPConn, *net.TCPConn]{weak.Make(x)}
	case *net.UDPConn:
		e = weakEntry[net.UDPConn, *net.UDPConn]{weak.Make(x)}
	case *net.UnixConn:
		e = weakEntry[net.UnixConn, *net.UnixConn]{weak.Make(x)}
	case *net.IPConn:
		e = weakEntry[net.IPConn, *net.IPConn]{weak.Make(x)}
	default:
		return v, nil
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if len(registry.entries) >= registry.pruneAt {
		keep := registry.entries[:0]
		for _, e := range registry.entries {
			if e.alive() {
				keep = append(keep, e)
			}
		}
		clear(registry.entries[len(keep):])
		registry.entries = keep
		registry.pruneAt = max(64, 2*len(keep))
	}
	registry.entries = append(registry.entries, e)
	return v, nil
}

// Interrupt wakes the calls blocked on registered listeners and
// connections. The session calls it when the running cell is interrupted.
func Interrupt() {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	past := time.Unix(1, 0)
	keep := registry.entries[:0]
	for _, e := range registry.entries {
		if e.setDeadline(past) {
			keep = append(keep, e)
		}
	}
	clear(registry.entries[len(keep):])
	registry.entries = keep
	registry.interrupted = true
}

// BeginCell clears the deadlines the last interrupt set, so the next cell
// can use its listeners and connections again. The session calls it before
// each cell.
func BeginCell() {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if !registry.interrupted {
		return
	}
	registry.interrupted = false
	keep := registry.entries[:0]
	for _, e := range registry.entries {
		if e.setDeadline(time.Time{}) {
			keep = append(keep, e)
		}
	}
	clear(registry.entries[len(keep):])
	registry.entries = keep
}
