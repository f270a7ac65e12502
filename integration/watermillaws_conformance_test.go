//go:build integration

package integration

import (
	"testing"
	"time"

	wsqs "github.com/ThreeDotsLabs/watermill-aws/sqs"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

// TestWatermillAWSConformance runs the cqrs transport conformance suite on
// watermill-aws plugged in through cqrs.PubSubTransport: commands on SQS,
// events on SNS, each service instance with its own transport; dead
// letters are read from each destination's dead-letter queue.
func TestWatermillAWSConformance(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	awsCfg := awsConfig(t)
	dlq := newDLQReader(sqs.NewFromConfig(awsCfg), deadLetterName, watermillAWSDeadLetterOf)
	cqrstest.RunTransport(t, cqrstest.TransportHarness{
		New: func(t *testing.T) cqrs.Transport {
			tr, err := newWatermillAWSTransport(awsCfg, watermillAWSOptions{
				ConsumeWorkers: 2, MaxMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 5 * time.Second,
			})
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, tr.Close(), "close transport") })
			return tr
		},
		Destination: func(_ *testing.T, kind sourceflow.Kind, ordered bool) string {
			suffix := ""
			if ordered {
				suffix = ".fifo"
			}
			return uniqueName("wa-"+kind.String(), suffix)
		},
		DeadLetters: dlq.read,
		Instances:   2,
		Ordered:     true,
		Timeout:     60 * time.Second,
	})
}

// watermillAWSDeadLetterOf returns the message id of a dead letter
// watermill-aws carried (sf_id, else the Watermill UUID attribute) and its
// reason (sf_failure); watermill-aws keeps every metadata key an attribute.
func watermillAWSDeadLetterOf(m types.Message) (id, reason string) {
	attr := func(key string) string { return aws.ToString(m.MessageAttributes[key].StringValue) }
	id = attr(sourceflow.MetaMessageID)
	if id == "" {
		id = attr(wsqs.UUIDAttribute)
	}
	return id, attr(sourceflow.MetaFailure)
}
