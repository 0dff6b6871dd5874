package view

import (
	"fmt"
	"strconv"
	"strings"

	"gosys/rt/osdata"
)

// SocketsHTML renders sockets as an HTML table (protocol, local and peer
// address, state, queued bytes, owners) with inline styles only.
func SocketsHTML(sockets []osdata.SocketInfo) string {
	rows := make([][]string, 0, len(sockets))
	for _, s := range sockets {
		peer := s.Peer
		if peer == "" {
			peer = "*"
		}
		rows = append(rows, []string{
			esc(s.Proto),
			"<code>" + esc(s.Local) + "</code>",
			"<code>" + esc(peer) + "</code>",
			badge(s.State, tcpStateFill(s.State)),
			num(strconv.FormatInt(s.RecvQ, 10)),
			num(strconv.FormatInt(s.SendQ, 10)),
			esc(ownersText(s)),
		})
	}
	if len(rows) == 0 {
		rows = append(rows, []string{"", "", "", "no TCP sockets", "", "", ""})
	}
	return htmlTable("TCP sockets", []string{"proto", "local", "peer", "state", "recv-q", "send-q", "owner (pid/fd)"}, rows)
}

// SocketsText renders sockets as plain text in the columns of
// SocketsHTML.
func SocketsText(sockets []osdata.SocketInfo) string {
	rows := make([][]string, 0, len(sockets))
	for _, s := range sockets {
		peer := s.Peer
		if peer == "" {
			peer = "*"
		}
		rows = append(rows, []string{s.Proto, s.Local, peer, s.State,
			strconv.FormatInt(s.RecvQ, 10), strconv.FormatInt(s.SendQ, 10), ownersText(s)})
	}
	if len(rows) == 0 {
		return "TCP sockets: none\n"
	}
	return "TCP sockets\n" + textTable([]string{"proto", "local", "peer", "state", "recv-q", "send-q", "owner (pid/fd)"}, rows, 4, 5)
}

// ownersText lists the owners of s as "123/4, 125/4", or says it has none.
func ownersText(s osdata.SocketInfo) string {
	if len(s.Owners) == 0 {
		return "none (closed; the kernel keeps it)"
	}
	parts := make([]string, len(s.Owners))
	for i, o := range s.Owners {
		parts[i] = fmt.Sprintf("%d/%d", o.Pid, o.FD)
	}
	return strings.Join(parts, ", ")
}
