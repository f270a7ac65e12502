package dynamo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A check is tried once even on a client whose SDK retries its calls: a
// DynamoDB answering 500 gets one DescribeTable per table, not the SDK's
// three attempts with backoff between them.
func TestCheckTables_TheSDKDoesNotRetryADescribe(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"down"}`))
	}))
	t.Cleanup(srv.Close)
	client := dynamodb.New(dynamodb.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})

	err := CheckTables(context.Background(), client, []string{"sf_commands"})

	require.Error(t, err)
	assert.ErrorContains(t, err, "sf_commands")
	assert.Equal(t, int32(1), requests.Load(), "DescribeTable requests")
}
