package osdata_test

import (
	"os"
	"slices"
	"testing"

	"gosys/rt/osdata"

	"golang.org/x/sys/unix"
)

// TestFDsOfPipe reads this process's table with a pipe in it: both ends
// found with their kind, access and inode, the bytes buffered, each end
// holding the other, then the read end alone once the write end is closed.
func TestFDsOfPipe(t *testing.T) {
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	r, w := p[0], p[1]
	defer unix.Close(r)
	wOpen := true
	defer func() {
		if wOpen {
			unix.Close(w)
		}
	}()
	if _, err := unix.Write(w, []byte("abc")); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(r, &st); err != nil {
		t.Fatal(err)
	}
	find := func(fd int) osdata.FDInfo {
		t.Helper()
		fds, err := osdata.FDsOf(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(fds, func(f osdata.FDInfo) bool { return f.FD == fd })
		if i < 0 {
			t.Fatalf("no fd %d in %+v", fd, fds)
		}
		return fds[i]
	}
	self := os.Getpid()
	re, we := find(r), find(w)
	if re.Kind != osdata.FDPipe || re.Access != "r" || re.Inode != st.Ino || re.Buffered != 3 || re.OtherEndClosed {
		t.Errorf("read end = %+v; want pipe, r, inode %d, 3 bytes buffered, a writer", re, st.Ino)
	}
	if we.Kind != osdata.FDPipe || we.Access != "w" || we.Inode != st.Ino {
		t.Errorf("write end = %+v; want pipe, w, inode %d", we, st.Ino)
	}
	want := []osdata.FDRef{{Pid: self, FD: r, Access: "r"}, {Pid: self, FD: w, Access: "w"}}
	if !slices.Equal(re.Holders, want) {
		t.Errorf("holders = %+v; want %+v", re.Holders, want)
	}
	unix.Close(w)
	wOpen = false
	if re := find(r); !re.OtherEndClosed {
		t.Errorf("read end after the write end closed = %+v; want OtherEndClosed", re)
	}
}

// TestFDsOfGone checks that a process that is not there gives an error,
// and an FDTable that says why.
func TestFDsOfGone(t *testing.T) {
	if _, err := osdata.FDsOf(1 << 30); err == nil {
		t.Error("FDsOf of no process succeeded")
	}
	tables := osdata.FDTables(os.Getpid(), 1<<30)
	if len(tables) != 2 || tables[0].Err != "" || len(tables[0].FDs) == 0 || tables[1].Err == "" || tables[1].FDs != nil {
		t.Errorf("FDTables(self, none) = %+v; want this table, then an error", tables)
	}
}
