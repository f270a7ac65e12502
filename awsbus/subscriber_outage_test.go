package awsbus_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

var errEndpointDown = errors.New("dial tcp 127.0.0.1:4566: connect: connection refused")

// outageSQS fails every ReceiveMessage call made within outage of the
// first one, as an unreachable endpoint does, and counts them. The outage
// starts at the first call, not when the fake is made, so a poller that a
// loaded machine starts late still meets it.
type outageSQS struct {
	awsbus.SQSAPI
	outage time.Duration

	mu     sync.Mutex
	until  time.Time
	failed int
}

func (o *outageSQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	o.mu.Lock()
	if o.until.IsZero() {
		o.until = time.Now().Add(o.outage)
	}
	down := time.Now().Before(o.until)
	if down {
		o.failed++
	}
	o.mu.Unlock()
	if down {
		return nil, errEndpointDown
	}
	return o.SQSAPI.ReceiveMessage(ctx, in, opts...)
}

func (o *outageSQS) failures() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.failed
}

// While SQS is unreachable the poller backs off exponentially instead of
// spinning, and it receives again once SQS is back.
func TestSubscriberBacksOffDuringAnOutage(t *testing.T) {
	const outage = 3 * time.Second
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	require.NoError(t, w.pub.Publish("orders", command("m-1", "e-1")))
	down := &outageSQS{SQSAPI: w.sqs, outage: outage}
	sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: down}, func(*topology.Endpoint) {})

	ch, err := sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	got := next(t, ch) // only possible once the outage is over
	got.Ack()

	failed := down.failures()
	t.Logf("ReceiveMessage calls during a %v outage: %d (%.1f/s)", outage, failed, float64(failed)/outage.Seconds())
	assert.GreaterOrEqual(t, failed, 1, "the outage was seen")
	// 100 ms doubling (jittered between half and all) gives about 6 calls;
	// a loop pausing a fixed 100 ms makes 30 or more, one without a pause
	// thousands.
	assert.LessOrEqual(t, failed, 15, "ReceiveMessage calls during the outage")
}

// Failed settling calls are logged and left to SQS's visibility timeout:
// none is retried in a loop.
func TestSubscriberFailedSettlingCallsDoNotSpin(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	for _, op := range []string{"DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility"} {
		w.sqs.FailNext(op, 1000, errEndpointDown)
	}
	require.NoError(t, w.pub.Publish("orders", command("a", "e-1"), command("b", "e-2"), command("c", "e-3")))
	ch, err := w.sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	next(t, ch).Ack()
	next(t, ch).Ack()
	next(t, ch).Nack()

	settling := func() int {
		return w.sqs.Calls("DeleteMessage") + w.sqs.Calls("DeleteMessageBatch") + w.sqs.Calls("ChangeMessageVisibility")
	}
	require.Eventually(t, func() bool { return settling() >= 2 }, waitFor, tick, "the acks and the nack were settled")
	// Two more long polls (1 s each) give a spinning retry time to show.
	polls := w.sqs.Calls("ReceiveMessage")
	require.Eventually(t, func() bool { return w.sqs.Calls("ReceiveMessage") >= polls+2 }, waitFor, tick)
	assert.LessOrEqual(t, w.sqs.Calls("DeleteMessage")+w.sqs.Calls("DeleteMessageBatch"), 2, "one delete call per ack at most")
	assert.Equal(t, 1, w.sqs.Calls("ChangeMessageVisibility"), "one visibility change for the nack")
	assert.Len(t, w.sqs.Messages(w.ep.QueueURL), 3, "nothing was deleted: SQS redelivers after the visibility timeout")
}
