package sqldbtest

import (
	"net"
	"testing"
)

// NonLoopbackAddress returns an IPv4 address of this machine that is
// neither a loopback nor a link-local one: a listener there is reached
// over what the link check counts as a network. It fails the test when
// the machine has none.
func NonLoopbackAddress(t testing.TB) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatalf("list this machine's addresses: %v", err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	t.Fatalf("no IPv4 address other than a loopback one among %v", addrs)
	return ""
}
