package awsbus_test

import (
	"context"
	"fmt"
	"maps"
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
	return newWireOn(t, awsbustest.NewSQS(awsbustest.SQSConfig{}), name, maxReceives, cfg)
}

// newWireOn is newWire on the fake f.
func newWireOn(t *testing.T, f *awsbustest.SQS, name string, maxReceives int, cfg awsbus.SubscriberConfig) *wire {
	t.Helper()
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
	case <-time.After(waitFor):
		t.Fatalf("no message within %v", waitFor)
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
	want := maps.Clone(sent.Metadata) // plus the consume markers of this delivery
	want[sourceflow.MetaDeliveryCount], want[sourceflow.MetaDeadLetterQueue] = "1", "orders-dlq"
	assert.Equal(t, map[string]string(want), map[string]string(got.Metadata))
	// The poller's next long poll came back empty (a third ReceiveMessage
	// started): the subscriber had a whole poll to delete the message early.
	require.Eventually(t, func() bool { return w.sqs.Calls("ReceiveMessage") >= 3 }, waitFor, tick)
	require.Len(t, w.sqs.Messages(w.ep.QueueURL), 1, "not deleted before Ack")
	assert.Equal(t, 0, w.sqs.Calls("DeleteMessage")+w.sqs.Calls("DeleteMessageBatch"))
	got.Ack()
	require.Eventually(t, func() bool { return len(w.sqs.Messages(w.ep.QueueURL)) == 0 }, waitFor, tick)
	select {
	case <-got.Context().Done():
	case <-time.After(waitFor):
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
	}, waitFor, tick)
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
	require.Eventually(t, func() bool { return len(w.sqs.Messages(w.ep.DLQURL)) == 1 }, waitFor, tick)
	assert.Contains(t, w.sqs.Messages(w.ep.DLQURL)[0].Attributes[sourceflow.MetaFailure], "malformed")
}

// At most MaxConcurrentCalls messages are handed out at once, and the limit
// is reached. Handlers finish only once the limit was reached, so a slow
// test goroutine cannot keep it from being observed. With a DeleteBatchDelay
// longer than the test, deletes go out in full batches of ten, whatever the
// timing of the acks.
func TestSubscriberBoundedConcurrency(t *testing.T) {
	const limit = 3
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{ConsumerConfig: awsbus.ConsumerConfig{MaxConcurrentCalls: limit}, DeleteBatchDelay: time.Hour})
	var msgs []*message.Message
	for i := range 30 {
		msgs = append(msgs, command(fmt.Sprint(i), "e"))
	}
	require.NoError(t, w.pub.Publish("orders", msgs...))
	ch, err := w.sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	var cur, peak atomic.Int32
	var wg sync.WaitGroup
	full := make(chan struct{}) // closed when limit messages are handed out at once
	var fullOnce sync.Once
	for range 30 {
		m := next(t, ch)
		n := cur.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		if n >= limit {
			fullOnce.Do(func() { close(full) })
		}
		wg.Go(func() {
			<-full
			cur.Add(-1)
			m.Ack()
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, peak.Load(), int32(limit))
	assert.Equal(t, int32(limit), peak.Load(), "the limit is reached")
	require.Eventually(t, func() bool { return len(w.sqs.Messages(w.ep.QueueURL)) == 0 }, waitFor, tick)
	assert.Equal(t, 0, w.sqs.Calls("DeleteMessage"), "deletes are batched")
	assert.Equal(t, 3, w.sqs.Calls("DeleteMessageBatch"), "deletes are batched, ten at a time")
}

// Messages of one FIFO group are handed out one at a time and in order,
// messages of different groups at once. Handlers finish only once two
// groups were in flight together, so a slow test goroutine cannot keep the
// parallelism from being observed.
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
	parallel := make(chan struct{}) // closed when two groups are in flight at once
	var parallelOnce sync.Once
	var wg sync.WaitGroup
	for range groups * perGroup {
		m := next(t, ch)
		g := m.Metadata.Get(sourceflow.MetaEntityID)
		mu.Lock()
		seen[g] = append(seen[g], m.Metadata.Get(sourceflow.MetaMessageID))
		active[g]++
		overlap = overlap || active[g] > 1
		peakGroups = max(peakGroups, len(active))
		if peakGroups >= 2 {
			parallelOnce.Do(func() { close(parallel) })
		}
		mu.Unlock()
		wg.Go(func() {
			<-parallel
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
	// All three are received (the other two wait in their handlers), so
	// the shutdown has messages to release.
	require.Eventually(t, func() bool {
		msgs := w.sqs.Messages(w.ep.QueueURL)
		return len(msgs) == 3 && msgs[0].InFlight && msgs[1].InFlight && msgs[2].InFlight
	}, waitFor, tick)
	cancel()
	closed := make(chan struct{})
	go func() {
		for range ch {
		}
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(waitFor):
		t.Fatal("channel not closed after the shutdown timeout")
	}
	assert.Error(t, held.Context().Err(), "the un-acked message's context ends at shutdown")
	msgs := w.sqs.Messages(w.ep.QueueURL)
	require.Len(t, msgs, 3, "nothing deleted, nothing lost")
	for _, m := range msgs {
		assert.False(t, m.InFlight, "released for redelivery: %s", m.Body)
	}
	require.NoError(t, w.sub.Close())
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= before+1 }, waitFor, tick,
		"goroutines leaked: before %d, now %d", before, runtime.NumGoroutine())
	_, err = w.sub.Subscribe(context.Background(), "orders")
	assert.ErrorIs(t, err, awsbus.ErrSubscriberClosed)
}

// Close waits for a handed-out message: acked while Close drains, it is
// deleted, not released. The ack comes once Close began (the subscriber
// refuses to subscribe), and the shutdown timeout is far longer than the test, so
// the machine's load cannot reorder the two.
func TestSubscriberShutdownLetsInFlightFinish(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	sub := subscriberOn(t, w, awsbus.SubscriberConfig{ConsumerConfig: awsbus.ConsumerConfig{ShutdownTimeout: time.Minute}}, func(*topology.Endpoint) {})
	require.NoError(t, w.pub.Publish("orders", command("a", "e")))
	ch, err := sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	m := next(t, ch)
	t.Cleanup(func() { m.Ack() }) // should the test stop early, Close need not wait a minute
	closed := make(chan error, 1)
	go func() { closed <- sub.Close() }()
	waitClosing(t, sub, "orders") // Close is draining
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a handed-out message was unacked", err)
	default:
	}
	m.Ack()
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(waitFor):
		t.Fatal("Close did not return after the ack")
	}
	assert.Empty(t, w.sqs.Messages(w.ep.QueueURL), "acked during the drain, so deleted")
}

