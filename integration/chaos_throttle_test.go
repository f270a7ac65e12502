//go:build integration

package integration

import (
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

	"github.com/stretchr/testify/require"
)

// throttleFront is an HTTP reverse proxy in front of the AWS endpoint that
// answers a share of SQS and SNS requests, and every other KMS request (a
// service makes few: data keys are cached), with the throttling errors
// those services return, in each service's own protocol, alternating a
// throttling error and a server error. Requests are told apart by the
// service name in their SigV4 credential scope. TCP faults are toxiproxy's;
// this front adds the HTTP-level ones toxiproxy cannot.
type throttleFront struct {
	url      string
	perMille atomic.Int64 // share of requests throttled, in thousandths
	answered atomic.Int64 // requests answered with an error
	kmsSeen  atomic.Int64 // KMS requests while throttling
	// The same, per service.
	bySQS, bySNS, byKMS atomic.Int64
	proxy               *httputil.ReverseProxy
}

func newThrottleFront(t *testing.T, upstream string) *throttleFront {
	t.Helper()
	target, err := url.Parse(upstream)
	require.NoError(t, err)
	f := &throttleFront{proxy: httputil.NewSingleHostReverseProxy(target)}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 256 // every service's long polls and sends reuse connections
	f.proxy.Transport = transport
	// A request the client gave up on (a fault made it time out) is no
	// news: the scenario's figures say what reached the backend.
	f.proxy.ErrorLog = log.New(io.Discard, "", 0)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	t.Cleanup(transport.CloseIdleConnections)
	f.url = srv.URL
	return f
}

// setShare throttles share (0..1) of the requests from now on.
func (f *throttleFront) setShare(share float64) { f.perMille.Store(int64(share * 1000)) }

var credentialScope = regexp.MustCompile(`Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request`)

func (f *throttleFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization"))
	share := f.perMille.Load()
	if m == nil || share == 0 || !f.throttles(m[1], share) {
		f.proxy.ServeHTTP(w, r)
		return
	}
	counter := map[string]*atomic.Int64{"sqs": &f.bySQS, "sns": &f.bySNS, "kms": &f.byKMS}[m[1]]
	if counter == nil {
		f.proxy.ServeHTTP(w, r)
		return
	}
	counter.Add(1)
	status, contentType, body := throttleAnswer(m[1], f.answered.Add(1)%2 == 0)
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// throttles draws whether a request to service is throttled.
func (f *throttleFront) throttles(service string, share int64) bool {
	if service == "kms" {
		return f.kmsSeen.Add(1)%2 == 1
	}
	return rand.Int64N(1000) < share
}

// throttleAnswer is the error a service answers a throttled request with:
// its throttling code (SQS RequestThrottled with HTTP 400, SNS Throttled
// with 429, KMS ThrottlingException with 400) or its server error (SQS and
// SNS ServiceUnavailable with 503, KMS KMSInternalException with 500).
func throttleAnswer(service string, serverError bool) (status int, contentType, body string) {
	switch service {
	case "sqs":
		code, status := "RequestThrottled", http.StatusBadRequest
		if serverError {
			code, status = "ServiceUnavailable", http.StatusServiceUnavailable
		}
		return status, "application/x-amz-json-1.0", `{"__type":"com.amazonaws.sqs#` + code + `","message":"Rate exceeded"}`
	case "sns":
		code, status := "Throttled", http.StatusTooManyRequests
		if serverError {
			code, status = "ServiceUnavailable", http.StatusServiceUnavailable
		}
		return status, "text/xml", `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>` +
			code + `</Code><Message>Rate exceeded</Message></Error><RequestId>chaos</RequestId></ErrorResponse>`
	case "kms":
		code, status := "ThrottlingException", http.StatusBadRequest
		if serverError {
			code, status = "KMSInternalException", http.StatusInternalServerError
		}
		return status, "application/x-amz-json-1.1", `{"__type":"` + code + `","message":"Rate exceeded"}`
	}
	panic("no throttling answer for service " + service)
}
