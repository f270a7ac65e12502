package awsbus_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// recordingSQS wraps the SQS fake and records what the subscriber asks of
// it: the last ReceiveMessage input, whether each settling call had a
// deadline, and the visibility changes in the order they took effect. When
// gate is set, ChangeMessageVisibility calls with that timeout are held
// until a call with timeout 0 arrives or 300ms pass.
type recordingSQS struct {
	awsbus.SQSAPI
	gate int32

	mu          sync.Mutex
	lastReceive *sqs.ReceiveMessageInput
	noDeadline  []string
	changes     []int32
	gated       chan string // receipt handles of held calls
	zeroSeen    chan struct{}
	zeroOnce    sync.Once
}

func newRecordingSQS(inner awsbus.SQSAPI, gate int32) *recordingSQS {
	return &recordingSQS{SQSAPI: inner, gate: gate, gated: make(chan string, 10), zeroSeen: make(chan struct{})}
}

func (r *recordingSQS) deadline(ctx context.Context, op string) {
	if _, ok := ctx.Deadline(); !ok {
		r.mu.Lock()
		r.noDeadline = append(r.noDeadline, op)
		r.mu.Unlock()
	}
}

func (r *recordingSQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, o ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	r.mu.Lock()
	r.lastReceive = in
	r.mu.Unlock()
	return r.SQSAPI.ReceiveMessage(ctx, in, o...)
}

func (r *recordingSQS) ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, o ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	r.deadline(ctx, "ChangeMessageVisibility")
	if in.VisibilityTimeout == 0 {
		r.zeroOnce.Do(func() { close(r.zeroSeen) })
	}
	if r.gate != 0 && in.VisibilityTimeout == r.gate {
		r.gated <- aws.ToString(in.ReceiptHandle)
		select {
		case <-r.zeroSeen:
		case <-time.After(300 * time.Millisecond):
		}
	}
	out, err := r.SQSAPI.ChangeMessageVisibility(ctx, in, o...)
	r.mu.Lock()
	r.changes = append(r.changes, in.VisibilityTimeout)
	r.mu.Unlock()
	return out, err
}

func (r *recordingSQS) DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, o ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error) {
	r.deadline(ctx, "DeleteMessage")
	return r.SQSAPI.DeleteMessage(ctx, in, o...)
}

func (r *recordingSQS) DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, o ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	r.deadline(ctx, "DeleteMessageBatch")
	return r.SQSAPI.DeleteMessageBatch(ctx, in, o...)
}

func (r *recordingSQS) SendMessage(ctx context.Context, in *sqs.SendMessageInput, o ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	r.deadline(ctx, "SendMessage")
	return r.SQSAPI.SendMessage(ctx, in, o...)
}

func (r *recordingSQS) recorded() (last *sqs.ReceiveMessageInput, noDeadline []string, changes []int32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastReceive, append([]string(nil), r.noDeadline...), append([]int32(nil), r.changes...)
}

// A heartbeat renewal under way when the handler nacks must not overwrite
// the nack's backoff: the backoff is the last change to take effect.
func TestSubscriberHeartbeatNeverOverwritesNackBackoff(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	rec := newRecordingSQS(w.sqs, 2)
	sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: rec, ConsumerConfig: awsbus.ConsumerConfig{VisibilityTimeout: 2 * time.Second, NackBackoff: -1}}, func(*topology.Endpoint) {})
	require.NoError(t, w.pub.Publish("orders", command("slow", "e")))
	ch, err := sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	m := next(t, ch)
	select {
	case <-rec.gated: // the heartbeat is renewing m right now
	case <-time.After(5 * time.Second):
		t.Fatal("no heartbeat renewal")
	}
	m.Nack()
	require.Eventually(t, func() bool { _, _, c := rec.recorded(); return len(c) >= 2 }, 3*time.Second, 10*time.Millisecond)
	_, _, changes := rec.recorded()
	assert.Equal(t, []int32{2, 0}, changes[:2], "renewal first, then the nack's backoff")
}

// Settling calls run on a context that outlives the subscription; each has
// a deadline so a hung call cannot stall acks or shutdown forever.
func TestSubscriberSettlingCallsHaveADeadline(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	rec := newRecordingSQS(w.sqs, 0)
	sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: rec}, func(*topology.Endpoint) {})
	require.NoError(t, w.pub.Publish("orders", command("ack", "e"), command("nack", "e"), command("poison", "e")))
	ch, err := sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	seen := map[string]int{}
	for seen["ack"] == 0 || seen["nack"] < 2 || seen["poison"] == 0 {
		m := next(t, ch)
		id := m.Metadata.Get(sourceflow.MetaMessageID)
		seen[id]++
		switch {
		case id == "poison":
			m.Metadata.Set(sourceflow.MetaFailure, "cqrs: unknown type")
			m.Nack()
		case id == "nack" && seen[id] == 1:
			m.Nack()
		default:
			m.Ack()
		}
	}
	require.Eventually(t, func() bool { return len(w.sqs.Messages(w.ep.QueueURL)) == 0 }, 3*time.Second, 10*time.Millisecond)
	require.Len(t, w.sqs.Messages(w.ep.DLQURL), 1)
	require.NoError(t, sub.Close())
	_, noDeadline, changes := rec.recorded()
	assert.NotEmpty(t, changes, "the nack changed visibility")
	assert.Empty(t, noDeadline, "calls without a deadline")
}

// WaitTime and VisibilityTimeout reach every ReceiveMessage; sub-second
// settings are rounded up to whole seconds instead of becoming 0.
func TestSubscriberTimeoutsReachSQS(t *testing.T) {
	cases := []struct {
		name              string
		wait, vis, nack   time.Duration
		wantWait, wantVis int32
		wantNack          int32
	}{
		{"whole seconds", 2 * time.Second, 45 * time.Second, 3 * time.Second, 2, 45, 3},
		{"sub-second rounded up", 1500 * time.Millisecond, 1200 * time.Millisecond, 300 * time.Millisecond, 2, 2, 1},
		{"negative backoff redelivers at once", time.Second, 30 * time.Second, -1, 1, 30, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
			rec := newRecordingSQS(w.sqs, 0)
			sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: rec, ConsumerConfig: awsbus.ConsumerConfig{WaitTime: tc.wait, VisibilityTimeout: tc.vis, NackBackoff: tc.nack}},
				func(*topology.Endpoint) {})
			require.NoError(t, w.pub.Publish("orders", command("a", "e")))
			ch, err := sub.Subscribe(context.Background(), "orders")
			require.NoError(t, err)
			next(t, ch).Nack()
			require.Eventually(t, func() bool { _, _, c := rec.recorded(); return len(c) == 1 }, 3*time.Second, 10*time.Millisecond)
			last, _, changes := rec.recorded()
			require.NotNil(t, last)
			assert.Equal(t, tc.wantWait, last.WaitTimeSeconds)
			assert.Equal(t, tc.wantVis, last.VisibilityTimeout)
			assert.Equal(t, []int32{tc.wantNack}, changes, "the nack's backoff")
		})
	}
}
