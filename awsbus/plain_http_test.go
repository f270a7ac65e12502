package awsbus_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// refusingClient answers no request: every call fails at once, after the
// client resolved its endpoint, without a network.
type refusingClient struct {
	mu   sync.Mutex
	urls []string
}

func (c *refusingClient) Do(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.urls = append(c.urls, r.URL.String())
	return nil, errors.New("refused")
}

// plainHTTPRuns numbers the runs of the tests below, whose endpoints take
// it as their port: an endpoint is warned of once per process, and a run
// (-count) must not find its endpoints warned of by the one before.
var plainHTTPRuns atomic.Int32

// runEndpoint is endpoint, a format with one %d, of this run.
func runEndpoint(endpoint string) string { return fmt.Sprintf(endpoint, 4000+plainHTTPRuns.Add(1)) }

// captureSlog sets slog's default logger to one writing into the returned
// buffer until the test ends.
func captureSlog(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(previous) })
	return &buf
}

// plainHTTPConfig is a config whose clients' calls fail at once, with one
// attempt, at endpoint.
func plainHTTPConfig(endpoint string) aws.Config {
	return aws.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(endpoint), HTTPClient: &refusingClient{}, RetryMaxAttempts: 1,
	}
}

// A client built from a config WithRetries set up warns, at slog's Warn,
// once per endpoint whatever the client, of a plain http:// endpoint on a
// host that is not a loopback one: its responses are not authenticated.
// An https:// endpoint and a loopback one (an emulator on this machine)
// are not warned of.
func TestWithRetriesWarnsOnceOfAPlainHTTPEndpoint(t *testing.T) {
	for _, tt := range []struct {
		endpoint string
		warned   bool
	}{
		{"http://192.0.2.41:%d", true},
		{"HTTP://aws-emulator.internal:%d", true},
		{"https://192.0.2.42:%d", false},
		{"http://127.0.0.1:%d", false},
		{"http://localhost:%d", false},
		{"http://sqs.localhost:%d", false},
		{"http://[::1]:%d", false},
	} {
		t.Run(tt.endpoint, func(t *testing.T) {
			logs := captureSlog(t)
			endpoint := runEndpoint(tt.endpoint)
			cfg := awsbus.WithRetries(plainHTTPConfig(endpoint))
			ctx := context.Background()

			_, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
			require.ErrorContains(t, err, "refused")
			_, _ = sns.NewFromConfig(cfg).ListTopics(ctx, &sns.ListTopicsInput{})
			_, _ = kms.NewFromConfig(cfg).ListKeys(ctx, &kms.ListKeysInput{})
			_, _ = dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
			_, _ = sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})

			if !tt.warned {
				assert.Empty(t, logs.String())
				return
			}
			assert.Equal(t, 1, strings.Count(logs.String(), "\n"), "one line: %s", logs)
			assert.Contains(t, logs.String(), "level=WARN")
			assert.Contains(t, logs.String(), "is plain HTTP")
			assert.Contains(t, logs.String(), "responses are not authenticated")
			assert.Contains(t, logs.String(), "https://")
			assert.Contains(t, logs.String(), "endpoint="+strings.ToLower(endpoint))
		})
	}
}

// The endpoint checked is the one the client resolved, wherever it came
// from (here AWS_ENDPOINT_URL_KMS over AWS_ENDPOINT_URL), never shown with
// the password its URL may hold; WithRetries applied twice warns once and
// leaves the calls working.
func TestWithRetriesWarnsOfTheEndpointTheClientResolved(t *testing.T) {
	kmsEndpoint := runEndpoint("192.0.2.44:%d")
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": "https://192.0.2.43", "AWS_ENDPOINT_URL_KMS": "http://ops:s3cret@" + kmsEndpoint,
		"AWS_REGION": "us-east-1", "AWS_CA_BUNDLE": "", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": t.TempDir() + "/none", "AWS_SHARED_CREDENTIALS_FILE": t.TempDir() + "/none",
	} {
		t.Setenv(k, v)
	}
	logs := captureSlog(t)
	client := &refusingClient{}
	loaded, err := awsconfig.LoadDefaultConfig(t.Context(), awsconfig.WithRetryMaxAttempts(1))
	require.NoError(t, err)
	loaded.HTTPClient = client
	cfg := awsbus.WithRetries(awsbus.WithRetries(loaded))

	_, err = kms.NewFromConfig(cfg).ListKeys(t.Context(), &kms.ListKeysInput{})
	require.ErrorContains(t, err, "refused")
	_, err = sqs.NewFromConfig(cfg).ListQueues(t.Context(), &sqs.ListQueuesInput{})
	require.ErrorContains(t, err, "refused")

	require.Len(t, client.urls, 2)
	assert.Equal(t, 1, strings.Count(logs.String(), "\n"), "one line: %s", logs)
	assert.Contains(t, logs.String(), "endpoint=http://"+kmsEndpoint)
	assert.Contains(t, logs.String(), "service=KMS")
	assert.NotContains(t, logs.String(), "s3cret")
}
