package osdata_test

import (
	"testing"

	"gosys/rt/osdata"
)

func TestDescribePipe(t *testing.T) {
	me := osdata.FDRef{Pid: 10, FD: 3, Access: "r"}
	for _, c := range []struct {
		f    osdata.FDInfo
		want string
	}{
		{osdata.FDInfo{FD: 3, Target: "pipe:[7]", Access: "r", Kind: osdata.FDPipe, Inode: 7, Buffered: 2,
			Holders: []osdata.FDRef{me, {Pid: 11, FD: 4, Access: "w"}}},
			"pipe 7, read end, 2 bytes buffered, write end held by pid 11 fd 4"},
		{osdata.FDInfo{FD: 3, Target: "pipe:[7]", Access: "r", Kind: osdata.FDPipe, Inode: 7, Holders: []osdata.FDRef{me}},
			"pipe 7, read end, empty, write end held outside this process tree"},
		{osdata.FDInfo{FD: 3, Target: "pipe:[7]", Access: "r", Kind: osdata.FDPipe, Inode: 7, Holders: []osdata.FDRef{me}, OtherEndClosed: true},
			"pipe 7, read end, empty, no write end open: read gives EOF once empty"},
		{osdata.FDInfo{FD: 5, Target: "/tmp/fifo", Access: "w", Kind: osdata.FDPipe, Inode: 8, Buffered: -1},
			"FIFO /tmp/fifo, write end, bytes buffered unknown"},
	} {
		if got := c.f.Describe(); got != c.want {
			t.Errorf("Describe() = %q; want %q", got, c.want)
		}
	}
}
