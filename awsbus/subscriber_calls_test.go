package awsbus_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// recordingSQS wraps the SQS fake and records what the subscriber asks of
// it: every ReceiveMessage input, the receipt handles it received,
// whether each settling call had a deadline, and every visibility change
// (receipt handle, timeout asked for, result) in the order they took
// effect.
//
// When stretch is above 1, the fake is asked for visibility timeouts
// (receive and renewals, not a release to 0) stretch times longer than the
// subscriber asked, so a heartbeat made late by a loaded machine cannot let
// a message reappear; the records keep what the subscriber asked.
//
// When gate is set, ChangeMessageVisibility calls with that timeout are
// announced on gated and held until releaseGate (or their deadline).
type recordingSQS struct {
	awsbus.SQSAPI
	gate    int32
	stretch int32

	gated       chan string   // receipt handles of held calls
	release     chan struct{} // closed by releaseGate
	releaseOnce sync.Once

	mu         sync.Mutex
	receives   []*sqs.ReceiveMessageInput
	receipts   []string
	noDeadline []string
	changes    []visChange
}

// visChange is one ChangeMessageVisibility call as the subscriber made it.
type visChange struct {
	handle  string
	timeout int32
	err     error
}

func newRecordingSQS(inner awsbus.SQSAPI) *recordingSQS {
	return &recordingSQS{SQSAPI: inner, gated: make(chan string, 10), release: make(chan struct{})}
}

// releaseGate lets every held and later gated call through.
func (r *recordingSQS) releaseGate() { r.releaseOnce.Do(func() { close(r.release) }) }

func (r *recordingSQS) deadline(ctx context.Context, op string) {
	if _, ok := ctx.Deadline(); !ok {
		r.mu.Lock()
		r.noDeadline = append(r.noDeadline, op)
		r.mu.Unlock()
	}
}

func (r *recordingSQS) stretched(v int32) int32 {
	if r.stretch > 1 {
		return v * r.stretch
	}
	return v
}

func (r *recordingSQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, o ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	r.mu.Lock()
	r.receives = append(r.receives, in)
	r.mu.Unlock()
	asked := *in
	asked.VisibilityTimeout = r.stretched(in.VisibilityTimeout)
	out, err := r.SQSAPI.ReceiveMessage(ctx, &asked, o...)
	if err == nil {
		r.mu.Lock()
		for _, m := range out.Messages {
			r.receipts = append(r.receipts, aws.ToString(m.ReceiptHandle))
		}
		r.mu.Unlock()
	}
	return out, err
}

func (r *recordingSQS) ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, o ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	r.deadline(ctx, "ChangeMessageVisibility")
	handle := aws.ToString(in.ReceiptHandle)
	r.hold(ctx, in.VisibilityTimeout, handle)
	asked := *in
	asked.VisibilityTimeout = r.stretched(in.VisibilityTimeout)
	out, err := r.SQSAPI.ChangeMessageVisibility(ctx, &asked, o...)
	r.mu.Lock()
	r.changes = append(r.changes, visChange{handle: handle, timeout: in.VisibilityTimeout, err: err})
	r.mu.Unlock()
	return out, err
}

// ChangeMessageVisibilityBatch records each entry as a visibility change,
// with the entry's own result.
func (r *recordingSQS) ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, o ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	r.deadline(ctx, "ChangeMessageVisibilityBatch")
	asked := *in
	asked.Entries = slices.Clone(in.Entries)
	for i, e := range in.Entries {
		r.hold(ctx, e.VisibilityTimeout, aws.ToString(e.ReceiptHandle))
		asked.Entries[i].VisibilityTimeout = r.stretched(e.VisibilityTimeout)
	}
	out, err := r.SQSAPI.ChangeMessageVisibilityBatch(ctx, &asked, o...)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range in.Entries {
		c := visChange{handle: aws.ToString(e.ReceiptHandle), timeout: e.VisibilityTimeout, err: err}
		if out != nil {
			for _, f := range out.Failed {
				if aws.ToString(f.Id) == aws.ToString(e.Id) {
					c.err = errors.New(aws.ToString(f.Code))
				}
			}
		}
		r.changes = append(r.changes, c)
	}
	return out, err
}

// hold announces a change to the gated timeout on gated and holds it until
// releaseGate or the end of ctx.
func (r *recordingSQS) hold(ctx context.Context, timeout int32, handle string) {
	if r.gate == 0 || timeout != r.gate {
		return
	}
	select {
	case r.gated <- handle:
	default:
	}
	select {
	case <-r.release:
	case <-ctx.Done():
	}
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

func (r *recordingSQS) recorded() (last *sqs.ReceiveMessageInput, noDeadline []string, changes []visChange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.receives) > 0 {
		last = r.receives[len(r.receives)-1]
	}
	return last, append([]string(nil), r.noDeadline...), append([]visChange(nil), r.changes...)
}

