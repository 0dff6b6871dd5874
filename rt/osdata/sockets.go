package osdata

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"gosys/internal/procfs"
)

// Sockets returns the TCP sockets (IPv4 and IPv6) of this process and its
// descendants, from /proc/net/tcp and tcp6 and their descriptor tables,
// each with its owners. Sockets no descriptor refers to any more (in
// TIME_WAIT, FIN_WAIT2, ... after close) have no owner; those are included
// when their local or peer port is that of an owned listening socket, or
// their peer is the peer of an owned connection: the connections this
// process's servers and clients closed (a closed connection to a server
// it no longer talks to is not found). The kernel's own Jupyter
// connections are the kernel process's, outside this tree, so they are not
// listed. Sorted by local port, listeners first, then by address.
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
