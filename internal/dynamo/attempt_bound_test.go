package dynamo

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// endpoint is a DynamoDB endpoint that answers every request with answer,
// or, when answer is nil, never answers (until the request's context ends).
type endpoint struct {
	calls  atomic.Int32
	answer func() (int, string)
}

// Do implements the SDK's HTTP client.
func (e *endpoint) Do(req *http.Request) (*http.Response, error) {
	e.calls.Add(1)
	if e.answer == nil {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	status, body := e.answer()
	return &http.Response{
		StatusCode: status, Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}},
		Body: io.NopCloser(strings.NewReader(body)),
	}, nil
}

// fixedBackoff waits the same delay before every SDK retry.
type fixedBackoff time.Duration

func (b fixedBackoff) BackoffDelay(int, error) (time.Duration, error) { return time.Duration(b), nil }

// clientOn returns a client of e whose SDK retryer makes attempts attempts,
// waiting backoff between them.
func clientOn(e *endpoint, attempts int, backoff time.Duration) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String("http://dynamodb.invalid"),
		Credentials: credentials.NewStaticCredentialsProvider("x", "y", ""), HTTPClient: e,
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts, o.Backoff, o.RateLimiter = attempts, fixedBackoff(backoff), ratelimit.None
		}),
	})
}

func getItem(api API) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		_, err := api.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String("t"), Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "k"}},
		}, BoundAttempts)
		return err
	}
}

// A request throttled through SDK retries whose backoff outlasts
// AttemptTimeout is reported throttled, naming the table and the remedy,
// not unanswered: the bound holds each attempt, not the SDK's sleeps.
func TestRetryReportsARequestThrottledThroughLongSDKBackoffAsThrottled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := &endpoint{answer: func() (int, string) {
			return http.StatusBadRequest, `{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}`
		}}
		r := &Retry{Attempts: 1}
		err := r.Do(context.Background(), "t", getItem(clientOn(e, 5, 4*time.Second)))
		require.Error(t, err)
		assert.False(t, errors.Is(err, ErrUnanswered), "%v", err)
		assert.Contains(t, err.Error(), "table t still throttled after 1 attempts (raise the provisioned capacity")
		assert.Equal(t, int32(5), e.calls.Load(), "every SDK attempt was made")
		assert.Equal(t, RetryStats{Throttled: 1, Exhausted: 1}, r.Stats())
	})
}

// An SDK attempt that has no answer after AttemptTimeout fails with
// ErrUnanswered, naming the table, and neither the SDK nor Retry sends it
// again: it may have been applied.
func TestRetryCutsAnUnansweredSDKAttemptAndNothingRetriesIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, start := &endpoint{}, time.Now()
		err := (&Retry{}).Do(context.Background(), "t", getItem(clientOn(e, 5, time.Second)))
		require.ErrorIs(t, err, ErrUnanswered)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "dynamodb: table t: no answer from DynamoDB within 10s")
		assert.Equal(t, int32(1), e.calls.Load())
		assert.Equal(t, AttemptTimeout, time.Since(start))
	})
}