// The heartbeat renews a message its handler holds longer than the
// visibility timeout: it sets the visibility timeout again, on that
// delivery's receipt handle, while the message is still in flight, and
// stops once the message is settled. The fake is asked for 30 times the
// visibility the subscriber wants, so a heartbeat made late by a loaded
// machine cannot let the message reappear: the test asserts the renewals
// the subscriber makes, not a wall-clock window.
func TestSubscriberHeartbeatExtendsVisibility(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	rec := newRecordingSQS(w.sqs)
	rec.stretch = 30
	sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: rec, ConsumerConfig: awsbus.ConsumerConfig{VisibilityTimeout: time.Second}}, func(*topology.Endpoint) {})
	require.NoError(t, w.pub.Publish("orders", command("slow", "e")))
	ch, err := sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	m := next(t, ch)
	t.Cleanup(func() { m.Ack() }) // should the test stop early, Close need not wait for it
	handle := rec.receipt(t, 0)

	const renewals = 3 // each comes about half a visibility timeout after the last
	require.Eventually(t, func() bool { return len(rec.changesOf(handle)) >= renewals }, 3*waitFor, tick,
		"the heartbeat renews the held message")
	for _, c := range rec.changesOf(handle) {
		assert.Equal(t, int32(1), c.timeout, "renewed to the visibility timeout")
		assert.NoError(t, c.err, "renewed while in flight")
	}
	onQueue := w.sqs.Messages(w.ep.QueueURL)
	require.Len(t, onQueue, 1)
	assert.True(t, onQueue[0].InFlight, "invisible while its handler runs")
	assert.Equal(t, 1, onQueue[0].ReceiveCount, "not redelivered")

	m.Ack()
	require.Eventually(t, func() bool { return len(w.sqs.Messages(w.ep.QueueURL)) == 0 }, waitFor, tick)
	require.NoError(t, sub.Close()) // the heartbeat has stopped
	for _, c := range rec.changesOf(handle) {
		assert.NoError(t, c.err, "no renewal of the deleted message")
	}
	last, _, _ := rec.recorded()
	assert.Equal(t, int32(1), last.VisibilityTimeout, "received with the visibility timeout the subscriber wants")
}

func TestSubscriberConfigValidate(t *testing.T) {
	_, err := awsbus.NewSubscriber(awsbus.SubscriberConfig{ConsumerConfig: awsbus.ConsumerConfig{WaitTime: time.Minute, MaxConcurrentCalls: -1}})
	require.ErrorIs(t, err, awsbus.ErrInvalidConfig)
	for _, problem := range []string{"SubscriberConfig.SQS is required", "SubscriberConfig.Resolve is required",
		"SubscriberConfig.WaitTime:", "SubscriberConfig.MaxConcurrentCalls:"} {
		assert.Contains(t, err.Error(), problem)
	}
}
