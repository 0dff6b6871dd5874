package osdata

import (
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// Reading the socket tables of /proc/net: tcp, tcp6, udp, udp6 and unix.

var tcpStates = [...]string{1: "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
	"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"}

// parseNetIP parses /proc/net/tcp, tcp6, udp or udp6 (the format is the
// same) and returns its sockets, skipping lines it cannot read.
func parseNetIP(b []byte, proto string) []SocketInfo {
	var out []SocketInfo
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 10 || !strings.HasSuffix(f[0], ":") {
			continue
		}
		local, ok1 := parseHexAddr(f[1])
		peer, ok2 := parseHexAddr(f[2])
		st, err := strconv.ParseUint(f[3], 16, 8)
		ino, err2 := strconv.ParseUint(f[9], 10, 64)
		if !ok1 || !ok2 || err != nil || err2 != nil {
			continue
		}
		s := SocketInfo{Proto: proto, Inode: ino, Local: local.String()}
		if peer.Port() != 0 || !peer.Addr().IsUnspecified() {
			s.Peer = peer.String()
		}
		if int(st) < len(tcpStates) && tcpStates[st] != "" {
			s.State = tcpStates[st]
		} else {
			s.State = "state " + f[3]
		}
		if tx, rx, ok := strings.Cut(f[4], ":"); ok {
			s.SendQ, _ = strconv.ParseInt(tx, 16, 64)
			s.RecvQ, _ = strconv.ParseInt(rx, 16, 64)
		}
		out = append(out, s)
	}
	return out
}

// parseHexAddr parses "0100007F:1F90": an address as 32-bit words in the
// machine's byte order, then the port.
func parseHexAddr(s string) (netip.AddrPort, bool) {
	a, p, ok := strings.Cut(s, ":")
	raw, err := hex.DecodeString(a)
	port, err2 := strconv.ParseUint(p, 16, 16)
	if !ok || err != nil || err2 != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, false
	}
	for i := 0; i < len(raw); i += 4 {
		binary.NativeEndian.PutUint32(raw[i:], binary.BigEndian.Uint32(raw[i:]))
	}
	addr, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(addr, uint16(port)), true
}

var unixTypes = map[string]string{"0001": "stream", "0002": "dgram", "0005": "seqpacket"}
var unixStates = map[string]string{"01": "UNCONNECTED", "02": "CONNECTING", "03": "CONNECTED", "04": "DISCONNECTING"}

// parseNetUnix parses /proc/net/unix:
// "Num RefCount Protocol Flags Type St Inode [Path]".
func parseNetUnix(b []byte) []SocketInfo {
	var out []SocketInfo
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 7 || !strings.HasSuffix(f[0], ":") {
			continue
		}
		ino, err := strconv.ParseUint(f[6], 10, 64)
		flags, err2 := strconv.ParseUint(f[3], 16, 32)
		if err != nil || err2 != nil {
			continue
		}
		s := SocketInfo{Proto: "unix", Type: unixTypes[f[4]], Inode: ino, State: unixStates[f[5]]}
		if s.Type == "" {
			s.Type = "type " + f[4]
		}
		if flags&0x10000 != 0 { // __SO_ACCEPTCON: listening
			s.State = "LISTEN"
		} else if s.State == "" {
			s.State = "state " + f[5]
		}
		if len(f) > 7 {
			s.Local = strings.Join(f[7:], " ")
		}
		out = append(out, s)
	}
	return out
}

// readNet reads the sockets of /proc/self/net/<name>, nil on error.
func readNet(name string) []SocketInfo {
	b, err := os.ReadFile("/proc/self/net/" + name)
	if err != nil {
		return nil
	}
	if name == "unix" {
		return parseNetUnix(b)
	}
	return parseNetIP(b, name)
}

// netSockets returns the sockets of this network namespace that have an
// inode, by inode.
func netSockets() map[uint64]SocketInfo {
	out := map[uint64]SocketInfo{}
	for _, name := range []string{"tcp", "tcp6", "udp", "udp6", "unix"} {
		for _, s := range readNet(name) {
			if s.Inode != 0 {
				out[s.Inode] = s
			}
		}
	}
	return out
}
