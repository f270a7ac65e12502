//go:build integration

package integration

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// freezeProxy forwards TCP connections to upstream and can freeze the ones
// open: what either side sends on them is dropped while they stay open, as
// after a failover the old primary's connections go silent, while new
// connections work.
type freezeProxy struct {
	ln       net.Listener
	upstream string
	mu       sync.Mutex
	frozen   []*atomic.Bool
	conns    []net.Conn
	dropped  atomic.Int64 // reads dropped on frozen connections
}

func newFreezeProxy(t *testing.T, upstream string) *freezeProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f := &freezeProxy{ln: ln, upstream: upstream}
	go f.accept()
	t.Cleanup(func() {
		_ = ln.Close()
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, c := range f.conns {
			_ = c.Close()
		}
	})
	return f
}

func (f *freezeProxy) addr() string { return f.ln.Addr().String() }

func (f *freezeProxy) accept() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", f.upstream)
		if err != nil {
			_ = c.Close()
			continue
		}
		frozen := &atomic.Bool{}
		f.mu.Lock()
		f.frozen = append(f.frozen, frozen)
		f.conns = append(f.conns, c, u)
		f.mu.Unlock()
		go f.pipeUnlessFrozen(c, u, frozen)
		go f.pipeUnlessFrozen(u, c, frozen)
	}
}

// freeze makes every connection open now silent for good.
func (f *freezeProxy) freeze() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range f.frozen {
		b.Store(true)
	}
	n := len(f.frozen)
	f.frozen = nil
	return n
}

// droppedAny reports whether something was sent on a frozen connection
// (and dropped): a client met the fault.
func (f *freezeProxy) droppedAny() bool { return f.dropped.Load() > 0 }

func (f *freezeProxy) pipeUnlessFrozen(src, dst net.Conn, frozen *atomic.Bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			_ = dst.Close()
			return
		}
		if frozen.Load() {
			f.dropped.Add(1)
			continue // dropped
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			_ = src.Close()
			return
		}
	}
}
