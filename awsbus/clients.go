package awsbus

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// SQSAPI is the part of the SQS client that awsbus uses: the provisioning
// calls of topology.SQSAPI plus sending, receiving and settling. *sqs.Client
// satisfies it; unit tests use the fakes in awsbustest.
type SQSAPI interface {
	topology.SQSAPI
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
	ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error)
}

// SNSAPI is the part of the SNS client that awsbus uses: the provisioning
// calls of topology.SNSAPI plus publishing. *sns.Client satisfies it; unit
// tests use the fakes in awsbustest.
type SNSAPI interface {
	topology.SNSAPI
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
	PublishBatch(ctx context.Context, in *sns.PublishBatchInput, opts ...func(*sns.Options)) (*sns.PublishBatchOutput, error)
}

// Clients are the AWS clients of a Transport.
type Clients struct {
	// SQS carries commands and every consumed message. Required.
	SQS SQSAPI
	// SNS carries events. Required.
	SNS SNSAPI
	// STS finds the account when Validate or Assume must build topic ARNs,
	// or Create a queue ARN, and no queue ARN reveals it. Optional, but a
	// service that consumes no queue, without it or Config.AccountID,
	// cannot create a missing queue it sends to (Bind fails).
	STS topology.STSAPI
	// Region is the region of the clients, for topic ARNs built without a
	// queue ARN. NewTransportFromAWS sets it from aws.Config.Region.
	Region string
}

var (
	_ SQSAPI = (*sqs.Client)(nil)
	_ SNSAPI = (*sns.Client)(nil)
)
