package rt

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"

	"gosys/internal/procfs"
	"gosys/rt/cellctl"
)

// SocketInfo is what the kernel says of one socket in /proc/net.
type SocketInfo struct {
	Proto string // "tcp", "tcp6", "udp", "udp6" or "unix"
	Type  string // unix: "stream", "dgram" or "seqpacket"; "" otherwise
	Inode uint64 // 0 for a socket no descriptor refers to any more (TIME_WAIT)

	// Local and Peer are "127.0.0.1:8080" or "[::1]:8080" (for unix
	// sockets: the bound path, "@name" when abstract, "" when unnamed).
	// Peer is "" when there is none (a listening socket).
	Local, Peer string

	// State is the TCP state as netstat names it (LISTEN, SYN_SENT,
	// SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE,
	// CLOSE_WAIT, LAST_ACK, CLOSING, NEW_SYN_RECV); for UDP ESTABLISHED
	// (connected) or CLOSE; for unix sockets LISTEN, CONNECTED,
	// UNCONNECTED, CONNECTING or DISCONNECTING.
	State string

	// SendQ and RecvQ are the bytes waiting in the send and receive
	// queues (for a TCP listener, RecvQ is the number of connections
	// waiting for accept). Zero for unix sockets.
	SendQ, RecvQ int64

	// Owners lists the descriptors referring to the socket among the
	// processes searched, ordered by pid then descriptor.
	Owners []FDRef
}

// Describe says in words what the socket is, e.g. "TCP 127.0.0.1:8080
// LISTEN" or "TCP 127.0.0.1:8080 → 127.0.0.1:40112 ESTABLISHED". The
// wording is for people and may change.
func (s SocketInfo) Describe() string {
	name := strings.ToUpper(strings.TrimSuffix(s.Proto, "6"))
	if s.Proto == "unix" {
		name = "unix " + s.Type
	}
	local := s.Local
	if local == "" {
		local = "(unnamed)"
	}
	if s.Peer != "" {
		local += " → " + s.Peer
	}
	return name + " " + local + " " + s.State
}

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

// Sockets returns the TCP sockets (IPv4 and IPv6) of this process and its
// descendants, from /proc/net/tcp and tcp6 and their descriptor tables,
// each with its owners. Sockets no descriptor refers to any more (in
// TIME_WAIT, FIN_WAIT2, ... after close) have no owner; those are included
// when their local or peer port is that of an owned listening socket, or
// their peer is the peer of an owned connection: the connections this
// process's servers and clients closed (a closed connection to a server
// it no longer talks to is not found). The kernel's own Jupyter
// connections are left out. Sorted by local port, listeners first, then by
// address.
func Sockets() ([]SocketInfo, error) {
	procs, err := procfs.All()
	if err != nil {
		return nil, err
	}
	var all []SocketInfo
	for _, name := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile("/proc/self/net/" + name)
		if err != nil {
			return nil, fmt.Errorf("read /proc/self/net/%s: %w", name, err)
		}
		all = append(all, parseNetIP(b, name)...)
	}
	want := map[string]bool{}
	for _, s := range all {
		if s.Inode != 0 {
			want["socket:["+strconv.FormatUint(s.Inode, 10)+"]"] = true
		}
	}
	owners := scanHolders(procfs.Subtree(os.Getpid(), procfs.ChildMap(procs)), want)
	var out []SocketInfo
	listenPorts, peers := map[string]bool{}, map[string]bool{}
	all = slices.DeleteFunc(all, func(s SocketInfo) bool {
		port, err := strconv.Atoi(portOf(s.Local))
		return err == nil && cellctl.IsKernelPort(port)
	})
	for _, s := range all {
		if o := owners["socket:["+strconv.FormatUint(s.Inode, 10)+"]"]; s.Inode != 0 && o != nil {
			s.Owners = o
			out = append(out, s)
			if s.State == "LISTEN" {
				listenPorts[portOf(s.Local)] = true
			} else if s.Peer != "" {
				peers[s.Peer] = true
			}
		}
	}
	for _, s := range all {
		if s.Inode == 0 && s.Peer != "" && (listenPorts[portOf(s.Local)] || listenPorts[portOf(s.Peer)] || peers[s.Peer]) {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, compareSockets)
	return out, nil
}

// portOf returns the port of "host:port".
func portOf(addr string) string {
	return addr[strings.LastIndexByte(addr, ':')+1:]
}

// compareSockets orders by local port, listeners first, then by local and
// peer address.
func compareSockets(a, b SocketInfo) int {
	pa, _ := strconv.Atoi(portOf(a.Local))
	pb, _ := strconv.Atoi(portOf(b.Local))
	if pa != pb {
		return pa - pb
	}
	if la, lb := a.State == "LISTEN", b.State == "LISTEN"; la != lb {
		if la {
			return -1
		}
		return 1
	}
	if c := strings.Compare(a.Local, b.Local); c != 0 {
		return c
	}
	return strings.Compare(a.Peer, b.Peer)
}

// ShowSockets shows the TCP sockets of this process and its descendants
// (see Sockets) as an HTML table with a plain-text copy: protocol, local
// and peer address, state, queued bytes and the pid and descriptor of
// each owner.
func ShowSockets() {
	s, err := Sockets()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rt.ShowSockets:", err)
		return
	}
	Display(map[string]any{"text/html": SocketsHTML(s), "text/plain": SocketsText(s)}, nil)
}
