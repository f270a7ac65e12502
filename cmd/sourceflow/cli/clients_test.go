package cli_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A redrive outlives a short blip of the endpoint: each call makes
// DefaultMaxAttempts attempts unless the environment sets a maximum.
func TestLoadClients_AttemptsPerCall(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	for env, want := range map[string]int{"": cli.DefaultMaxAttempts, "2": 2} {
		t.Setenv("AWS_MAX_ATTEMPTS", env)
		c, err := cli.LoadClients(context.Background())
		require.NoError(t, err)
		opts := c.SQS.(*sqs.Client).Options()
		assert.Equal(t, want, opts.RetryMaxAttempts, "AWS_MAX_ATTEMPTS=%q", env)
		assert.Equal(t, want, opts.Retryer.MaxAttempts(), "AWS_MAX_ATTEMPTS=%q", env)
	}
}

// Clients missing what a command needs are refused naming each field as
// the library's configs do: "cli: Clients.<Field> is required".
func TestClientsValidate_NamesEachMissingField(t *testing.T) {
	err := cli.Clients{}.Validate()
	require.Error(t, err)
	for _, field := range []string{"SQS", "SNS", "Region"} {
		assert.ErrorContains(t, err, "cli: Clients."+field+" is required")
	}
	var sqsClient *sqs.Client
	assert.ErrorContains(t, cli.Clients{SQS: sqsClient}.Validate(), "cli: Clients.SQS: nil *sqs.Client, must be set")
}

// An optional client that holds a nil pointer is refused too: it is not
// left out as an unset one is, and the first call on it would panic.
func TestClientsValidate_RefusesATypedNilOptionalClient(t *testing.T) {
	var (
		stsClient *sts.Client
		ddb       *dynamodb.Client
		kmsClient *kms.Client
	)
	err := cli.Clients{STS: stsClient, DynamoDB: ddb, KMS: kmsClient}.Validate()
	for _, want := range []string{"cli: Clients.STS: nil *sts.Client", "cli: Clients.DynamoDB: nil *dynamodb.Client",
		"cli: Clients.KMS: nil *kms.Client"} {
		assert.ErrorContains(t, err, want)
	}
}

// The endpoint the output shows and Validate checks is the one the SQS
// client calls: AWS_ENDPOINT_URL_SQS when set, else AWS_ENDPOINT_URL.
func TestLoadClients_EndpointIsTheOneSQSCalls(t *testing.T) {
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	for _, tc := range []struct{ all, sqs, want string }{
		{"", "", ""},
		{"http://localhost:4566", "", "http://localhost:4566"},
		{"", "http://sqs.internal:4576", "http://sqs.internal:4576"},
		{"http://localhost:4566", "http://sqs.internal:4576", "http://sqs.internal:4576"},
	} {
		t.Setenv("AWS_ENDPOINT_URL", tc.all)
		t.Setenv("AWS_ENDPOINT_URL_SQS", tc.sqs)
		c, err := cli.LoadClients(context.Background())
		require.NoError(t, err)
		assert.Equal(t, tc.want, c.Endpoint, "AWS_ENDPOINT_URL=%q AWS_ENDPOINT_URL_SQS=%q", tc.all, tc.sqs)
	}
}
