package dynamostore_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/dynamostore"
)

// A claim DynamoDB still throttles after the store's retries fails with an
// error naming the table whose capacity ran out and what to do about it.
func TestDynFaultThrottledClaimNamesTheTableAndTheRemedy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		status, body := fault("ProvisionedThroughputExceededException", "The level of configured provisioned throughput for the table was exceeded")
		s, _ := answeringStore(t, status, body)
		_, err := s.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "m-1"}, "", time.Minute)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "sourceflow_idempotency", "the error names no table")
		assert.Contains(t, err.Error(), "capacity", "the error says nothing of what to do")
	})
}

// unansweredDynamo answers DescribeTable and takes every other request
// without ever answering it: the request ends only with its context.
type unansweredDynamo struct{}

func (unansweredDynamo) Do(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.Header.Get("X-Amz-Target"), ".DescribeTable") {
		return (&answeringDynamo{ops: map[string]int{}, describe: storeTable}).Do(req)
	}
	<-req.Context().Done()
	return nil, req.Context().Err()
}

// A claim whose request is never answered fails after
// dynamo.AttemptTimeout, naming the table, instead of holding the
// handling (whose context has no deadline) for ever.
func TestDynFaultUnansweredClaimFailsInBoundedTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := dynamodb.New(dynamodb.Options{
			Region: "us-east-1", BaseEndpoint: aws.String("http://dynamodb.invalid"),
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), HTTPClient: unansweredDynamo{},
		})
		s, err := dynamostore.New(context.Background(), dynamostore.Config{Client: api, Provisioning: topology.ProvisionAssume})
		require.NoError(t, err)
		start := time.Now()
		_, err = s.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "m-1"}, "", time.Minute)
		require.ErrorContains(t, err, "no answer")
		assert.Contains(t, err.Error(), "sourceflow_idempotency")
		assert.Equal(t, 10*time.Second, time.Since(start))
	})
}
