package rt

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"syscall"

	"gosys/rt/cellctl"
)

// AddrInfo is one address getaddrinfo(3) would return: what Socket, Bind
// and Connect need to reach or serve it.
type AddrInfo struct {
	Family, SockType, Protocol int              // syscall.AF_*, SOCK_*, IPPROTO_*
	Addr                       syscall.Sockaddr // *syscall.SockaddrInet4 or *syscall.SockaddrInet6
	CanonName                  string           // empty, as without AI_CANONNAME
}

// String returns the address as "AF_INET 127.0.0.1:80" or
// "AF_INET6 [::1]:80".
func (ai AddrInfo) String() string {
	family := "AF_INET"
	if ai.Family == syscall.AF_INET6 {
		family = "AF_INET6"
	}
	return family + " " + sockaddrString(ai.Addr)
}

// LookupHost returns the TCP addresses of host and port as getaddrinfo(3)
// with AF_UNSPEC and SOCK_STREAM does on Linux with glibc:
//
//   - host is a numeric IPv4 or IPv6 address (with an optional %zone), or a
//     name resolved through /etc/hosts and DNS (e.g. "localhost"), or ""
//     for the loopback addresses ::1 and 127.0.0.1;
//   - port is a number or a service name such as "http"; "" is port 0;
//   - the order is glibc's for the usual cases (RFC 6724): reachable
//     addresses first, then ::1, other IPv6, IPv4, then 6to4, Teredo and
//     unique-local IPv6; otherwise the resolver's order.
//
// Every AddrInfo has SockType SOCK_STREAM and Protocol IPPROTO_TCP. An
// interrupt of the running cell ends a slow DNS lookup with ErrInterrupted.
func LookupHost(host, port string) ([]AddrInfo, error) {
	s := cellctl.Acquire()
	defer s.Release()
	ctx := s.Context()
	p, err := lookupPort(ctx, port)
	if err == nil {
		var addrs []netip.Addr
		addrs, err = lookupIPs(ctx, host)
		if err == nil {
			return addrInfos(addrs, p), nil
		}
	}
	if ctx.Err() != nil {
		err = ErrInterrupted
	}
	return nil, fmt.Errorf("lookup host %q port %q: %w", host, port, err)
}

// SetupAddress returns the addresses a server binds to accept TCP
// connections on port from anywhere, as getaddrinfo(3) with a NULL host,
// AI_PASSIVE, AF_UNSPEC and SOCK_STREAM does on Linux with glibc:
// 0.0.0.0 (AF_INET) first, then :: (AF_INET6). Binding the first gives an
// IPv4-only server; binding :: with the system's default IPV6_V6ONLY (0 on
// Linux) serves IPv4 too, and then 0.0.0.0 on the same port is in use.
func SetupAddress(port string) ([]AddrInfo, error) {
	s := cellctl.Acquire()
	defer s.Release()
	p, err := lookupPort(s.Context(), port)
	if err != nil {
		return nil, fmt.Errorf("setup address port %q: %w", port, err)
	}
	return addrInfos([]netip.Addr{netip.IPv4Unspecified(), netip.IPv6Unspecified()}, p), nil
}

// lookupPort returns the number of a TCP port given as a number or a name.
func lookupPort(ctx context.Context, port string) (int, error) {
	if port == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(port); err == nil {
		if n < 0 || n > 65535 {
			return 0, errors.New("port out of range")
		}
		return n, nil
	}
	return net.DefaultResolver.LookupPort(ctx, "tcp", port)
}

