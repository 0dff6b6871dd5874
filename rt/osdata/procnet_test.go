package osdata

import (
	"slices"
	"testing"
)

const netTCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 7001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:9CB0 01 00000000:0000000C 00:00000000 00000000  1000        0 7002 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:9C94 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
garbage line
`

const netTCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8001 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:9CB0 08 00000003:00000000 00:00000000 00000000     0        0 8002 1 0000000000000000 20 4 30 10 -1
`

const netUnix = `Num       RefCount Protocol Flags    Type St Inode Path
0000000000000000: 00000002 00000000 00010000 0001 01 9001 /run/gosys.sock
0000000000000000: 00000003 00000000 00000000 0001 03 9002
0000000000000000: 00000002 00000000 00000000 0002 01 9003 @abstract name
`

func TestParseNetIP(t *testing.T) {
	got := parseNetIP([]byte(netTCP), "tcp")
	want := []SocketInfo{
		{Proto: "tcp", Inode: 7001, Local: "127.0.0.1:8080", State: "LISTEN", RecvQ: 2},
		{Proto: "tcp", Inode: 7002, Local: "127.0.0.1:8080", Peer: "127.0.0.1:40112", State: "ESTABLISHED", RecvQ: 12},
		{Proto: "tcp", Inode: 0, Local: "127.0.0.1:40084", Peer: "127.0.0.1:8080", State: "TIME_WAIT"},
	}
	if !slices.EqualFunc(got, want, socketEqual) {
		t.Errorf("tcp:\n got %+v\nwant %+v", got, want)
	}
	got = parseNetIP([]byte(netTCP6), "tcp6")
	want = []SocketInfo{
		{Proto: "tcp6", Inode: 8001, Local: "[::1]:8080", State: "LISTEN"},
		{Proto: "tcp6", Inode: 8002, Local: "[::ffff:127.0.0.1]:8080", Peer: "[::ffff:127.0.0.1]:40112", State: "CLOSE_WAIT", SendQ: 3},
	}
	if !slices.EqualFunc(got, want, socketEqual) {
		t.Errorf("tcp6:\n got %+v\nwant %+v", got, want)
	}
}

func TestParseNetUnix(t *testing.T) {
	got := parseNetUnix([]byte(netUnix))
	want := []SocketInfo{
		{Proto: "unix", Type: "stream", Inode: 9001, Local: "/run/gosys.sock", State: "LISTEN"},
		{Proto: "unix", Type: "stream", Inode: 9002, State: "CONNECTED"},
		{Proto: "unix", Type: "dgram", Inode: 9003, Local: "@abstract name", State: "UNCONNECTED"},
	}
	if !slices.EqualFunc(got, want, socketEqual) {
		t.Errorf("unix:\n got %+v\nwant %+v", got, want)
	}
}

func socketEqual(a, b SocketInfo) bool {
	return a.Proto == b.Proto && a.Type == b.Type && a.Inode == b.Inode && a.Local == b.Local &&
		a.Peer == b.Peer && a.State == b.State && a.SendQ == b.SendQ && a.RecvQ == b.RecvQ
}

func FuzzParseNetIP(f *testing.F) {
	f.Add([]byte(netTCP))
	f.Add([]byte(netTCP6))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, s := range parseNetIP(b, "tcp") {
			_ = s.Describe()
		}
	})
}

func FuzzParseNetUnix(f *testing.F) {
	f.Add([]byte(netUnix))
	f.Fuzz(func(t *testing.T, b []byte) { parseNetUnix(b) })
}
