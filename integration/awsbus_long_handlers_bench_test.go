//go:build integration

package integration

import (
	"context"
	"errors"
	"fmt"
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

// BenchmarkAWSBusLongHandlers measures awsbus's visibility heartbeat with
// handlers that run 1×, 10× and 100× the visibility timeout (2s, so the
// 100× case lasts under four minutes), 20 messages in flight at once:
// ChangeMessageVisibility(Batch) calls per message-minute of handling,
// entries per call, redeliveries (a message received again while its first
// handling runs; target 0) and visibility calls made within one timeout
// after every message was deleted (target 0). It runs once, whatever b.N.
func BenchmarkAWSBusLongHandlers(b *testing.B) {
	const vis = 2 * time.Second
	awsCfg := awsConfigB(b)
	for _, times := range []int{1, 10, 100} {
		r, err := runLongHandlers(b, awsCfg, vis, time.Duration(times)*vis, 20)
		if err != nil {
			b.Fatalf("%d×: %v", times, err)
		}
		unit := fmt.Sprintf("(%dx)", times)
		minutes := r.handling.Minutes()
		b.ReportMetric(float64(r.calls)/minutes, "visibility_calls/msg-min"+unit)
		b.ReportMetric(float64(r.entries)/float64(max(r.calls, 1)), "entries/call"+unit)
		b.ReportMetric(float64(r.redelivered), "redeliveries"+unit)
		b.ReportMetric(float64(r.late), "calls_after_delete"+unit)
		b.Logf("%d× %v: %d calls, %d entries over %.1f message-minutes (a renewal every %.2f timeouts per message); "+
			"%d redelivered while handled, %d after, %d calls after the deletes", times, vis, r.calls, r.entries, minutes,
			float64(r.handling)/float64(max(r.entries, 1))/float64(vis), r.redelivered, r.again, r.late)
	}
}

// Handlers running three visibility timeouts keep their messages: every
// one is renewed, none is received again while handled, and no renewal
// follows the deletes.
func TestAWSBusLongHandlersRenewWithoutRedelivery(t *testing.T) {
	const vis = 3 * time.Second
	r, err := runLongHandlers(t, awsConfig(t), vis, 3*vis, 12)
	require.NoError(t, err)
	assert.Zero(t, r.redelivered, "received again while handled")
	assert.GreaterOrEqual(t, r.entries, 12, "every message renewed")
	assert.Zero(t, r.late, "visibility calls after the deletes")
}

// longResult is the outcome of one runLongHandlers.
type longResult struct {
	calls, entries     int           // ChangeMessageVisibility(Batch) calls and their entries
	handling           time.Duration // the handlers' run times, summed
	redelivered, again int           // receipts of a message while its first handling ran, and after it
	late               int           // visibility calls within one timeout after every delete
}

// runLongHandlers has n messages handled at once by handlers that each run
// hold and ack, on a queue whose visibility timeout is vis, and counts the
// visibility calls from the publish until one timeout after the deletes.
func runLongHandlers(tb testing.TB, awsCfg aws.Config, vis, hold time.Duration, n int) (r longResult, err error) {
	var calls apiCalls
	client := sqs.NewFromConfig(calls.instrument(awsCfg))
	ep := createQueueWithDLQ(tb, client, uniqueName("bench-long", ""), queueOptions{visibility: int(vis / time.Second)})
	resolve := func(string) (topology.Endpoint, error) { return ep, nil }
	pub, err := awsbus.NewPublisher(awsbus.PublisherConfig{SQS: client, Resolve: resolve})
	if err != nil {
		return r, err
	}
	sub, err := awsbus.NewSubscriber(awsbus.SubscriberConfig{SQS: client, Resolve: resolve, ConsumerConfig: awsbus.ConsumerConfig{
		// 2n: room to receive a message again while its first handling runs
		VisibilityTimeout: vis, MaxConcurrentCalls: 2 * n, WaitTime: 2 * time.Second, ShutdownTimeout: 10 * time.Second,
	}})
	if err != nil {
		return r, err
	}
	defer func() { err = errors.Join(err, sub.Close()) }()
	msgs := make([]*message.Message, n)
	for i := range msgs {
		msgs[i] = flowCommand(fmt.Sprint("long-", i), fmt.Sprint("e-", i))
	}
	if err := pub.Publish(ep.Name, msgs...); err != nil {
		return r, err
	}
	ch, err := sub.Subscribe(context.Background(), ep.Name)
	if err != nil {
		return r, err
	}
	h := &longHandlers{changed: newChanges(), handled: map[string]bool{}}
	go func() {
		for m := range ch {
			go h.handle(m, hold)
		}
	}()
	if !h.changed.until(func() bool { return h.result().done >= n }, hold+benchDeadline) {
		return r, fmt.Errorf("%d of %d messages handled", h.result().done, n)
	}
	if !calls.waitDeleted(n, benchDeadline) {
		return r, fmt.Errorf("not all %d messages deleted", n)
	}
	before, _ := calls.visibility()
	time.Sleep(vis) // the window in which a renewal outliving its message would show
	r = h.result().longResult
	r.calls, r.entries = calls.visibility()
	r.late = r.calls - before
	return r, nil
}

// longHandlers handles each message for hold, then acks it; a message
// received again is acked at once and counted.
type longHandlers struct {
	changed changes
	mu      sync.Mutex
	handled map[string]bool // message id → its first handling still runs
	res     longTally
}

type longTally struct {
	longResult
	done int
}

func (h *longHandlers) handle(m *message.Message, hold time.Duration) {
	id := m.Metadata.Get(sourceflow.MetaMessageID)
	h.mu.Lock()
	running, seen := h.handled[id]
	switch {
	case running:
		h.res.redelivered++
	case seen:
		h.res.again++
	default:
		h.handled[id] = true
	}
	h.mu.Unlock()
	if seen {
		m.Ack()
		return
	}
	start := time.Now()
	time.Sleep(hold) // the handler's work
	m.Ack()
	h.mu.Lock()
	h.handled[id] = false
	h.res.done++
	h.res.handling += time.Since(start)
	h.mu.Unlock()
	h.changed.notify()
}

func (h *longHandlers) result() longTally {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.res
}