// lookupIPs returns host's addresses in getaddrinfo's order.
func lookupIPs(ctx context.Context, host string) ([]netip.Addr, error) {
	if host == "" {
		return []netip.Addr{netip.IPv6Loopback(), netip.AddrFrom4([4]byte{127, 0, 0, 1})}, nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	addrs := make([]netip.Addr, 0, len(ips))
	for _, ip := range ips {
		if a, ok := netip.AddrFromSlice(ip.IP); ok {
			addrs = append(addrs, a.Unmap().WithZone(ip.Zone))
		}
	}
	sortAddrs(addrs)
	return addrs, nil
}

// sortAddrs orders addrs as glibc's getaddrinfo does in the usual cases
// (RFC 6724): reachable first (rule 1), then by precedence (rule 6), else
// keeping their order.
func sortAddrs(addrs []netip.Addr) {
	type ranked struct {
		addr      netip.Addr
		reachable bool
		prec      int
	}
	rs := make([]ranked, len(addrs))
	for i, a := range addrs {
		rs[i] = ranked{a, reachable(a), precedence(a)}
	}
	slices.SortStableFunc(rs, func(a, b ranked) int {
		if a.reachable != b.reachable {
			if a.reachable {
				return -1
			}
			return 1
		}
		return b.prec - a.prec
	})
	for i, r := range rs {
		addrs[i] = r.addr
	}
}

// reachable reports whether the system has a route to a, the way glibc
// finds out for RFC 6724 rule 1: a UDP connect, which sends nothing.
func reachable(a netip.Addr) bool {
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(a, 9)))
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// policy is RFC 6724's default policy table: precedence by prefix, longest
// prefix first.
var policy = []struct {
	prefix netip.Prefix
	prec   int
}{
	{netip.MustParsePrefix("::1/128"), 50},
	{netip.MustParsePrefix("::ffff:0:0/96"), 35},
	{netip.MustParsePrefix("::/96"), 1},
	{netip.MustParsePrefix("2001::/32"), 5},
	{netip.MustParsePrefix("2002::/16"), 30},
	{netip.MustParsePrefix("3ffe::/16"), 1},
	{netip.MustParsePrefix("fec0::/10"), 1},
	{netip.MustParsePrefix("fc00::/7"), 3},
	{netip.MustParsePrefix("::/0"), 40},
}

// precedence returns a's precedence in the default policy table, IPv4
// addresses counting as IPv4-mapped IPv6.
func precedence(a netip.Addr) int {
	a = netip.AddrFrom16(a.As16())
	for _, p := range policy {
		if p.prefix.Contains(a) {
			return p.prec
		}
	}
	return 0
}

// addrInfos makes the SOCK_STREAM AddrInfos of addrs on port.
func addrInfos(addrs []netip.Addr, port int) []AddrInfo {
	infos := make([]AddrInfo, 0, len(addrs))
	for _, a := range addrs {
		ai := AddrInfo{SockType: syscall.SOCK_STREAM, Protocol: syscall.IPPROTO_TCP}
		if a.Is4() {
			ai.Family = syscall.AF_INET
			ai.Addr = &syscall.SockaddrInet4{Port: port, Addr: a.As4()}
		} else {
			ai.Family = syscall.AF_INET6
			ai.Addr = &syscall.SockaddrInet6{Port: port, Addr: a.As16(), ZoneId: zoneID(a.Zone())}
		}
		infos = append(infos, ai)
	}
	return infos
}

// zoneID returns the interface index of an IPv6 zone, a name or a number.
func zoneID(zone string) uint32 {
	if zone == "" {
		return 0
	}
	if ifi, err := net.InterfaceByName(zone); err == nil {
		return uint32(ifi.Index)
	}
	n, _ := strconv.ParseUint(zone, 10, 32)
	return uint32(n)
}

// sockaddrString formats an address for messages: "127.0.0.1:80",
// "[::1]:80", a unix socket's path.
func sockaddrString(sa syscall.Sockaddr) string {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port)).String()
	case *syscall.SockaddrInet6:
		a := netip.AddrFrom16(sa.Addr)
		if sa.ZoneId != 0 {
			a = a.WithZone(strconv.Itoa(int(sa.ZoneId)))
		}
		return netip.AddrPortFrom(a, uint16(sa.Port)).String()
	case *syscall.SockaddrUnix:
		return sa.Name
	case nil:
		return "<nil address>"
	}
	return fmt.Sprintf("%T", sa)
}
