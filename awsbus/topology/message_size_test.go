package topology_test

import (
	"context"
	"maps"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

const legacyMessageBytes = "262144" // SQS's maximum before August 2025, and still some tools' default

// Every queue and dead-letter queue is planned with the size the publisher
// lets through, encrypted or not, FIFO or standard, consumed or only sent to.
func TestPlan_QueuesAndDLQsAcceptWhatThePublisherSends(t *testing.T) {
	want := strconv.Itoa(awsbus.MaxSQSMessageBytes)
	require.Equal(t, "1048576", want)
	sentOnly := ordersBinding()
	sentOnly.Listeners = sentOnly.Listeners[1:]
	for _, opts := range []topology.Options{{}, {KMSKeyID: "alias/orders"}} {
		p, err := plan(t, opts, sentOnly)
		require.NoError(t, err)
		require.Len(t, p.Queues, 2)
		for _, q := range p.Queues {
			assert.Equal(t, want, q.Attributes[topology.AttrMaximumMessageSize], q.Name)
			assert.Equal(t, want, q.DLQAttributes[topology.AttrMaximumMessageSize], q.DLQ)
		}
	}
}

// Queues made when SQS's maximum was 256 KiB keep it: Validate names each
// of them and the attribute, Create raises it, and a message between the two
// limits then gets through.
func TestValidate_ReportsLegacyMessageSizeAndCreateRaisesIt(t *testing.T) {
	sq, sn := newFakes()
	p, err := topology.New(ordersBinding(), topology.Options{})
	require.NoError(t, err)
	legacy := p
	legacy.Queues = nil
	for _, q := range p.Queues {
		q.Attributes = withAttr(q.Attributes, topology.AttrMaximumMessageSize, legacyMessageBytes)
		q.DLQAttributes = withAttr(q.DLQAttributes, topology.AttrMaximumMessageSize, legacyMessageBytes)
		legacy.Queues = append(legacy.Queues, q)
	}
	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	ctx := context.Background()
	eps, err := topo.Create(ctx, legacy)
	require.NoError(t, err)
	evq := eps["payment-events"].QueueURL
	body := strings.Repeat("x", 400<<10)
	_, err = sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(evq), MessageBody: aws.String(body)})
	require.ErrorContains(t, err, "262144", "the queue keeps the smaller limit")

	rep, _, err := topo.Validate(ctx, p)

	require.NoError(t, err)
	assert.Equal(t, []string{
		"queue orders-payment-events-dlq: MaximumMessageSize is 262144, want 1048576",
		"queue orders-payment-events: MaximumMessageSize is 262144, want 1048576",
		"queue orders-dlq.fifo: MaximumMessageSize is 262144, want 1048576",
		"queue orders.fifo: MaximumMessageSize is 262144, want 1048576",
	}, driftStrings(rep))

	before := sq.Calls("SetQueueAttributes")
	_, err = topo.Create(ctx, p)
	require.NoError(t, err)
	assert.Equal(t, before+4, sq.Calls("SetQueueAttributes"), "one write per queue")
	urls := queueURLs(eps)
	require.Len(t, urls, 4)
	for _, url := range urls {
		assert.Equal(t, "1048576", queueAttrs(t, sq, url)[topology.AttrMaximumMessageSize], url)
	}
	rep, _, err = topo.Validate(ctx, p)
	require.NoError(t, err)
	assert.True(t, rep.OK(), rep.String())
	_, err = sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(evq), MessageBody: aws.String(body)})
	assert.NoError(t, err)
}

func withAttr(attrs map[string]string, k, v string) map[string]string {
	out := maps.Clone(attrs)
	out[k] = v
	return out
}
