//go:build integration

package integration

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// TestObsRetriedRunsShowOnTheConsumerSpan: a command whose handler fails
// twice and succeeds on the retry middleware's third run is one delivery,
// one "process" span. An SRE looking at that span for a slow or flaky
// payment should see the two failed runs (an exception event each, as the
// retry middleware logs each at Info), not a clean span 80 ms long.
func TestObsRetriedRunsShowOnTheConsumerSpan(t *testing.T) {
	r := newObsRig(t)
	env := r.send(t, "retried", obsFlaky)
	require.Eventually(t, func() bool { _, ok := r.projected.Load(env.MessageID); return ok },
		snsPatience, 50*time.Millisecond, "the retried command is handled and its event projected")
	// The event can be projected before the command's consumer span ends.
	require.EventuallyWithT(t, func(c *assert.CollectT) { assert.NotEmpty(c, r.processSpans(env.MessageID)) },
		snsPatience, 50*time.Millisecond, "the consumer span ended")
	process := r.processSpans(env.MessageID)
	require.Len(t, process, 1, "one delivery, one consumer span")
	var failures []string
	for _, e := range process[0].Events() {
		if e.Name == "exception" {
			failures = append(failures, e.Name)
		}
	}
	assert.Len(t, failures, 2, "the consumer span records the two failed handler runs before the one that succeeded; events: %v",
		process[0].Events())
}

// TestObsRedeliveryIsCountedOnTheConsumerSpan: a command whose first
// delivery fails through every retry is delivered again by SQS. Its two
// "process" spans are alike in everything but their status: nothing says
// which delivery each was (SQS's ApproximateReceiveCount is read, and
// logged when dead-lettering, but not put on the span).
func TestObsRedeliveryIsCountedOnTheConsumerSpan(t *testing.T) {
	r := newObsRig(t)
	env := r.send(t, "redelivered", obsRedeliver)
	require.Eventually(t, func() bool { _, ok := r.projected.Load(env.MessageID); return ok },
		snsPatience, 50*time.Millisecond, "the command is handled on its second delivery")
	// The event can be projected before the second delivery's span ends.
	require.EventuallyWithT(t, func(c *assert.CollectT) { assert.GreaterOrEqual(c, len(r.processSpans(env.MessageID)), 2) },
		snsPatience, 50*time.Millisecond, "a consumer span per delivery")
	process := r.processSpans(env.MessageID)
	for i, s := range process {
		assert.Equal(t, i+1, deliveryCount(s), "delivery %d's span carries its delivery count; attributes: %v", i+1, s.Attributes())
	}
}

// TestObsDeadLetteringShowsInTheTrace: a command that is dead-lettered
// leaves no mark in its trace. A permanent failure at least ends its span
// with error.type "permanent"; one that failed on every receive until the
// queue's last allowed one is dead-lettered by awsbus too (sourceflow.
// message.dead_lettered counts it, the log says "Message dead-lettered"),
// yet its last span says error.type "transient", which reads as "will be
// tried again". The trace should say where the message went and why.
func TestObsDeadLetteringShowsInTheTrace(t *testing.T) {
	r := newObsRig(t)
	poison := r.send(t, "poison", obsPoison)
	never := r.send(t, "never", obsNeverOK)
	require.EventuallyWithT(t, func(c *assert.CollectT) { assert.GreaterOrEqual(c, r.deadLettered(c), int64(2)) },
		snsPatience, 200*time.Millisecond, "both commands are dead-lettered")
	for name, id := range map[string]string{"permanent failure": poison.MessageID, "last receive": never.MessageID} {
		// The dead letter is counted before the last consumer span ends.
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			process := r.processSpans(id)
			if assert.NotEmpty(c, process) {
				assert.True(c, marksDeadLetter(process[len(process)-1]))
			}
		}, snsPatience, 50*time.Millisecond, "%s: the last consumer span ended", name)
		process := r.processSpans(id)
		last := process[len(process)-1]
		assert.True(t, marksDeadLetter(last), "%s: the last consumer span says the message was dead-lettered (an event or an attribute); "+
			"error.type %q, events %v", name, spanAttr(last, "error.type"), last.Events())
	}
}

// TestObsEventMetricsNameTheQueueTheirDepthIsReportedUnder: an SRE
// relating a consumer's throughput to its backlog joins
// sourceflow.aws.message.processed with sourceflow.aws.queue.depth on
// the queue. For commands both name it in messaging.destination.name; for
// events processed names the SNS topic there and depth the service's event
// queue, so processed must also name that queue, as
// messaging.destination.subscription.name (the consumer span likewise), for
// a query to relate them.
func TestObsEventMetricsNameTheQueueTheirDepthIsReportedUnder(t *testing.T) {
	r := newObsRig(t)
	env := r.send(t, "joined", obsOK)
	require.Eventually(t, func() bool { _, ok := r.projected.Load(env.MessageID); return ok },
		snsPatience, 50*time.Millisecond, "the event is projected")
	var depth, processed []string
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		got := r.collect(c)
		depth, processed = destinations(got[metrics.NameQueueDepth]), destinations(got[metrics.NameMessageProcessed])
		assert.GreaterOrEqual(c, len(depth), 2)
		assert.GreaterOrEqual(c, len(processed), 2)
	}, time.Minute, 100*time.Millisecond, "depth and processed are reported for the command and the event queue")
	for _, dest := range processed {
		assert.True(t, slices.Contains(depth, dest),
			"processed's destination %q is one a depth gauge reports (depth: %v)", dest, depth)
	}
}

// processSpans returns the consumer spans of the message id, in start order.
func (r *obsRig) processSpans(id string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range r.spansOf(id) {
		if strings.HasPrefix(s.Name(), "process ") {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
	return out
}

// deliveryCount returns the value of s's delivery-count attribute (a key
// naming a delivery or receive count), 0 when it has none.
func deliveryCount(s sdktrace.ReadOnlySpan) int {
	for _, kv := range s.Attributes() {
		k := string(kv.Key)
		if strings.Contains(k, "delivery_count") || strings.Contains(k, "receive_count") || strings.Contains(k, "delivery_attempt") {
			return int(kv.Value.AsInt64())
		}
	}
	return 0
}

// marksDeadLetter reports whether s has an event or an attribute that
// names a dead letter.
func marksDeadLetter(s sdktrace.ReadOnlySpan) bool {
	for _, e := range s.Events() {
		if strings.Contains(strings.ToLower(e.Name), "dead") {
			return true
		}
	}
	for _, kv := range s.Attributes() {
		if strings.Contains(strings.ToLower(string(kv.Key)), "dead") {
			return true
		}
	}
	return false
}

// deadLettered returns the sum of sourceflow.message.dead_lettered.
func (r *obsRig) deadLettered(t require.TestingT) int64 {
	var n int64
	if sum, ok := r.collect(t)[metrics.NameDeadLetters].(metricdataSum); ok {
		for _, p := range sum.DataPoints {
			n += p.Value
		}
	}
	return n
}