// receiveInputs returns every ReceiveMessage input, in call order.
func (r *recordingSQS) receiveInputs() []*sqs.ReceiveMessageInput {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.receives)
}

// receipt returns the receipt handle of the i-th message received.
func (r *recordingSQS) receipt(t *testing.T, i int) string {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.Greater(t, len(r.receipts), i, "message %d not received", i)
	return r.receipts[i]
}

// changesOf returns the visibility changes of one receipt handle.
func (r *recordingSQS) changesOf(handle string) []visChange {
	_, _, all := r.recorded()
	var out []visChange
	for _, c := range all {
		if c.handle == handle {
			out = append(out, c)
		}
	}
	return out
}

// timeouts returns the timeouts of changes.
func timeouts(changes []visChange) []int32 {
	out := make([]int32, len(changes))
	for i, c := range changes {
		out[i] = c.timeout
	}
	return out
}

// waitClosing waits until Close began on sub, which then refuses to
// subscribe: its subscriptions are stopped or stopping. It asks with an
// ended context, so a Subscribe made before Close began starts a
// subscription that stops at once and polls nothing.
func waitClosing(t *testing.T, sub message.Subscriber, destination string) {
	t.Helper()
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	require.Eventually(t, func() bool {
		_, err := sub.Subscribe(ended, destination)
		return errors.Is(err, awsbus.ErrSubscriberClosed)
	}, waitFor, tick, "Close began")
}

// A heartbeat renewal under way when the handler nacks must not overwrite
// the nack's backoff: the backoff is the last change to take effect. The
// renewal is held in the fake until the test has nacked, so it is under way
// whatever the machine's load.
func TestSubscriberHeartbeatNeverOverwritesNackBackoff(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	rec := newRecordingSQS(w.sqs)
	rec.gate = 2
	sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: rec, ConsumerConfig: awsbus.ConsumerConfig{VisibilityTimeout: 2 * time.Second, NackBackoff: -1}}, func(*topology.Endpoint) {})
	t.Cleanup(rec.releaseGate) // runs before the subscriber's Close, should the test stop early
	require.NoError(t, w.pub.Publish("orders", command("slow", "e")))
	ch, err := sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err)
	m := next(t, ch)
	var handle string
	select {
	case handle = <-rec.gated: // the heartbeat is renewing m right now
	case <-time.After(waitFor):
		t.Fatal("no heartbeat renewal")
	}
	require.Equal(t, rec.receipt(t, 0), handle, "the renewal is m's")
	m.Nack()
	rec.releaseGate()
	require.NoError(t, sub.Close()) // waits for m to be settled and for the heartbeat to stop

	changes := timeouts(rec.changesOf(handle))
	require.NotEmpty(t, changes)
	assert.Equal(t, int32(2), changes[0], "the renewal under way when the handler nacked took effect first")
	assert.Equal(t, len(changes)-1, slices.Index(changes, 0), "the nack's backoff is the last change, after every renewal: %v", changes)
}

// Settling calls run on a context that outlives the subscription; each has
// a deadline so a hung call cannot stall acks or shutdown forever.
func TestSubscriberSettlingCallsHaveADeadline(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	rec := newRecordingSQS(w.sqs)
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
	require.Eventually(t, func() bool { return len(w.sqs.Messages(w.ep.QueueURL)) == 0 }, waitFor, tick)
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
			rec := newRecordingSQS(w.sqs)
			sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: rec, ConsumerConfig: awsbus.ConsumerConfig{WaitTime: tc.wait, VisibilityTimeout: tc.vis, NackBackoff: tc.nack}},
				func(*topology.Endpoint) {})
			require.NoError(t, w.pub.Publish("orders", command("a", "e")))
			ch, err := sub.Subscribe(context.Background(), "orders")
			require.NoError(t, err)
			next(t, ch).Nack()
			require.NoError(t, sub.Close()) // waits for the nack to be settled
			last, _, _ := rec.recorded()
			require.NotNil(t, last)
			assert.Equal(t, tc.wantWait, last.WaitTimeSeconds)
			assert.Equal(t, tc.wantVis, last.VisibilityTimeout)
			// A slow machine may let the heartbeat renew the message before
			// the nack (a renewal sets the visibility timeout); the nack's
			// backoff is the last change of that delivery. A redelivery has
			// its own receipt handle.
			changes := timeouts(rec.changesOf(rec.receipt(t, 0)))
			require.NotEmpty(t, changes, "the nack changed visibility")
			assert.Equal(t, tc.wantNack, changes[len(changes)-1], "the nack's backoff: %v", changes)
			for _, c := range changes[:len(changes)-1] {
				assert.Equal(t, tc.wantVis, c, "a renewal before the nack: %v", changes)
			}
		})
	}
}
