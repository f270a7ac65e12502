package sqlbackend_test

import (
	"io"
	"net"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// proxy forwards TCP connections from its address to a database's, until
// stopped: a database that stops answering, then comes back on the same
// address with start.
type proxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        []net.Conn
}

// newProxy starts a proxy on 127.0.0.1 to target (host:port), stopped
// when the test ends.
func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	return newProxyOn(t, "127.0.0.1", target)
}

// newProxyOn starts a proxy on a port of ip to target (host:port), stopped
// when the test ends.
func newProxyOn(t *testing.T, ip, target string) *proxy {
	t.Helper()
	p := &proxy{addr: net.JoinHostPort(ip, "0"), target: target}
	p.start(t)
	p.addr = p.ln.Addr().String()
	t.Cleanup(p.stop)
	return p
}

// start listens on the proxy's address again.
func (p *proxy) start(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	require.NoError(t, err)
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go p.serve(ln)
}

func (p *proxy) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
		go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
	}
}

// stop closes the listener and every connection: the database is gone.
func (p *proxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.ln.Close()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}
