package rt_test

import (
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"gosys/rt"
	"gosys/rt/cellctl"

	"golang.org/x/sys/unix"
)

func checkInterrupted(t *testing.T, call string, err error) {
	t.Helper()
	if !errors.Is(err, rt.ErrInterrupted) {
		t.Fatalf("%s after the interrupt = %v; want ErrInterrupted", call, err)
	}
}

func TestInterruptRead(t *testing.T) {
	inCell(t)
	r, w := pipe(t)
	err := interrupted(t, func() error {
		_, err := rt.Read(r, make([]byte, 8))
		return err
	})
	checkInterrupted(t, "Read", err)

	cellctl.End() // out of the interrupted cell, the descriptor works
	mustWrite(t, w, "still works")
	mustRead(t, r, "still works")
}

// TestInterruptWriteFillsPipe writes more than a pipe holds; the write
// blocks with the pipe full, which tells the pipe's capacity.
func TestInterruptWriteFillsPipe(t *testing.T) {
	inCell(t)
	r, w := pipe(t)
	size, err := unix.FcntlInt(uintptr(w), unix.F_GETPIPE_SZ, 0)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getpagesize() == 4096 && size != 65536 {
		t.Errorf("F_GETPIPE_SZ = %d; want 65536", size)
	}
	var n int
	err = interrupted(t, func() error {
		var err error
		n, err = rt.Write(w, make([]byte, 4*size))
		return err
	})
	checkInterrupted(t, "Write", err)
	if n != size {
		t.Errorf("Write wrote %d bytes before blocking; want the pipe's capacity %d", n, size)
	}

	cellctl.End()
	if got, err := rt.Read(r, make([]byte, 2*size)); err != nil || got == 0 {
		t.Fatalf("Read after the interrupted Write = %d, %v", got, err)
	}
}

func TestInterruptAccept(t *testing.T) {
	inCell(t)
	lfd, ai := listen(t, lookup(t, "127.0.0.1", "0"))
	err := interrupted(t, func() error {
		_, err := rt.Accept(lfd)
		return err
	})
	checkInterrupted(t, "Accept", err)

	cellctl.End()
	cfd, err := rt.Socket(ai.Family, ai.SockType, ai.Protocol)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(cfd) })
	if err := rt.Connect(cfd, ai); err != nil {
		t.Fatal(err)
	}
	conn, err := rt.Accept(lfd)
	if err != nil {
		t.Fatalf("Accept after the interrupted Accept: %v", err)
	}
	rt.Close(conn)
}

// TestInterruptConnect connects to a listener whose accept queue is full:
// Linux drops the SYN and connect waits.
func TestInterruptConnect(t *testing.T) {
	inCell(t)
	ai := lookup(t, "127.0.0.1", "0")
	lfd, err := rt.Socket(ai.Family, ai.SockType, ai.Protocol)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(lfd) })
	if err := rt.Bind(lfd, ai); err != nil {
		t.Fatal(err)
	}
	if err := rt.Listen(lfd, 0); err != nil {
		t.Fatal(err)
	}
	ai.Addr = boundAddr(t, lfd)
	socket := func() int {
		fd, err := rt.Socket(ai.Family, ai.SockType, ai.Protocol)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Close(fd) })
		return fd
	}
	if err := rt.Connect(socket(), ai); err != nil { // fills the queue
		t.Fatal(err)
	}
	fd := socket()
	done := make(chan error, 1)
	go func() { done <- rt.Connect(fd, ai) }()
	select {
	case err := <-done:
		t.Skipf("connect to a full accept queue did not wait here (%v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	cellctl.Interrupt()
	select {
	case err := <-done:
		checkInterrupted(t, "Connect", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Connect still blocked 5 s after the interrupt")
	}
	checkInheritable(t, "interrupted connect", fd)
}

func TestInterruptWait(t *testing.T) {
	inCell(t)
	pid := startChild(t, "exec sleep 60")
	err := interrupted(t, func() error {
		_, _, err := rt.Wait()
		return err
	})
	checkInterrupted(t, "Wait", err)
	if err := cellctl.Begin(); err != nil { // the next cell
		t.Fatal(err)
	}
	err = interrupted(t, func() error {
		_, err := rt.WaitPid(pid)
		return err
	})
	checkInterrupted(t, "WaitPid", err)

	cellctl.End()
	syscall.Kill(pid, syscall.SIGKILL)
	status, err := rt.WaitPid(pid)
	if err != nil || status.Signal() != syscall.SIGKILL {
		t.Fatalf("WaitPid after the interrupt = %v, %v; want killed by SIGKILL", status, err)
	}
	checkReaped(t, pid, status)
}
