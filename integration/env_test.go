//go:build integration

package integration

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// The integration suite runs against the emulator and databases that
// scripts/test-env.sh starts. It never skips silently: without an emulator
// endpoint it fails and says why.
//
// Tests that use only the AWS emulator, under names of their own, and read
// no process-wide state (no t.Setenv, no global providers, no call counts on
// the shared emulator) call t.Parallel: they spend most of their time
// waiting on the emulator, and go test runs them together, -parallel at a
// time, once the sequential tests are done. The others stay sequential:
// a transaction a database test holds open delays every watermill-sql
// reader on the database, and the chaos, scale-out, heartbeat and benchmark
// tests depend on the machine's pace.
func TestMain(m *testing.M) {
	if os.Getenv("AWS_ENDPOINT_URL") == "" {
		fmt.Fprintln(os.Stderr, "integration: AWS_ENDPOINT_URL is not set; run `make test` "+
			"(it starts LocalStack) or export AWS_ENDPOINT_URL of a running emulator")
		os.Exit(1)
	}
	os.Exit(runWithExamples(m))
}

// awsConfig loads the SDK configuration from the environment
// (AWS_ENDPOINT_URL, AWS_REGION and the test credentials).
func awsConfig(t *testing.T) aws.Config {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatalf("load AWS config: %v", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return cfg
}

// queueDepth reads the approximate numbers of visible and in-flight
// messages of the SQS queue at url. It never fails the test, so a
// condition of require.Eventually may call it; an attribute missing or not
// a number is an error.
func queueDepth(ctx context.Context, client *sqs.Client, url string) (visible, inFlight int, err error) {
	names := []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
		sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}
	out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: names})
	if err != nil {
		return 0, 0, err
	}
	if visible, err = strconv.Atoi(out.Attributes[string(names[0])]); err != nil {
		return 0, 0, fmt.Errorf("%s of %s: %w", names[0], url, err)
	}
	if inFlight, err = strconv.Atoi(out.Attributes[string(names[1])]); err != nil {
		return 0, 0, fmt.Errorf("%s of %s: %w", names[1], url, err)
	}
	return visible, inFlight, nil
}

// emulator names the emulator the environment script started
// ("localstack" or "moto"); empty when unknown.
func emulator() string { return os.Getenv("SOURCEFLOW_EMULATOR") }

// skipOnMoto skips a test that checks AWS behaviour moto does not reproduce;
// moto runs only when asked for (SOURCEFLOW_EMULATOR_MODE=moto), and
// scripts/README.md lists its deviations.
func skipOnMoto(t *testing.T, deviation string) {
	t.Helper()
	if emulator() == "moto" {
		t.Skipf("SKIPPED on moto, which deviates from AWS here: %s", deviation)
	}
}

var nameSeq atomic.Int64

// uniqueName returns a resource name unique to this run and test, so that
// tests can share one emulator. suffix is appended verbatim (e.g. ".fifo").
func uniqueName(prefix, suffix string) string {
	n := nameSeq.Add(1)
	stamp := time.Now().UnixNano() % 1_000_000_000
	name := fmt.Sprintf("%s-%d-%d", prefix, stamp, n)
	name = strings.NewReplacer("/", "-", "_", "-", " ", "-").Replace(name)
	return name + suffix
}

// postgresDSN returns the DSN of the PostgreSQL the environment script
// started. The test fails when there is none: the suite never skips it.
// dynamodbEndpoint returns the DynamoDB emulator's URL, which make test
// sets.
func dynamodbEndpoint(t *testing.T) string {
	t.Helper()
	dynamotest.Client(t) // fails when the emulator is not configured
	return os.Getenv(dynamotest.EndpointEnv)
}

func postgresDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("SOURCEFLOW_POSTGRES_DSN")
	if dsn == "" {
		t.Fatal("SOURCEFLOW_POSTGRES_DSN is not set; run `make test` (it starts PostgreSQL)")
	}
	return dsn
}
