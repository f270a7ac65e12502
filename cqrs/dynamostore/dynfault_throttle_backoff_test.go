package dynamostore

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// sdkBackoff waits the same delay before every SDK retry.
type sdkBackoff time.Duration

func (b sdkBackoff) BackoffDelay(int, error) (time.Duration, error) { return time.Duration(b), nil }

// A client whose SDK retryer makes more attempts, with a longer backoff,
// than its default: a request throttled through them all, the SDK's
// sleeps outlasting dynamo.AttemptTimeout, fails throttled, naming the
// table and the remedy, not as a request DynamoDB did not answer.
func TestDynFaultThrottledThroughALongSDKBackoffIsReportedThrottled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeDynamo{answer: func(string, string) (int, string) {
			return awsFault("ThrottlingException", "Rate of requests exceeds the allowed throughput.")
		}}
		api := dynamodb.New(dynamodb.Options{
			Region: "us-east-1", BaseEndpoint: aws.String("http://dynamodb.invalid"),
			Credentials: credentials.NewStaticCredentialsProvider("x", "y", ""), HTTPClient: f,
			Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts, o.Backoff, o.RateLimiter = 6, sdkBackoff(3*time.Second), ratelimit.None
			}),
		})
		st, err := New(context.Background(), Config{Client: api, Provisioning: topology.ProvisionAssume})
		require.NoError(t, err)

		_, err = st.Entities().Load(context.Background(), "order", "d1")
		require.Error(t, err)
		assert.False(t, errors.Is(err, dynamo.ErrUnanswered), "%v", err)
		assert.Contains(t, err.Error(), "table sourceflow_entities still throttled after 8 attempts (raise the provisioned capacity")
		assert.Len(t, f.ops("GetItem"), 8*6, "every SDK attempt of every try was made")
	})
}
