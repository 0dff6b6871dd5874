package rt_test

import (
	"errors"
	"net"
	"slices"
	"syscall"
	"testing"

	"gosys/rt"

	"golang.org/x/sys/unix"
)

// listen binds a listening socket to ai (port 0 picks one) and returns it
// with ai's address completed by the chosen port.
func listen(t *testing.T, ai rt.AddrInfo) (int, rt.AddrInfo) {
	t.Helper()
	fd, err := rt.Socket(ai.Family, ai.SockType, ai.Protocol)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := rt.Bind(fd, ai); err != nil {
		if errors.Is(err, syscall.EADDRNOTAVAIL) {
			t.Skipf("no %s here: %v", ai, err)
		}
		t.Fatal(err)
	}
	if err := rt.Listen(fd, 5); err != nil {
		t.Fatal(err)
	}
	ai.Addr = boundAddr(t, fd)
	return fd, ai
}

// boundAddr returns fd's local address as a syscall.Sockaddr.
func boundAddr(t *testing.T, fd int) syscall.Sockaddr {
	t.Helper()
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return &syscall.SockaddrInet4{Port: sa.Port, Addr: sa.Addr}
	case *unix.SockaddrInet6:
		return &syscall.SockaddrInet6{Port: sa.Port, Addr: sa.Addr}
	}
	t.Fatalf("unexpected address %T", sa)
	return nil
}

func lookup(t *testing.T, host, port string) rt.AddrInfo {
	t.Helper()
	ais, err := rt.LookupHost(host, port)
	if err != nil || len(ais) != 1 {
		t.Fatalf("LookupHost(%q, %q) = %v, %v; want one address", host, port, ais, err)
	}
	return ais[0]
}

func TestEchoOverLoopback(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "::1"} {
		t.Run(host, func(t *testing.T) {
			inCell(t)
			lfd, ai := listen(t, lookup(t, host, "0"))

			cfd, err := rt.Socket(ai.Family, ai.SockType, ai.Protocol)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { syscall.Close(cfd) })
			if err := rt.Connect(cfd, ai); err != nil {
				t.Fatal(err)
			}
			checkInheritable(t, "connected", cfd)
			conn, err := rt.Accept(lfd)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { syscall.Close(conn) })
			checkInheritable(t, "accepted", conn)

			go func() { // the echo server
				buf := make([]byte, 64)
				n, err := rt.Read(conn, buf)
				if err == nil {
					rt.Write(conn, buf[:n])
				}
			}()
			mustWrite(t, cfd, "ping over "+host)
			mustRead(t, cfd, "ping over "+host)
		})
	}
}

func TestLookupHost(t *testing.T) {
	for _, tc := range []struct {
		host, port string
		want       []string // AddrInfo.String()s, in order
	}{
		{"127.0.0.1", "8080", []string{"AF_INET 127.0.0.1:8080"}},
		{"::1", "http", []string{"AF_INET6 [::1]:80"}},
		{"", "22", []string{"AF_INET6 [::1]:22", "AF_INET 127.0.0.1:22"}},
		{"10.1.2.3", "", []string{"AF_INET 10.1.2.3:0"}},
		{"::ffff:127.0.0.1", "1", []string{"AF_INET6 [::ffff:127.0.0.1]:1"}},
	} {
		ais, err := rt.LookupHost(tc.host, tc.port)
		if err != nil {
			t.Errorf("LookupHost(%q, %q): %v", tc.host, tc.port, err)
			continue
		}
		var got []string
		for _, ai := range ais {
			got = append(got, ai.String())
			if ai.SockType != syscall.SOCK_STREAM || ai.Protocol != syscall.IPPROTO_TCP {
				t.Errorf("LookupHost(%q, %q): %+v is not TCP", tc.host, tc.port, ai)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("LookupHost(%q, %q) = %v; want %v", tc.host, tc.port, got, tc.want)
		}
	}
	for _, port := range []string{"65536", "-1", "no-such-service-xyz"} {
		if _, err := rt.LookupHost("127.0.0.1", port); err == nil {
			t.Errorf("LookupHost port %q: no error", port)
		}
	}
}

// TestLookupLocalhost checks "localhost" gives what the resolver (here
// /etc/hosts) says, IPv6 first.
func TestLookupLocalhost(t *testing.T) {
	ais, err := rt.LookupHost("localhost", "80")
	if err != nil {
		t.Fatal(err)
	}
	ips, err := net.LookupIP("localhost")
	if err != nil || len(ais) != len(ips) {
		t.Fatalf("LookupHost(localhost) = %v; resolver says %v, %v", ais, ips, err)
	}
	for i, ai := range ais {
		if i > 0 && ai.Family == syscall.AF_INET6 && ais[i-1].Family == syscall.AF_INET {
			t.Errorf("IPv6 after IPv4: %v", ais)
		}
		t.Log(ai)
	}
}

func TestSetupAddress(t *testing.T) {
	ais, err := rt.SetupAddress("0")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ai := range ais {
		got = append(got, ai.String())
	}
	if want := []string{"AF_INET 0.0.0.0:0", "AF_INET6 [::]:0"}; !slices.Equal(got, want) {
		t.Fatalf("SetupAddress(0) = %v; want %v", got, want)
	}
	for _, ai := range ais {
		_, bound := listen(t, ai)
		if port := sockPort(bound.Addr); port == 0 {
			t.Errorf("%v bound to port 0", bound)
		}
	}
}

func sockPort(sa syscall.Sockaddr) int {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return sa.Port
	case *syscall.SockaddrInet6:
		return sa.Port
	}
	return 0
}

func TestConnectRefused(t *testing.T) {
	inCell(t)
	lfd, ai := listen(t, lookup(t, "127.0.0.1", "0"))
	rt.Close(lfd) // nothing listens on ai's port any more

	fd, err := rt.Socket(ai.Family, ai.SockType, ai.Protocol)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := rt.Connect(fd, ai); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("Connect to a closed port = %v; want ECONNREFUSED", err)
	}
	checkInheritable(t, "after a refused connect", fd)
}
