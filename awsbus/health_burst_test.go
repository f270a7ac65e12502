package awsbus_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// HealthHandler is served unauthenticated (the orders example puts it
// beside /metrics), and a round of checks makes SQS and SNS calls, one per
// queue, dead-letter queue and topic. So that a caller who can reach it
// cannot drive the service's AWS request rate (and, with encryption, KMS
// DescribeKey) at will, a burst of requests shares one round of checks.
func TestHealthHandlerBurstCostsOneRoundOfAWSCalls(t *testing.T) {
	tr, sq, sn := healthTransport(t, awsbus.Config{})
	h := awsbus.HealthHandler(tr)
	get := func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	}
	calls := func() int { return sq.TotalCalls() + sn.TotalCalls() }
	before := calls()
	get()
	perRequest := calls() - before
	const requests = 50
	for range requests - 1 {
		get()
	}
	total := calls() - before

	t.Logf("AWS calls: %d for the first request, %d for %d requests", perRequest, total, requests)
	assert.LessOrEqual(t, total, 2*perRequest,
		"a burst of unauthenticated health requests should share one round of AWS calls")
}
