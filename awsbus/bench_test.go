package awsbus_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// benchMessages is how many messages one benchmark iteration delivers.
const benchMessages = 100

// sqsOps are the SQS operations a delivery can cost.
var sqsOps = []string{
	"SendMessage", "SendMessageBatch", "ReceiveMessage",
	"DeleteMessage", "DeleteMessageBatch", "ChangeMessageVisibility", "ChangeMessageVisibilityBatch",
}

// benchWire is a standard queue on the SQS fake with a publisher and a
// subscription whose consumer acks every message.
type benchWire struct {
	sqs   *awsbustest.SQS
	pub   *awsbus.Publisher
	url   string
	acked atomic.Int64
}

func newBenchWire(b *testing.B, name string, fifo bool) *benchWire {
	b.Helper()
	f := awsbustest.NewSQS(awsbustest.SQSConfig{})
	attrs := map[string]string{}
	if fifo {
		attrs["FifoQueue"] = "true"
	}
	q, err := f.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	require.NoError(b, err)
	ep := topology.Endpoint{Name: name, Kind: sourceflow.KindCommand, QueueURL: aws.ToString(q.QueueUrl), FIFO: fifo}
	resolve := func(string) (topology.Endpoint, error) { return ep, nil }
	pub, err := awsbus.NewPublisher(awsbus.PublisherConfig{SQS: f, Resolve: resolve})
	require.NoError(b, err)
	sub, err := awsbus.NewSubscriber(awsbus.SubscriberConfig{
		SQS:            f,
		Resolve:        resolve,
		ConsumerConfig: awsbus.ConsumerConfig{MaxConcurrentCalls: 10, WaitTime: 20 * time.Second},
	})
	require.NoError(b, err)
	w := &benchWire{sqs: f, pub: pub, url: ep.QueueURL}
	ch, err := sub.Subscribe(context.Background(), name)
	require.NoError(b, err)
	go func() {
		for m := range ch {
			m.Ack()
			w.acked.Add(1)
		}
	}()
	b.Cleanup(func() { _ = sub.Close() })
	return w
}

// deliver publishes benchMessages messages in Publish calls of perCall and
// waits until every one is acked and deleted.
func (w *benchWire) deliver(b *testing.B, iteration, perCall int) {
	target := w.acked.Load() + benchMessages
	for i := 0; i < benchMessages; i += perCall {
		msgs := make([]*message.Message, perCall)
		for j := range msgs {
			id := strconv.Itoa(iteration) + "-" + strconv.Itoa(i+j)
			msgs[j] = command(id, "entity-"+strconv.Itoa((i+j)%10)) // ten FIFO groups
		}
		if err := w.pub.Publish("bench", msgs...); err != nil {
			b.Fatal(err)
		}
	}
	for w.acked.Load() < target || len(w.sqs.Messages(w.url)) > 0 {
		time.Sleep(time.Millisecond)
	}
}

func (w *benchWire) calls() map[string]int {
	out := map[string]int{}
	for _, op := range sqsOps {
		out[op] = w.sqs.Calls(op)
	}
	return out
}

// BenchmarkDelivery measures SQS API calls per delivered message (send,
// receive and delete; visibility changes would count too) at
// MaxConcurrentCalls 10, for messages published in Publish calls of 10 and
// of 1, on a standard and a FIFO queue. The floor is about 0.3 calls per
// message (one batch of ten each of send, receive and delete).
func BenchmarkDelivery(b *testing.B) {
	for _, queue := range []struct {
		name string
		fifo bool
	}{{"bench", false}, {"bench.fifo", true}} {
		for _, perCall := range []int{10, 1} {
			b.Run(queue.name+"/publish="+strconv.Itoa(perCall), func(b *testing.B) {
				benchDelivery(b, queue.name, queue.fifo, perCall)
			})
		}
	}
}

func benchDelivery(b *testing.B, name string, fifo bool, perCall int) {
	w := newBenchWire(b, name, fifo)
	w.deliver(b, -1, perCall) // warm up: the subscription is polling
	before := w.calls()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		w.deliver(b, i, perCall)
	}
	b.StopTimer()
	after := w.calls()
	msgs := float64(b.N * benchMessages)
	diff := func(ops ...string) float64 {
		n := 0
		for _, op := range ops {
			n += after[op] - before[op]
		}
		return float64(n) / msgs
	}
	b.ReportMetric(diff(sqsOps...), "calls/msg")
	b.ReportMetric(diff("SendMessage", "SendMessageBatch"), "send/msg")
	b.ReportMetric(diff("ReceiveMessage"), "receive/msg")
	b.ReportMetric(diff("DeleteMessage", "DeleteMessageBatch"), "delete/msg")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/msgs, "ns/msg")
}
