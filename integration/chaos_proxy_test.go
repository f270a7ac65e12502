//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"testing"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// faultProxy is a toxiproxy proxy, run in the test process, between the
// services and one backend: it can refuse connections (stopped: new
// connections refused, open ones closed) and add toxics (latency, resets).
type faultProxy struct {
	p *toxiproxy.Proxy
}

// newFaultProxy starts a proxy to upstream (host:port); the test's cleanup
// stops it.
func newFaultProxy(t *testing.T, name, upstream string) *faultProxy {
	t.Helper()
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, name, lowPort(t), upstream)
	require.NoError(t, p.Start(), "start the %s fault proxy", name)
	t.Cleanup(p.Stop)
	return &faultProxy{p: p}
}

// lowPort returns a free loopback address below Linux's ephemeral port
// range (32768 and up), so that no outgoing connection can take it while
// the proxy is stopped and restore can listen on it again.
func lowPort(t *testing.T) string {
	t.Helper()
	for range 100 {
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(12000))
		l, err := net.Listen("tcp", addr)
		if err == nil {
			require.NoError(t, l.Close())
			return addr
		}
	}
	t.Fatal("no free loopback port in 20000-32000")
	return ""
}

// addr is the proxy's listen address (host:port); it stays the same across
// refuse and restore.
func (f *faultProxy) addr() string { return f.p.Listen }

// refuse closes every proxied connection and refuses new ones.
func (f *faultProxy) refuse() { f.p.Stop() }

// restore accepts connections again.
func (f *faultProxy) restore(t *testing.T) {
	t.Helper()
	require.NoError(t, f.p.Start(), "restart the %s fault proxy", f.p.Name)
}

// toxic adds a toxic of type typ (toxiproxy's names: latency, reset_peer,
// ...) on stream (upstream: requests, downstream: responses) and returns a
// func removing it.
func (f *faultProxy) toxic(t *testing.T, typ, stream string, attrs map[string]any) (remove func()) {
	t.Helper()
	name := typ + "-" + stream
	body, err := json.Marshal(map[string]any{"name": name, "type": typ, "stream": stream, "toxicity": 1.0, "attributes": attrs})
	require.NoError(t, err)
	_, err = f.p.Toxics.AddToxicJson(bytes.NewReader(body))
	require.NoError(t, err, "add toxic %s to %s", name, f.p.Name)
	return func() {
		require.NoError(t, f.p.Toxics.RemoveToxic(context.Background(), name), "remove toxic %s", name)
	}
}
