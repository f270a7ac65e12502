package awsbus_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// A Bind that AWS keeps throttling, or failing on its side, past the
// clients' own retries runs the provisioning again, with backoff, a bounded
// number of times, logging each attempt, and then fails naming the error.
func TestBind_RunsTheProvisioningAgainWhileAWSThrottles(t *testing.T) {
	t.Run("RequestThrottled", func(t *testing.T) {
		bindsAgainWhileAWSAnswers(t, http.StatusBadRequest, "RequestThrottled")
	})
	t.Run("ServiceUnavailable", func(t *testing.T) {
		bindsAgainWhileAWSAnswers(t, http.StatusServiceUnavailable, "ServiceUnavailable")
	})
}

func bindsAgainWhileAWSAnswers(t *testing.T, status int, code string) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"__type":"com.amazonaws.sqs#` + code + `","message":"Rate exceeded"}`))
	}))
	t.Cleanup(srv.Close)
	cfg := staticAWSConfig("us-east-1", srv.URL)
	cfg.RetryMaxAttempts = 1 // the clients give up at once: Bind's own attempts are measured
	logs := watermill.NewCaptureLogger()
	tr, err := awsbus.NewTransportFromAWS(cfg, awsbus.Config{Logger: logs})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })

	err = tr.Bind(context.Background(), ordersBinding())

	require.Error(t, err)
	assert.ErrorContains(t, err, code)
	var retries int
	for _, m := range logs.Captured()[watermill.InfoLogLevel] {
		if m.Msg == "awsbus: AWS throttled or failed the topology's provisioning; trying again" {
			retries++
		}
	}
	assert.Equal(t, 4, retries, "five attempts in all")
	assert.GreaterOrEqual(t, calls.Load(), int64(5))
}
