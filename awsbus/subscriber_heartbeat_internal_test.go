package awsbus

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

const heartbeatOp = "ChangeMessageVisibilityBatch"

// heldSubscription is a subscription owning n messages received from a
// queue of the SQS fake, each due for renewal.
func heldSubscription(t *testing.T, n int, vis time.Duration) (*subscription, *awsbustest.SQS) {
	t.Helper()
	f := awsbustest.NewSQS(awsbustest.SQSConfig{})
	ctx := context.Background()
	q, err := f.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("held")})
	require.NoError(t, err)
	sub := &subscription{
		cfg: SubscriberConfig{SQS: f}, ep: topology.Endpoint{Name: "held", QueueURL: *q.QueueUrl},
		log: watermill.NopLogger{}, bg: ctx, owned: map[*delivery]struct{}{},
	}
	for i := range n {
		_, err := f.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(fmt.Sprint(i))})
		require.NoError(t, err)
	}
	past := time.Now().Add(-vis)
	for len(sub.owned) < n {
		out, err := f.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60})
		require.NoError(t, err)
		for _, m := range out.Messages {
			sub.owned[&delivery{raw: m, received: past, extended: past}] = struct{}{}
		}
	}
	return sub, f
}

// extendedAt returns the last renewal of every owned message.
func extendedAt(sub *subscription) []time.Time {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	var out []time.Time
	for d := range sub.owned {
		out = append(out, d.extended)
	}
	return out
}

func TestHeartbeatRenewsTenMessagesPerCall(t *testing.T) {
	sub, f := heldSubscription(t, 25, time.Minute)

	sub.renewDue(time.Minute)

	assert.Equal(t, 3, f.Calls(heartbeatOp), "25 messages in batches of at most 10")
	assert.Zero(t, f.Calls("ChangeMessageVisibility"))
	for _, at := range extendedAt(sub) {
		assert.WithinDuration(t, time.Now(), at, 10*time.Second, "every message renewed")
	}
	sub.renewDue(time.Minute)
	assert.Equal(t, 3, f.Calls(heartbeatOp), "nothing is due again before half the timeout")
}

func TestHeartbeatTriesAFailedRenewalAgainOnTheNextTick(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inject func(f *awsbustest.SQS)
	}{
		{name: "the call failed", inject: func(f *awsbustest.SQS) { f.FailNext(heartbeatOp, 1, nil) }},
		{name: "SQS failed the entry", inject: func(f *awsbustest.SQS) { f.FailNextEntries(heartbeatOp, 1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub, f := heldSubscription(t, 1, time.Minute)
			tc.inject(f)

			sub.renewDue(time.Minute)
			before := extendedAt(sub)[0]
			sub.renewDue(time.Minute)

			assert.Greater(t, time.Since(before), 30*time.Second, "not marked renewed after the failure")
			assert.Equal(t, 2, f.Calls(heartbeatOp), "renewed again at once")
			assert.WithinDuration(t, time.Now(), extendedAt(sub)[0], 10*time.Second)
		})
	}
}

// A renewal that SQS refuses for the message itself (a stale handle, a
// message no longer in flight) cannot succeed later: it is not retried on
// every tick.
func TestHeartbeatDoesNotRetryARenewalSQSRefusesForTheMessage(t *testing.T) {
	sub, f := heldSubscription(t, 1, time.Minute)
	for d := range sub.owned {
		_, err := f.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(sub.ep.QueueURL), ReceiptHandle: d.raw.ReceiptHandle})
		require.NoError(t, err)
	}

	sub.renewDue(time.Minute)
	sub.renewDue(time.Minute)

	assert.Equal(t, 1, f.Calls(heartbeatOp))
}

// A message settled before the tick is not renewed.
func TestHeartbeatSkipsASettledMessage(t *testing.T) {
	sub, f := heldSubscription(t, 2, time.Minute)
	for d := range sub.owned {
		d.markSettled()
		break
	}
	sub.renewDue(time.Minute)

	require.Equal(t, 1, f.Calls(heartbeatOp))
	assert.Len(t, f.Messages(sub.ep.QueueURL), 2)
}

// oddBatchSQS answers ChangeMessageVisibilityBatch with a failed entry of
// an id it was not sent, besides the real results.
type oddBatchSQS struct{ *awsbustest.SQS }

func (o oddBatchSQS) ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	out, err := o.SQS.ChangeMessageVisibilityBatch(ctx, in, opts...)
	if out != nil {
		out.Failed = append(out.Failed, sqstypes.BatchResultErrorEntry{Id: aws.String("x"), Code: aws.String("InternalError")})
	}
	return out, err
}

func TestHeartbeatIgnoresAResultOfAnUnknownEntry(t *testing.T) {
	sub, f := heldSubscription(t, 2, time.Minute)
	sub.cfg.SQS = oddBatchSQS{f}

	sub.renewDue(time.Minute)

	for _, at := range extendedAt(sub) {
		assert.WithinDuration(t, time.Now(), at, 10*time.Second, "the real entries count")
	}
}

// A message settled before the tick is left out of the batch, and the
// results of the others still reach their own messages: the entry failed
// by SQS is the one tried again.
func TestHeartbeatMapsResultsToTheirMessagesWhenOneIsSkipped(t *testing.T) {
	sub, f := heldSubscription(t, 3, time.Minute)
	var ds []*delivery
	for d := range sub.owned {
		ds = append(ds, d)
	}
	ds[0].markSettled()
	past := ds[1].extended
	_, err := f.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(sub.ep.QueueURL), ReceiptHandle: ds[2].raw.ReceiptHandle})
	require.NoError(t, err)
	f.FailNextEntries(heartbeatOp, 1) // the first entry sent: ds[1]

	sub.renewBatch(ds, time.Minute, time.Now())

	assert.Equal(t, past, ds[0].extended, "settled: not renewed")
	assert.Equal(t, past, ds[1].extended, "its entry failed for a passing reason: due again")
	assert.WithinDuration(t, time.Now(), ds[2].extended, 10*time.Second, "refused for the message itself: not retried")
}
