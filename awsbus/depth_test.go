package awsbus_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// fakeTransport returns a Transport over fresh fakes, bound to the orders
// binding, and the SQS fake.
func fakeTransport(t testing.TB, cfg awsbus.Config) (*awsbus.Transport, *awsbustest.SQS) {
	t.Helper()
	return fakeTransportOn(t, cfg, func(sq awsbus.SQSAPI) awsbus.SQSAPI { return sq })
}

// fakeTransportOn is fakeTransport with the transport's SQS client the
// fake as wrapped by wrap.
func fakeTransportOn(t testing.TB, cfg awsbus.Config, wrap func(awsbus.SQSAPI) awsbus.SQSAPI) (*awsbus.Transport, *awsbustest.SQS) {
	t.Helper()
	sq, sn := newFakes()
	if cfg.WaitTime == 0 {
		cfg.WaitTime = time.Second
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = time.Second
	}
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: wrap(sq), SNS: sn}, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))
	return tr, sq
}

// sendRaw puts n messages on queue name, each in its own FIFO group when the
// queue is FIFO.
func sendRaw(t *testing.T, sq *awsbustest.SQS, name string, n int) {
	t.Helper()
	for i := range n {
		in := &sqs.SendMessageInput{QueueUrl: aws.String(sq.QueueURL(name)), MessageBody: aws.String(name + string(rune('a'+i)))}
		if topology.IsFIFO(name) {
			in.MessageGroupId = aws.String(string(rune('a' + i)))
		}
		_, err := sq.SendMessage(context.Background(), in)
		require.NoError(t, err)
	}
}

func TestTransportDepths(t *testing.T) {
	tr, sq := fakeTransport(t, awsbus.Config{})
	sendRaw(t, sq, "orders.fifo", 3)
	sendRaw(t, sq, "orders-payment-events-dlq", 2)
	before := sq.Calls("GetQueueAttributes")
	_, err := sq.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(sq.QueueURL("orders.fifo")), MaxNumberOfMessages: 1, VisibilityTimeout: 60,
	})
	require.NoError(t, err)

	got, err := tr.Depths(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []sourceflow.QueueDepth{
		{Queue: "orders-payment-events"},
		{Queue: "orders-payment-events-dlq", DLQ: true, Visible: 2},
		{Queue: "orders.fifo", Visible: 2, InFlight: 1},
		{Queue: "orders-dlq.fifo", DLQ: true},
	}, got)
	assert.Equal(t, 4, sq.Calls("GetQueueAttributes")-before, "one call per queue")
}

func TestTransportDepthsOnlyConsumedQueues(t *testing.T) {
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	b := ordersBinding()
	b.Listeners = b.Listeners[1:] // orders.fifo is only sent to
	require.NoError(t, tr.Bind(context.Background(), b))
	got, err := tr.Depths(context.Background())
	require.NoError(t, err)
	var names []string
	for _, d := range got {
		names = append(names, d.Queue)
	}
	assert.Equal(t, []string{"orders-payment-events", "orders-payment-events-dlq"}, names,
		"orders.fifo is only sent to, so its depth is its consumer's business")
}

func TestTransportDepthsPartialFailure(t *testing.T) {
	tr, sq := fakeTransport(t, awsbus.Config{})
	sendRaw(t, sq, "orders.fifo", 1)
	sq.FailNext("GetQueueAttributes", 1, nil)

	got, err := tr.Depths(context.Background())
	require.ErrorIs(t, err, awsbustest.ErrInjected)
	require.Len(t, got, 3, "the other queues are still reported")
	read := map[string]sourceflow.QueueDepth{}
	for _, d := range got {
		read[d.Queue] = d
	}
	for _, name := range []string{"orders-payment-events", "orders-payment-events-dlq", "orders.fifo", "orders-dlq.fifo"} {
		if _, ok := read[name]; !ok {
			assert.ErrorContains(t, err, `"`+name+`"`, "the error names the queue that failed")
		}
	}
	if d, ok := read["orders.fifo"]; ok {
		assert.Equal(t, sourceflow.QueueDepth{Queue: "orders.fifo", Visible: 1}, d)
	}
}

