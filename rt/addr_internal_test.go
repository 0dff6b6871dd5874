package rt

import (
	"net/netip"
	"slices"
	"testing"
)

func TestSortAddrsLikeGetaddrinfo(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"127.0.0.1", "::1"}, []string{"::1", "127.0.0.1"}},
		{[]string{"::1", "127.0.0.1"}, []string{"::1", "127.0.0.1"}},
		{[]string{"127.0.0.2", "127.0.0.1"}, []string{"127.0.0.2", "127.0.0.1"}},
	} {
		addrs := make([]netip.Addr, len(tc.in))
		for i, s := range tc.in {
			addrs[i] = netip.MustParseAddr(s)
		}
		sortAddrs(addrs)
		got := make([]string, len(addrs))
		for i, a := range addrs {
			got[i] = a.String()
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("sortAddrs(%v) = %v; want %v", tc.in, got, tc.want)
		}
	}
}

func TestPrecedence(t *testing.T) {
	for addr, want := range map[string]int{
		"::1": 50, "2a00::1": 40, "10.0.0.1": 35, "2002::1": 30, "2001::1": 5, "fd00::1": 3, "fec0::1": 1,
	} {
		if got := precedence(netip.MustParseAddr(addr)); got != want {
			t.Errorf("precedence(%s) = %d; want %d", addr, got, want)
		}
	}
}
