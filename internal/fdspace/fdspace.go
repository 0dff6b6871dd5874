// Package fdspace keeps gosys's own descriptors out of the numbers a cell
// sees. In the session process and in every child it forks, the learner's
// descriptor table must look like a fresh C process's: 0, 1 and 2, then the
// lowest free number for each new descriptor. So every descriptor gosys
// itself keeps open (the link to the kernel, the display and trace sockets,
// cell scopes, Go's epoll and its wake-up eventfd) lives at Floor or above,
// close-on-exec.
package fdspace

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// preferredFloor is where gosys's descriptors start when the process may
// open that many: far above what a lecture's experiments open.
const preferredFloor = 1000

var floorOnce = sync.OnceValue(func() int {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err == nil && lim.Max < 2*preferredFloor {
		// A small hard limit: keep half of it for the learner.
		return int(lim.Max / 2)
	}
	return preferredFloor
})

// Floor returns the lowest number gosys's own descriptors take.
func Floor() int { return floorOnce() }

// Lift moves fd to the lowest free number at Floor or above, close-on-exec,
// and closes fd. It returns the new number.
func Lift(fd int) (int, error) {
	if fd >= Floor() {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC); err != nil {
			return -1, fmt.Errorf("fdspace: close-on-exec %d: %w", fd, err)
		}
		return fd, nil
	}
	high, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, Floor())
	if err != nil {
		return -1, fmt.Errorf("fdspace: move descriptor %d to %d or above: %w", fd, Floor(), err)
	}
	unix.Close(fd)
	return high, nil
}

// LiftEnv lifts the descriptor whose number the environment variable name
// holds, and stores the new number there. It returns the new number, or -1
// when the variable is not set.
func LiftEnv(name string) (int, error) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return -1, nil
	}
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 0 {
		return -1, fmt.Errorf("fdspace: %s=%q is not a descriptor", name, v)
	}
	high, err := Lift(fd)
	if err != nil {
		return -1, err
	}
	return high, os.Setenv(name, strconv.Itoa(high))
}

// StartRuntime makes Go's runtime open its own descriptors (the network
// poller's epoll and eventfd) at Floor or above. Call it first in main,
// after lifting the descriptors the process was given and before anything
// sets a timer or opens a pollable file: until then the poller is not
// started. It fills every free number from 3 up to Floor with a placeholder,
// starts the poller, which must then take numbers above, and frees the
// placeholders.
//
// It returns an error naming a descriptor of the runtime's that is below
// Floor anyway (the poller was started earlier); the process works, with
// that number taken.
func StartRuntime() error {
	null, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("fdspace: open /dev/null: %w", err)
	}
	var held []int
	for fd := 3; fd < Floor(); fd++ {
		if fd == null {
			continue
		}
		if IsOpen(fd) {
			continue // open already: the caller's
		}
		if err := unix.Dup3(null, fd, unix.O_CLOEXEC); err != nil {
			break // past the process's limit: nothing below can be taken anyway
		}
		held = append(held, fd)
	}
	// A timer starts the poller (runtime.netpollGenericInit).
	time.Sleep(time.Nanosecond)
	for _, fd := range held {
		unix.Close(fd)
	}
	unix.Close(null)
	return checkRuntime()
}

// checkRuntime looks for the poller's descriptors below Floor.
func checkRuntime() error {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd < 3 || fd >= Floor() {
			continue
		}
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err == nil && (strings.Contains(target, "eventpoll") || strings.Contains(target, "[eventfd]")) {
			return fmt.Errorf("fdspace: the runtime's %s took descriptor %d", target, fd)
		}
	}
	return nil
}

// CloseFrom closes every descriptor from lo up to Floor whose number is not
// in keep: what a process was started with and must not show. Descriptors
// at Floor or above are left alone.
func CloseFrom(lo int, keep map[int]bool) {
	fds, err := Open()
	if err != nil {
		return
	}
	for _, fd := range fds {
		if fd >= lo && fd < Floor() && !keep[fd] {
			unix.Close(fd)
		}
	}
}