// hungQueueSQS leaves every GetQueueAttributes call on the queue at url
// (once set) unanswered until its context ends, as a queue whose call
// hangs does.
type hungQueueSQS struct {
	awsbus.SQSAPI
	url string
}

func (h *hungQueueSQS) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, o ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	if h.url != "" && aws.ToString(in.QueueUrl) == h.url {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return h.SQSAPI.GetQueueAttributes(ctx, in, o...)
}

// A queue whose GetQueueAttributes call is never answered costs its own
// depth and at most Config.HealthTimeout: the other queues' depths are
// still read within the caller's deadline (a metrics poll's), and the
// error names the queue that did not answer. In the synctest bubble the
// waits pass at once.
func TestTransportDepthsBoundsAQueueThatDoesNotAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hung := &hungQueueSQS{}
		tr, sq := fakeTransportOn(t, awsbus.Config{}, func(api awsbus.SQSAPI) awsbus.SQSAPI {
			hung.SQSAPI = api
			return hung
		})
		hung.url = sq.QueueURL("orders-payment-events")
		sendRaw(t, sq, "orders.fifo", 1)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()

		start := time.Now()
		got, err := tr.Depths(ctx)
		assert.Equal(t, awsbus.DefaultHealthTimeout, time.Since(start), "the hung call is cut after HealthTimeout")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorContains(t, err, `"orders-payment-events"`, "the error names the queue")
		assert.ErrorContains(t, err, "Config.HealthTimeout")
		assert.Equal(t, []sourceflow.QueueDepth{
			{Queue: "orders-payment-events-dlq", DLQ: true},
			{Queue: "orders.fifo", Visible: 1},
			{Queue: "orders-dlq.fifo", DLQ: true},
		}, got, "the other queues are still reported")
	})
}

func TestTransportDepthsLifecycle(t *testing.T) {
	sq, sn := newFakes()
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: sn}, awsbus.Config{})
	require.NoError(t, err)
	_, err = tr.Depths(context.Background())
	require.ErrorIs(t, err, awsbus.ErrNotBound)

	require.NoError(t, tr.Bind(context.Background(), ordersBinding()))
	require.NoError(t, tr.Close())
	_, err = tr.Depths(context.Background())
	require.ErrorIs(t, err, awsbus.ErrClosed)
}

// Queue depths feed the metrics package through its DepthFunc adapter: both
// report sourceflow.QueueDepth, so Transport.Depths is a DepthFunc as is.
func ExampleTransport_Depths() {
	sq := awsbustest.NewSQS(awsbustest.SQSConfig{})
	tr, err := awsbus.NewTransport(awsbus.Clients{SQS: sq, SNS: awsbustest.NewSNS(sq, awsbustest.SNSConfig{})}, awsbus.Config{})
	if err != nil {
		panic(err)
	}
	defer tr.Close()
	b := sourceflow.Binding{Service: "billing", Listeners: []sourceflow.Listener{
		{Destination: "invoices", Kind: sourceflow.KindCommand, Types: []string{"billing.Invoice"}},
	}}
	if err := tr.Bind(context.Background(), b); err != nil {
		panic(err)
	}
	var source metrics.DepthSource = metrics.DepthFunc(tr.Depths)
	depths, err := source.Depths(context.Background())
	if err != nil {
		panic(err)
	}
	for _, d := range depths {
		fmt.Printf("%s dlq=%v visible=%d in_flight=%d\n", d.Queue, d.DLQ, d.Visible, d.InFlight)
	}
	// Output:
	// invoices dlq=false visible=0 in_flight=0
	// invoices-dlq dlq=true visible=0 in_flight=0
}
