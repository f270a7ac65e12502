package cli

import (
	"cmp"
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// DefaultRegion is the region when the default chain sets none.
const DefaultRegion = "us-east-1"

// DefaultMaxAttempts is how many attempts each AWS call makes when the
// default chain sets no maximum (AWS_MAX_ATTEMPTS, max_attempts): more than
// the SDK's 3, so that a redrive of thousands of messages rides out a short
// blip of the endpoint (connections dropped, server errors) instead of
// stopping part-way.
const DefaultMaxAttempts = 6

// LoadClients builds the clients from the SDK's default configuration
// chain: environment (AWS_REGION, AWS_ENDPOINT_URL for an emulator such as
// LocalStack, AWS_ENDPOINT_URL_SQS and the like for one service's,
// AWS_ENDPOINT_URL_DYNAMODB for a DynamoDB emulator apart from it,
// credentials, AWS_ACCOUNT_ID), shared files and instance
// roles. The region defaults to DefaultRegion, the attempts per call to
// DefaultMaxAttempts, and the clients retry throttling errors and warn of
// a plain http:// endpoint on a host other than this machine
// (awsbus.WithRetries). ctx bounds the loading: with the SDK's defaults
// mode auto (AWS_DEFAULTS_MODE, defaults_mode), the SDK asks the instance
// metadata service (IMDS) for the region it runs in, and when ctx ends
// first the error says so, and what to set where no IMDS runs.
func LoadClients(ctx context.Context) (Clients, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return Clients{}, loadError(ctx, err)
	}
	cfg.Region = cmp.Or(cfg.Region, DefaultRegion)
	cfg.RetryMaxAttempts = cmp.Or(cfg.RetryMaxAttempts, DefaultMaxAttempts)
	cfg = awsbus.WithRetries(cfg)
	sqsClient := sqs.NewFromConfig(cfg)
	c := Clients{
		SQS: sqsClient, SNS: sns.NewFromConfig(cfg), STS: sts.NewFromConfig(cfg), DynamoDB: dynamodb.NewFromConfig(cfg),
		KMS: kms.NewFromConfig(cfg), Region: cfg.Region,
		// The SDK resolves AWS_ENDPOINT_URL_SQS (else AWS_ENDPOINT_URL)
		// into the client's options, not into cfg.
		Endpoint: cmp.Or(aws.ToString(sqsClient.Options().BaseEndpoint), aws.ToString(cfg.BaseEndpoint)),
	}
	// The account of the credentials (AWS_ACCOUNT_ID, aws_account_id), when
	// the chain has one; a failure here recurs, with its cause, on the
	// first call.
	if creds, err := cfg.Credentials.Retrieve(ctx); err == nil {
		c.AccountID = creds.AccountID
	}
	return c, nil
}
