//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sync/atomic"
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

// newFaultProxy starts a proxy to upstream (host:port) on a free loopback
// port; the test's cleanup stops it.
func newFaultProxy(t *testing.T, name, upstream string) *faultProxy {
	t.Helper()
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, name, "127.0.0.1:0", upstream)
	require.NoError(t, p.Start(), "start the %s fault proxy", name)
	t.Cleanup(p.Stop)
	return &faultProxy{p: p}
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
// limit_data, ...) on stream (upstream: requests, downstream: responses)
// and returns a func removing it.
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

// throttleFront is an HTTP reverse proxy in front of the AWS endpoint that
// answers a share of SQS, SNS and KMS requests with the throttling errors
// those services return, in each service's own protocol, alternating a
// 400 throttling error and a 503 (of other services' requests, none).
// Requests are told apart by the service
// name in their SigV4 credential scope. TCP faults are toxiproxy's; this
// front adds the HTTP-level ones toxiproxy cannot.
type throttleFront struct {
	url                 string
	perMille            atomic.Int64 // share of requests throttled, in thousandths
	throttled           atomic.Int64 // requests answered with an error
	bySQS, bySNS, byKMS atomic.Int64 // the same, per service
	passed              atomic.Int64 // requests forwarded
	proxy               *httputil.ReverseProxy
}

func newThrottleFront(t *testing.T, upstream string) *throttleFront {
	t.Helper()
	target, err := url.Parse(upstream)
	require.NoError(t, err)
	f := &throttleFront{proxy: httputil.NewSingleHostReverseProxy(target)}
	// A request the client gave up on (a fault made it time out) is no
	// news: the scenario's figures say what reached the backend.
	f.proxy.ErrorLog = log.New(io.Discard, "", 0)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// setShare throttles share (0..1) of the requests from now on.
func (f *throttleFront) setShare(share float64) { f.perMille.Store(int64(share * 1000)) }

var credentialScope = regexp.MustCompile(`Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request`)

func (f *throttleFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization"))
	share := f.perMille.Load()
	if m == nil || share == 0 || rand.Int64N(1000) >= share {
		f.passed.Add(1)
		f.proxy.ServeHTTP(w, r)
		return
	}
	counter := map[string]*atomic.Int64{"sqs": &f.bySQS, "sns": &f.bySNS, "kms": &f.byKMS}[m[1]]
	if counter == nil {
		f.passed.Add(1)
		f.proxy.ServeHTTP(w, r)
		return
	}
	counter.Add(1)
	status, contentType, body := throttleAnswer(m[1], f.throttled.Add(1)%2 == 0)
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// throttleAnswer is the error a service answers a throttled request with:
// its throttling code with HTTP 400 (SQS RequestThrottled, SNS Throttled,
// KMS ThrottlingException) or, when unavailable, HTTP 503.
func throttleAnswer(service string, unavailable bool) (status int, contentType, body string) {
	switch service {
	case "sqs":
		code := "RequestThrottled"
		if unavailable {
			return http.StatusServiceUnavailable, "application/x-amz-json-1.0", `{"__type":"com.amazonaws.sqs#ServiceUnavailable","message":"Service unavailable"}`
		}
		return http.StatusBadRequest, "application/x-amz-json-1.0", `{"__type":"com.amazonaws.sqs#` + code + `","message":"Rate exceeded"}`
	case "sns":
		code, status := "Throttled", http.StatusBadRequest
		if unavailable {
			code, status = "ServiceUnavailable", http.StatusServiceUnavailable
		}
		return status, "text/xml", `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>` +
			code + `</Code><Message>Rate exceeded</Message></Error><RequestId>chaos</RequestId></ErrorResponse>`
	case "kms":
		if unavailable {
			return http.StatusServiceUnavailable, "application/x-amz-json-1.1", `{"__type":"KMSInternalException","message":"Service unavailable"}`
		}
		return http.StatusBadRequest, "application/x-amz-json-1.1", `{"__type":"ThrottlingException","message":"Rate exceeded"}`
	}
	panic("no throttling answer for service " + service)
}
