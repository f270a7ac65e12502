package awsbus_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// wire is a queue with its dead-letter queue on the SQS fake, with a
// publisher and a subscriber bound to it.
type wire struct {
	sqs *awsbustest.SQS
	ep  topology.Endpoint
	pub *awsbus.Publisher
	sub *awsbus.Subscriber
}

func newWire(t *testing.T, name string, maxReceives int, cfg awsbus.SubscriberConfig) *wire {
	t.Helper()
	f := awsbustest.NewSQS(awsbustest.SQSConfig{})
	ctx := context.Background()
	fifo := strings.HasSuffix(name, ".fifo")
	attrs := func(extra map[string]string) map[string]string {
		if fifo {
			extra["FifoQueue"] = "true"
		}
		return extra
	}
	dlqName := strings.TrimSuffix(name, ".fifo") + "-dlq"
	if fifo {
		dlqName += ".fifo"
	}
	dlq, err := f.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(dlqName), Attributes: attrs(map[string]string{})})
	require.NoError(t, err)
	q, err := f.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs(map[string]string{
		"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":%d}`, f.QueueARN(dlqName), maxReceives),
	})})
	require.NoError(t, err)
	ep := topology.Endpoint{Name: name, Kind: sourceflow.KindCommand, QueueURL: *q.QueueUrl, DLQURL: *dlq.QueueUrl, MaxReceiveCount: maxReceives, FIFO: fifo}
	resolve := func(string) (topology.Endpoint, error) { return ep, nil }
	pub, err := awsbus.NewPublisher(awsbus.PublisherConfig{SQS: f, Resolve: resolve})
	require.NoError(t, err)
	cfg.SQS, cfg.Resolve = f, resolve
	if cfg.WaitTime == 0 {
		cfg.WaitTime = time.Second
	}
	if cfg.NackBackoff == 0 {
		cfg.NackBackoff = -1
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 2 * time.Second
	}
	sub, err := awsbus.NewSubscriber(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Close() })
	return &wire{sqs: f, ep: ep, pub: pub, sub: sub}
}

func command(id, entity string) *message.Message {
	msg := message.NewMessage("uuid-"+id, []byte(`{"id":"`+id+`"}`))
	msg.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
	msg.Metadata.Set(sourceflow.MetaMessageID, id)
	msg.Metadata.Set(sourceflow.MetaEntityID, entity)
	return msg
}

func next(t *testing.T, ch <-chan *message.Message) *message.Message {
	t.Helper()
	select {
	case m, ok := <-ch:
		require.True(t, ok, "channel closed")
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5s")
		return nil
	}
}

func TestSubscriberRoundTripAndDeleteAfterAckOnly(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	sent := command("m-1", "order-1")
	sent.Metadata.Set(sourceflow.MetaTraceParent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	require.NoError(t, w.pub.Publish("orders", sent))
	ch, err := w.sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)

	got := next(t, ch)
	assert.Equal(t, sent.UUID, got.UUID)
	assert.Equal(t, string(sent.Payload), string(got.Payload))
	assert.Equal(t, map[string]string(sent.Metadata), map[string]string(got.Metadata))
	time.Sleep(100 * time.Millisecond)
	require.Len(t, w.sqs.Messages(w.ep.QueueURL), 1, "not deleted before Ack")
	assert.Equal(t, 0, w.sqs.Calls("DeleteMessage")+w.sqs.Calls("DeleteMessageBatch"))
	got.Ack()
	require.Eventually(t, func() bool { return len(w.sqs.Messages(w.ep.QueueURL)) == 0 }, 2*time.Second, 10*time.Millisecond)
	select {
	case <-got.Context().Done():
	case <-time.After(time.Second):
		t.Fatal("message context not cancelled after Ack")
	}
}

// A message nacked on every receive is dead-lettered by the subscriber on
// its last allowed receive, with the reason, while the others flow.
func TestSubscriberNackRedeliversUntilRedrive(t *testing.T) {
	w := newWire(t, "orders", 3, awsbus.SubscriberConfig{})
	require.NoError(t, w.pub.Publish("orders", command("bad", "e-1"), command("good", "e-2")))
	ch, err := w.sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)

	attempts := map[string]int{}
	deadline := time.After(10 * time.Second)
	// The good message's delete is batched and may land after the poison
	// message reaches the DLQ, so wait for both conditions.
	settled := func() bool {
		return len(w.sqs.Messages(w.ep.DLQURL)) == 1 && len(w.sqs.Messages(w.ep.QueueURL)) == 0
	}
	for !settled() {
		select {
		case m := <-ch:
			attempts[m.Metadata.Get(sourceflow.MetaMessageID)]++
			if m.Metadata.Get(sourceflow.MetaMessageID) == "bad" {
				m.Nack()
			} else {
				m.Ack()
			}
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatal("poison message never reached the DLQ")
		}
	}
	assert.Equal(t, 3, attempts["bad"], "handled exactly maxReceiveCount times")
	assert.GreaterOrEqual(t, attempts["good"], 1, "the good message is delivered at least once")
	dead := w.sqs.Messages(w.ep.DLQURL)
	require.Len(t, dead, 1)
	assert.Equal(t, `{"id":"bad"}`, dead[0].Body)
	assert.Equal(t, "awsbus: failed on its last allowed receive (3 of 3); the handler's error was not recorded",
		dead[0].Attributes[sourceflow.MetaFailure], "dead-lettered by the subscriber, with the reason")
	assert.Equal(t, "orders.CreateOrder", dead[0].Attributes[sourceflow.MetaType])
	assert.Equal(t, 2, w.sqs.Calls("ChangeMessageVisibility"), "each nack but the last backs off with one call")
}

func TestSubscriberPermanentFailureDeadLettersAtOnce(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	require.NoError(t, w.pub.Publish("orders", command("poison", "e-1"), command("fine", "e-2")))
	ch, err := w.sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	for range 2 {
		m := next(t, ch)
		if m.Metadata.Get(sourceflow.MetaMessageID) == "poison" {
			m.Metadata.Set(sourceflow.MetaFailure, "cqrs: unknown type orders.Nope")
			m.Nack()
			continue
		}
		m.Ack()
	}
	require.Eventually(t, func() bool {
		return len(w.sqs.Messages(w.ep.DLQURL)) == 1 && len(w.sqs.Messages(w.ep.QueueURL)) == 0
	}, 2*time.Second, 10*time.Millisecond)
	dead := w.sqs.Messages(w.ep.DLQURL)[0]
	assert.Equal(t, "cqrs: unknown type orders.Nope", dead.Attributes[sourceflow.MetaFailure])
	assert.Equal(t, "orders.CreateOrder", dead.Attributes[sourceflow.MetaType])
	assert.Contains(t, dead.Attributes[sourceflow.MetaEnvelope], `"sf_id":"poison"`)
	assert.Equal(t, 0, w.sqs.Calls("ChangeMessageVisibility"), "no retry budget burnt")
}

func TestSubscriberMalformedEnvelopeIsDeadLettered(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	_, err := w.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
		QueueUrl: aws.String(w.ep.QueueURL), MessageBody: aws.String("x"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			sourceflow.MetaEnvelope: {DataType: aws.String("String"), StringValue: aws.String("{garbled")},
		},
	})
	require.NoError(t, err)
	require.NoError(t, w.pub.Publish("orders", command("after", "e-1")))
	ch, err := w.sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	m := next(t, ch)
	assert.Equal(t, "after", m.Metadata.Get(sourceflow.MetaMessageID), "the good message still arrives")
	m.Ack()
	require.Eventually(t, func() bool { return len(w.sqs.Messages(w.ep.DLQURL)) == 1 }, 2*time.Second, 10*time.Millisecond)
	assert.Contains(t, w.sqs.Messages(w.ep.DLQURL)[0].Attributes[sourceflow.MetaFailure], "malformed")
}

func TestSubscriberBoundedConcurrency(t *testing.T) {
	const limit = 3
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{ConsumerConfig: awsbus.ConsumerConfig{MaxConcurrentCalls: limit}})
	var msgs []*message.Message
	for i := range 30 {
		msgs = append(msgs, command(fmt.Sprint(i), "e"))
	}
	require.NoError(t, w.pub.Publish("orders", msgs...))
	ch, err := w.sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	var cur, peak atomic.Int32
	var wg sync.WaitGroup
	for range 30 {
		m := next(t, ch)
		n := cur.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		wg.Go(func() {
			time.Sleep(20 * time.Millisecond)
			cur.Add(-1)
			m.Ack()
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, peak.Load(), int32(limit))
	assert.Equal(t, int32(limit), peak.Load(), "the limit is reached")
	require.Eventually(t, func() bool { return len(w.sqs.Messages(w.ep.QueueURL)) == 0 }, 2*time.Second, 10*time.Millisecond)
	assert.Less(t, w.sqs.Calls("DeleteMessage")+w.sqs.Calls("DeleteMessageBatch"), 30, "deletes are batched")
}

func TestSubscriberFIFOOrderPerGroupParallelAcrossGroups(t *testing.T) {
	w := newWire(t, "orders.fifo", 5, awsbus.SubscriberConfig{ConsumerConfig: awsbus.ConsumerConfig{MaxConcurrentCalls: 6}})
	const groups, perGroup = 6, 8
	var msgs []*message.Message
	for i := range perGroup {
		for g := range groups {
			msgs = append(msgs, command(fmt.Sprintf("g%d-%d", g, i), fmt.Sprintf("g%d", g)))
		}
	}
	require.NoError(t, w.pub.Publish("orders.fifo", msgs...))
	ch, err := w.sub.Subscribe(context.Background(), "orders.fifo")
	require.NoError(t, err)

	var mu sync.Mutex
	seen := map[string][]string{}
	active := map[string]int{}
	peakGroups, overlap := 0, false
	var wg sync.WaitGroup
	for range groups * perGroup {
		m := next(t, ch)
		g := m.Metadata.Get(sourceflow.MetaEntityID)
		mu.Lock()
		seen[g] = append(seen[g], m.Metadata.Get(sourceflow.MetaMessageID))
		active[g]++
		overlap = overlap || active[g] > 1
		peakGroups = max(peakGroups, len(active))
		mu.Unlock()
		wg.Go(func() {
			time.Sleep(10 * time.Millisecond)
			mu.Lock()
			if active[g]--; active[g] == 0 {
				delete(active, g)
			}
			mu.Unlock()
			m.Ack()
		})
	}
	wg.Wait()
	assert.False(t, overlap, "at most one message per group in flight")
	assert.GreaterOrEqual(t, peakGroups, 2, "groups are handled in parallel")
	for g := range groups {
		want := make([]string, perGroup)
		for i := range want {
			want[i] = fmt.Sprintf("g%d-%d", g, i)
		}
		assert.Equal(t, want, seen[fmt.Sprintf("g%d", g)])
	}
}

func TestSubscriberFIFONackKeepsGroupOrder(t *testing.T) {
	w := newWire(t, "orders.fifo", 5, awsbus.SubscriberConfig{})
	require.NoError(t, w.pub.Publish("orders.fifo", command("1", "g"), command("2", "g"), command("3", "g")))
	ch, err := w.sub.Subscribe(context.Background(), "orders.fifo")
	require.NoError(t, err)
	var order []string
	nacked := false
	for len(order) < 3 {
		m := next(t, ch)
		id := m.Metadata.Get(sourceflow.MetaMessageID)
		if id == "2" && !nacked {
			nacked = true
			m.Nack()
			continue
		}
		order = append(order, id)
		m.Ack()
	}
	assert.Equal(t, []string{"1", "2", "3"}, order)
}

func TestSubscriberShutdownReleasesMessages(t *testing.T) {
	before := runtime.NumGoroutine()
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{ConsumerConfig: awsbus.ConsumerConfig{ShutdownTimeout: 200 * time.Millisecond}})
	require.NoError(t, w.pub.Publish("orders", command("a", "e"), command("b", "e"), command("c", "e")))
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := w.sub.Subscribe(ctx, "orders")
	require.NoError(t, err)
	held := next(t, ch) // never acked
	time.Sleep(50 * time.Millisecond)
	cancel()
	closed := make(chan struct{})
	go func() {
		for range ch {
		}
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(3 * time.Second):
		t.Fatal("channel not closed after the shutdown timeout")
	}
	assert.Error(t, held.Context().Err(), "the un-acked message's context ends at shutdown")
	msgs := w.sqs.Messages(w.ep.QueueURL)
	require.Len(t, msgs, 3, "nothing deleted, nothing lost")
	for _, m := range msgs {
		assert.False(t, m.InFlight, "released for redelivery: %s", m.Body)
	}
	require.NoError(t, w.sub.Close())
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= before+1 }, 2*time.Second, 20*time.Millisecond,
		"goroutines leaked: before %d, now %d", before, runtime.NumGoroutine())
	_, err = w.sub.Subscribe(context.Background(), "orders")
	assert.ErrorIs(t, err, awsbus.ErrSubscriberClosed)
}

func TestSubscriberShutdownLetsInFlightFinish(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{ConsumerConfig: awsbus.ConsumerConfig{ShutdownTimeout: 2 * time.Second}})
	require.NoError(t, w.pub.Publish("orders", command("a", "e")))
	ch, err := w.sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	m := next(t, ch)
	go func() {
		time.Sleep(200 * time.Millisecond)
		m.Ack()
	}()
	require.NoError(t, w.sub.Close())
	assert.Empty(t, w.sqs.Messages(w.ep.QueueURL), "acked during the drain, so deleted")
}

func TestSubscriberHeartbeatExtendsVisibility(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{ConsumerConfig: awsbus.ConsumerConfig{VisibilityTimeout: time.Second}})
	require.NoError(t, w.pub.Publish("orders", command("slow", "e")))
	ch, err := w.sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	m := next(t, ch)
	time.Sleep(2500 * time.Millisecond) // longer than the visibility timeout
	select {
	case dup := <-ch:
		t.Fatalf("redelivered while its handler ran: %s", dup.UUID)
	default:
	}
	assert.GreaterOrEqual(t, w.sqs.Calls("ChangeMessageVisibility"), 2)
	m.Ack()
	require.Eventually(t, func() bool { return len(w.sqs.Messages(w.ep.QueueURL)) == 0 }, 2*time.Second, 10*time.Millisecond)
}

func TestSubscriberConfigValidate(t *testing.T) {
	_, err := awsbus.NewSubscriber(awsbus.SubscriberConfig{ConsumerConfig: awsbus.ConsumerConfig{WaitTime: time.Minute, MaxConcurrentCalls: -1}})
	require.ErrorIs(t, err, awsbus.ErrInvalidConfig)
	for _, field := range []string{"SQS", "Resolve", "WaitTime", "MaxConcurrentCalls"} {
		assert.Contains(t, err.Error(), field+":")
	}
}
