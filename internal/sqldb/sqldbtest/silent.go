package sqldbtest

import (
	"net"
	"testing"
)

// SilentServer listens on a port of 127.0.0.1, accepts every connection
// and never answers, as a database that is stopped (SIGSTOP) or frozen
// does, and returns its address. It closes the listener and the
// connections it holds after the test.
func SilentServer(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("sqldbtest: listen: %v", err)
	}
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		<-done
		for _, c := range held {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}
