package osdata

import (
	"os"

	"golang.org/x/sys/unix"
)

// probePipe asks the kernel about pipe descriptor f of pid: how many bytes
// the pipe holds (ioctl FIONREAD, which Linux answers on either end) and
// whether its other end is closed everywhere (poll(2): POLLHUP on a read
// end with no writer left, POLLERR on a write end with no reader left). It
// works on f itself in this process, and on a copy taken with
// pidfd_getfd(2) in another; a copy shares the open file, so it changes no
// count of readers or writers. When that fails (no permission, process
// gone) it tries FIONREAD on a descriptor of this process on the same pipe
// and leaves OtherEndClosed false.
func probePipe(pid int, f *FDInfo) {
	f.Buffered = -1
	ok := onCopy(pid, f.FD, f.Inode, func(fd int) {
		if n, err := unix.IoctlGetInt(fd, unix.TIOCINQ); err == nil { // TIOCINQ is FIONREAD
			f.Buffered = n
		}
		p := []unix.PollFd{{Fd: int32(fd)}}
		if _, err := unix.Poll(p, 0); err != nil {
			return
		}
		switch f.Access {
		case "r":
			f.OtherEndClosed = p[0].Revents&unix.POLLHUP != 0
		case "w":
			f.OtherEndClosed = p[0].Revents&unix.POLLERR != 0
		}
	})
	if ok && f.Buffered >= 0 {
		return
	}
	self := os.Getpid()
	for _, h := range f.Holders {
		if h.Pid == self && onCopy(self, h.FD, f.Inode, func(fd int) {
			if n, err := unix.IoctlGetInt(fd, unix.TIOCINQ); err == nil {
				f.Buffered = n
			}
		}) && f.Buffered >= 0 {
			return
		}
	}
}

// onCopy calls use with descriptor fd of pid (itself in this process, a
// copy in another), after checking it still refers to inode ino. It
// reports whether use was called.
func onCopy(pid, fd int, ino uint64, use func(fd int)) bool {
	if pid != os.Getpid() {
		pidfd, err := unix.PidfdOpen(pid, 0)
		if err != nil {
			return false
		}
		defer unix.Close(pidfd)
		if fd, err = unix.PidfdGetfd(pidfd, fd, 0); err != nil {
			return false
		}
		defer unix.Close(fd)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Ino != ino {
		return false
	}
	use(fd)
	return true
}
