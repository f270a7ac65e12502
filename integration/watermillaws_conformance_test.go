//go:build integration

package integration

import (
	"context"
	"errors"
	"maps"
	"sync"
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
	awsCfg := awsConfig(t)
	dlq := &watermillAWSDeadLetters{client: sqs.NewFromConfig(awsCfg), got: map[string]map[string]string{}}
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

// watermillAWSDeadLetters receives (and deletes) what reached a
// destination's dead-letter queue and keeps it, so each read returns
// everything dead-lettered so far.
type watermillAWSDeadLetters struct {
	client *sqs.Client
	mu     sync.Mutex
	got    map[string]map[string]string // destination → message id → reason
}

func (d *watermillAWSDeadLetters) read(t *testing.T, destination string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.got[destination] == nil {
		d.got[destination] = map[string]string{}
	}
	url, err := d.client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(deadLetterName(destination))})
	var missing *types.QueueDoesNotExist
	if errors.As(err, &missing) {
		return map[string]string{} // created with the first dead letter
	}
	require.NoError(t, err, "dead-letter queue of %s", destination)
	for {
		out, err := d.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: url.QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"},
		})
		require.NoError(t, err)
		if len(out.Messages) == 0 {
			return maps.Clone(d.got[destination])
		}
		for _, m := range out.Messages {
			attr := func(key string) string { return aws.ToString(m.MessageAttributes[key].StringValue) }
			id := attr(sourceflow.MetaMessageID)
			if id == "" {
				id = attr(wsqs.UUIDAttribute)
			}
			d.got[destination][id] = attr(sourceflow.MetaFailure)
			_, err := d.client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url.QueueUrl, ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
	}
}
