package awsbus_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
)

// healthStatus serves one request of h and returns its status code.
func healthStatus(h http.Handler) int {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	return rec.Code
}

// Within HealthReuse the handler answers with its last report; after
// it, the next request runs a round of checks again and sees a change.
func TestHealthHandler_ReusesItsReportForTheTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, sq, sn := healthTransport(t, awsbus.Config{})
		h := awsbus.HealthHandler(tr)
		calls := func() int { return sq.TotalCalls() + sn.TotalCalls() }
		before := calls()
		require.Equal(t, http.StatusOK, healthStatus(h))
		round := calls() - before
		require.Positive(t, round)

		sq.FailNext("GetQueueAttributes", 1, &sqstypes.QueueDoesNotExist{Message: aws.String("gone")})
		time.Sleep(awsbus.HealthReuse - time.Second) // synctest: fake time, within the reuse
		assert.Equal(t, http.StatusOK, healthStatus(h), "within the TTL the last report answers")
		assert.Equal(t, round, calls()-before, "within the TTL no AWS call is made")

		time.Sleep(time.Second + time.Nanosecond) // synctest: past the TTL
		assert.Equal(t, http.StatusServiceUnavailable, healthStatus(h), "after the TTL the checks run again")
		assert.Equal(t, 2*round, calls()-before)
	})
}

// blockingSQS counts GetQueueUrl, the SQS reachability check, and once
// release is set holds each call until release is closed.
type blockingSQS struct {
	*awsbustest.SQS
	release chan struct{}
	calls   atomic.Int64
}

func (b *blockingSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	if b.release != nil {
		b.calls.Add(1)
		<-b.release
	}
	return b.SQS.GetQueueUrl(ctx, in, opts...)
}

// Requests that arrive while a round of checks runs wait for it and share
// its report instead of starting rounds of their own.
func TestHealthHandler_ConcurrentRequestsShareOneRound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sq, sn := newFakes()
		b := &blockingSQS{SQS: sq}
		tr, err := awsbus.NewTransport(awsbus.Clients{SQS: b, SNS: sn}, awsbus.Config{})
		require.NoError(t, err)
		defer tr.Close()
		require.NoError(t, tr.Bind(context.Background(), ordersBinding()))
		h := awsbus.HealthHandler(tr)
		b.release = make(chan struct{})

		const requests = 10
		codes := make(chan int, requests)
		for range requests {
			go func() { codes <- healthStatus(h) }()
		}
		synctest.Wait() // every request waits: one in the round, the others for it
		assert.Equal(t, int64(1), b.calls.Load(), "one round of checks for the concurrent requests")

		close(b.release)
		for range requests {
			assert.Equal(t, http.StatusOK, <-codes)
		}
		assert.Equal(t, int64(1), b.calls.Load())
	})
}
