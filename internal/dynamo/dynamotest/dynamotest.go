package dynamotest

import (
	"context"
	"crypto/rand"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// EndpointEnv names the variable holding the emulator's URL.
const EndpointEnv = "SOURCEFLOW_DYNAMODB_ENDPOINT"

// Client returns a client of the emulator. Without one, the test fails in
// the integration run (make test starts the emulator, so a missing one is
// an error there) and is skipped, saying why, in the unit run.
func Client(t testing.TB) *dynamodb.Client {
	t.Helper()
	endpoint := os.Getenv(EndpointEnv)
	if endpoint == "" {
		if required {
			t.Fatalf("%s is not set: the integration run needs the DynamoDB emulator (scripts/test-env.sh start)", EndpointEnv)
		}
		t.Skipf("%s is not set: DynamoDB tests run in the integration run (make test)", EndpointEnv)
	}
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		Retryer:      loggingRetryer{Retryer: retry.NewStandard(), t: t},
		HTTPClient: awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.DisableKeepAlives = true
		}),
	})
}

// loggingRetryer logs each error the SDK retries: a retried request may
// have been applied once already, and the log then explains a surprising
// count.
type loggingRetryer struct {
	aws.Retryer
	t testing.TB
}

func (r loggingRetryer) IsErrorRetryable(err error) bool {
	retryable := r.Retryer.IsErrorRetryable(err)
	if retryable {
		r.t.Logf("DynamoDB client retries after: %v", err)
	}
	return retryable
}

// Prefix returns a table-name prefix no other test uses.
func Prefix() string { return "t" + strings.ToLower(rand.Text()[:10]) + "_" }

// DropTables deletes the tables at the end of the test.
func DropTables(t testing.TB, api *dynamodb.Client, names ...string) {
	t.Helper()
	t.Cleanup(func() {
		for _, n := range names {
			_, _ = api.DeleteTable(context.WithoutCancel(context.Background()), &dynamodb.DeleteTableInput{TableName: aws.String(n)})
		}
	})
}
