package rt

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"time"
	"unsafe"

	"gosys/internal/fdspace"
	"gosys/rt/view"

	"golang.org/x/sys/unix"
)

// lanesQuiet is how long Lanes keeps reading after f returned, for output
// already on its way.
const lanesQuiet = 100 * time.Millisecond

// Lanes runs f with every write to descriptors 1 and 2 (of this process and
// of every process that inherits them during f: forked children, programs
// they exec) tagged with the writer's pid, then shows the output in lanes,
// one column per process, in the order written. It returns the writes too.
//
// How: during f, descriptors 1 and 2 are datagram sockets whose reader asks
// the kernel for each sender's credentials (SO_PASSCRED), so each write(2)
// arrives whole with its pid. Output written after f returns (by a child
// still running) is not shown; a single write larger than the socket's
// buffer fails with EMSGSIZE in the writer.
func Lanes(f func()) []LaneText {
	rec, err := startLanes()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rt.Lanes:", err)
		f()
		return nil
	}
	func() {
		defer rec.restore()
		f()
	}()
	texts := rec.finish()
	Display(map[string]any{"text/html": view.LanesHTML(os.Getpid(), texts), "text/plain": view.LanesText(texts)}, nil)
	return texts
}

// laneRecorder holds the sockets behind descriptors 1 and 2 during Lanes.
type laneRecorder struct {
	saved [2]int // the descriptors 1 and 2 had before
	recv  [2]int // the reading ends
	mu    sync.Mutex
	texts []LaneText
	last  time.Time
	wg    sync.WaitGroup
}

func startLanes() (*laneRecorder, error) {
	r := &laneRecorder{saved: [2]int{-1, -1}, recv: [2]int{-1, -1}, last: time.Now()}
	for i, fd := range []int{1, 2} {
		sp, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			r.restore()
			return nil, fmt.Errorf("socketpair: %w", err)
		}
		// The kernel stamps each datagram when it is written: sorting by the
		// stamp orders the two streams as written.
		_ = unix.SetsockoptInt(sp[0], unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
		if err := unix.SetsockoptInt(sp[0], unix.SOL_SOCKET, unix.SO_PASSCRED, 1); err != nil {
			unix.Close(sp[0])
			unix.Close(sp[1])
			r.restore()
			return nil, fmt.Errorf("SO_PASSCRED: %w", err)
		}
		// Room for large writes: forced as root, else up to the system limit.
		if unix.SetsockoptInt(sp[1], unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, 4<<20) != nil {
			_ = unix.SetsockoptInt(sp[1], unix.SOL_SOCKET, unix.SO_SNDBUF, 4<<20)
		}
		_ = unix.SetsockoptInt(sp[0], unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20)
		// The saved descriptor and the reading end stay out of the cell's
		// numbers (see fdspace).
		saved, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, fdspace.Floor())
		if err == nil {
			err = unix.Dup2(sp[1], fd)
		}
		unix.Close(sp[1])
		if err == nil {
			sp[0], err = fdspace.Lift(sp[0])
		}
		if err != nil {
			unix.Close(sp[0])
			r.restore()
			return nil, fmt.Errorf("redirect fd %d: %w", fd, err)
		}
		r.saved[i], r.recv[i] = saved, sp[0]
		r.wg.Add(1)
		go r.read(sp[0], [2]string{"stdout", "stderr"}[i])
	}
	return r, nil
}

// read collects datagrams until the reading end is shut down.
func (r *laneRecorder) read(fd int, stream string) {
	defer r.wg.Done()
	buf := make([]byte, 4<<20)
	oob := make([]byte, unix.CmsgSpace(unix.SizeofUcred)+unix.CmsgSpace(int(unsafe.Sizeof(unix.Timespec{}))))
	for {
		n, oobn, _, _, err := unix.Recvmsg(fd, buf, oob, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil || (n == 0 && oobn == 0) {
			return
		}
		pid := 0
		now := time.Now()
		at := now
		if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
			for _, m := range msgs {
				if c, err := unix.ParseUnixCredentials(&m); err == nil {
					pid = int(c.Pid)
				}
				if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SCM_TIMESTAMPNS &&
					len(m.Data) >= int(unsafe.Sizeof(unix.Timespec{})) {
					ts := *(*unix.Timespec)(unsafe.Pointer(&m.Data[0]))
					at = time.Unix(ts.Unix())
				}
			}
		}
		r.mu.Lock()
		r.texts = append(r.texts, LaneText{Pid: pid, Stream: stream, At: at, Text: string(buf[:n])})
		r.last = now
		r.mu.Unlock()
	}
}

// restore gives descriptors 1 and 2 back their files.
func (r *laneRecorder) restore() {
	for i, fd := range []int{1, 2} {
		if r.saved[i] >= 0 {
			_ = unix.Dup2(r.saved[i], fd)
			unix.Close(r.saved[i])
			r.saved[i] = -1
		}
	}
}

// finish waits until nothing arrived for lanesQuiet (at most a second),
// stops the readers and returns what they got.
func (r *laneRecorder) finish() []LaneText {
	waitQuiet(&r.mu, &r.last, lanesQuiet)
	for _, fd := range r.recv {
		if fd >= 0 {
			_ = unix.Shutdown(fd, unix.SHUT_RDWR)
		}
	}
	r.wg.Wait()
	for _, fd := range r.recv {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	slices.SortStableFunc(r.texts, func(a, b LaneText) int { return a.At.Compare(b.At) })
	return r.texts
}

// waitQuiet returns once *last, guarded by mu, is quiet ago, or after a
// second: how a recorder fed by other processes, which may still be
// writing, decides their stream has ended.
func waitQuiet(mu *sync.Mutex, last *time.Time, quiet time.Duration) {
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		done := time.Since(*last) >= quiet
		mu.Unlock()
		if done {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
