package fdspace

import (
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

func TestDescriptorQuestions(t *testing.T) {
	var plain, cloexec [2]int
	if err := unix.Pipe2(plain[:], 0); err != nil {
		t.Fatal(err)
	}
	if err := unix.Pipe2(cloexec[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(cloexec[0])
	defer unix.Close(cloexec[1])
	open, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range append(plain[:], cloexec[:]...) {
		if !IsOpen(fd) || !slices.Contains(open, fd) {
			t.Errorf("descriptor %d: IsOpen %v, in Open() %v", fd, IsOpen(fd), open)
		}
	}
	if !IsInheritable(plain[0]) || IsInheritable(cloexec[0]) {
		t.Errorf("IsInheritable: plain %v (want true), cloexec %v (want false)", IsInheritable(plain[0]), IsInheritable(cloexec[0]))
	}
	CloseInherited()
	if IsOpen(plain[0]) || IsOpen(plain[1]) {
		t.Errorf("CloseInherited left the inheritable pipe %v open", plain)
	}
	if !IsOpen(cloexec[0]) || !IsOpen(0) || !IsOpen(1) {
		t.Errorf("CloseInherited closed a close-on-exec descriptor or 0..2")
	}
	if IsOpen(-1) || IsInheritable(1<<20) {
		t.Error("IsOpen(-1) or IsInheritable of a number past the table")
	}
}

func TestRights(t *testing.T) {
	sp, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(sp[0])
	defer unix.Close(sp[1])
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	if err := unix.Sendmsg(sp[0], []byte("x"), unix.UnixRights(p[0], p[1]), nil, 0); err != nil {
		t.Fatal(err)
	}
	unix.Close(p[0])
	unix.Close(p[1])
	buf, oob := make([]byte, 1), make([]byte, unix.CmsgSpace(2*4))
	_, oobn, _, _, err := unix.Recvmsg(sp[1], buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	fds, err := Rights(oob[:oobn])
	if err != nil || len(fds) != 2 {
		t.Fatalf("Rights = %v, %v; want two descriptors", fds, err)
	}
	// They are the pipe's two ends: what goes in one comes out of the other.
	if _, err := unix.Write(fds[1], []byte("hi")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 2)
	if n, _ := unix.Read(fds[0], got); string(got[:n]) != "hi" {
		t.Errorf("read %q through the passed pipe", got[:n])
	}
	unix.Close(fds[0])
	unix.Close(fds[1])
	if fds, err := Rights(nil); err != nil || len(fds) != 0 {
		t.Errorf("Rights(nil) = %v, %v", fds, err)
	}
	// A header that claims more bytes than there are.
	bad := unix.UnixRights(0)
	bad[0] = 200
	if _, err := Rights(bad); err == nil {
		t.Error("Rights of a control message longer than its buffer: no error")
	}
}

func FuzzRights(f *testing.F) {
	f.Add(unix.UnixRights(0, 1))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		// Parsing only: descriptors parsed from arbitrary bytes are not
		// this process's to close.
		unix.ParseSocketControlMessage(b)
		Rights(b)
	})
}
