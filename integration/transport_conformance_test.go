//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

// TestTransportConformance runs the cqrs transport conformance suite on
// awsbus: every service instance has its own Transport, provisioning its
// part of the topology on the emulator; the dead letters are read from each
// destination's dead-letter queue.
func TestTransportConformance(t *testing.T) {
	t.Parallel() // emulator only, names of its own: see TestMain
	awsCfg := awsConfig(t)
	dlq := newDLQReader(sqs.NewFromConfig(awsCfg), topology.DLQName, deadLetterOf)
	cqrstest.RunTransport(t, cqrstest.TransportHarness{
		New: func(t *testing.T) cqrs.Transport {
			tr, err := awsbus.NewTransportFromAWS(awsCfg, awsbus.Config{ConsumerConfig: awsbus.ConsumerConfig{
				WaitTime: time.Second, VisibilityTimeout: 5 * time.Second, NackBackoff: -1, ShutdownTimeout: 5 * time.Second,
			}})
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, tr.Close(), "close transport") })
			return tr
		},
		Destination: func(_ *testing.T, kind sourceflow.Kind, ordered bool) string {
			suffix := ""
			if ordered {
				suffix = ".fifo"
			}
			return uniqueName("tc-"+kind.String(), suffix)
		},
		DeadLetters: dlq.read,
		Instances:   2,
		Ordered:     true,
		Timeout:     120 * time.Second, // LocalStack delivers SNS to SQS late under load
	})
}

// dlqReader receives (and deletes) what reached a destination's dead-letter
// queue (named by queue) and keeps it, decoded by decode, so each read
// returns everything dead-lettered so far. A queue not created yet holds
// nothing.
type dlqReader struct {
	client *sqs.Client
	queue  func(destination string) string
	decode func(types.Message) (id, reason string)
	mu     sync.Mutex
	got    map[string]map[string]string // destination → message id → reason
}

func newDLQReader(client *sqs.Client, queue func(string) string, decode func(types.Message) (string, string)) *dlqReader {
	return &dlqReader{client: client, queue: queue, decode: decode, got: map[string]map[string]string{}}
}

func (d *dlqReader) read(t *testing.T, destination string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.got[destination] == nil {
		d.got[destination] = map[string]string{}
	}
	url, err := d.client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(d.queue(destination))})
	var missing *types.QueueDoesNotExist
	if errors.As(err, &missing) {
		return map[string]string{}
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
			id, reason := d.decode(m)
			d.got[destination][id] = reason
			_, err := d.client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url.QueueUrl, ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
	}
}

// deadLetterOf returns the message id of a dead letter (sf_id, else the
// Watermill UUID, both in the packed envelope, else the SQS id) and its
// reason (sf_failure, as an attribute or inside the packed envelope).
func deadLetterOf(m types.Message) (id, reason string) {
	env := map[string]string{}
	if raw, ok := m.MessageAttributes[sourceflow.MetaEnvelope]; ok {
		_ = json.Unmarshal([]byte(aws.ToString(raw.StringValue)), &env)
	}
	id = env[sourceflow.MetaMessageID]
	if id == "" {
		id = env["uuid"]
	}
	if id == "" {
		id = aws.ToString(m.MessageId)
	}
	reason = env[sourceflow.MetaFailure]
	if a, ok := m.MessageAttributes[sourceflow.MetaFailure]; ok {
		reason = aws.ToString(a.StringValue)
	}
	return id, reason
}
