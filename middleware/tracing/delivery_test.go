package tracing_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// The consumer span carries the delivery count and the subscribed queue the
// transport marked the message with.
func TestMiddlewareDeliveryAttributes(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{})
	msg := message.NewMessage("uuid-1", nil)
	msg.Metadata.Set(sourceflow.MetaDeliveryCount, "3")
	msg.Metadata.Set(sourceflow.MetaSubscription, "svc-events")

	_, err := tr.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })(msg)

	require.NoError(t, err)
	attrs := attrMap(spanNamed(t, rec, "process").Attributes())
	assert.Equal(t, int64(3), attrs[string(tracing.AttrDeliveryCount)])
	assert.Equal(t, "svc-events", attrs["messaging.destination.subscription.name"])
}

// A failure the transport dead-letters (permanent, or any on the last
// delivery) adds a dead-letter event naming the queue and the reason; a
// failure that is delivered again, or one without a dead-letter queue, adds
// none. A permanent failure dead-letters at once only where it is marked
// (sourceflow.MetaFailure): by the span's time, or afterwards by the mark
// the handling runs inside (sourceflow.ContextMarkingFailures, as cqrs's
// service runs its HandlerMiddleware); without either, the transport takes
// it for an ordinary failure.
func TestMiddlewareMarksDeadLettering(t *testing.T) {
	transient, permanent := errors.New("gateway down"), sourceflow.Permanent(errors.New("card refused"))
	heldElsewhere := fmt.Errorf("order o-1: %w", sourceflow.ErrInProgress)
	storeDown := sourceflow.StoreUnavailable(errors.New("sqlstore: begin a transaction: connection refused"))
	for _, tc := range []struct {
		name       string
		err        error
		md         map[string]string
		wantReason string
		unmarked   bool // handled outside a mark of permanent failures
	}{
		{"permanent", permanent, map[string]string{sourceflow.MetaDeadLetterQueue: "q-dlq"}, tracing.DeadLetterPermanent, false},
		{"permanent, marked before the span ends", permanent, map[string]string{sourceflow.MetaDeadLetterQueue: "q-dlq",
			sourceflow.MetaFailure: "card refused"}, tracing.DeadLetterPermanent, true},
		{"permanent, never marked", permanent, map[string]string{sourceflow.MetaDeadLetterQueue: "q-dlq"}, "", true},
		{"permanent, never marked, last delivery", permanent, map[string]string{sourceflow.MetaDeadLetterQueue: "q-dlq",
			sourceflow.MetaLastDelivery: "true"}, tracing.DeadLetterLastDelivery, true},
		{"last delivery", transient, map[string]string{sourceflow.MetaDeadLetterQueue: "q-dlq", sourceflow.MetaLastDelivery: "true"},
			tracing.DeadLetterLastDelivery, false},
		{"redelivered", transient, map[string]string{sourceflow.MetaDeadLetterQueue: "q-dlq"}, "", false},
		{"no dead-letter queue", permanent, map[string]string{sourceflow.MetaLastDelivery: "true"}, "", false},
		{"last delivery unless held elsewhere", transient, map[string]string{sourceflow.MetaDeadLetterQueue: "q-dlq",
			sourceflow.MetaLastDelivery: sourceflow.LastDeliveryUnlessInProgress}, tracing.DeadLetterLastDelivery, false},
		{"last delivery held elsewhere, handed back", transient, map[string]string{sourceflow.MetaDeadLetterQueue: "q-dlq",
			sourceflow.MetaLastDelivery: sourceflow.LastDeliveryUnlessInProgress, sourceflow.MetaInProgress: "true"}, "", false},
		{"last delivery held elsewhere, dead-lettered", transient, map[string]string{sourceflow.MetaDeadLetterQueue: "q-dlq",
			sourceflow.MetaLastDelivery: sourceflow.LastDelivery, sourceflow.MetaInProgress: "true"}, tracing.DeadLetterLastDelivery, false},
		{"last delivery held elsewhere, marked after the span, handed back", heldElsewhere, map[string]string{
			sourceflow.MetaDeadLetterQueue: "q-dlq", sourceflow.MetaLastDelivery: sourceflow.LastDeliveryUnlessInProgress}, "", false},
		{"last delivery held elsewhere, never marked, dead-lettered", heldElsewhere, map[string]string{
			sourceflow.MetaDeadLetterQueue: "q-dlq", sourceflow.MetaLastDelivery: sourceflow.LastDeliveryUnlessInProgress},
			tracing.DeadLetterLastDelivery, true},
		{"last delivery, store unavailable, redelivered", storeDown, uncountedLast(nil), "", false},
		{"last delivery, store unavailable marked before the span ends, redelivered", transient,
			uncountedLast(map[string]string{sourceflow.MetaStoreUnavailable: "true"}), "", false},
		{"last delivery, store unavailable, never marked, dead-lettered", storeDown, uncountedLast(nil),
			tracing.DeadLetterLastDelivery, true},
		{"last delivery, own error, store failures uncounted", transient, uncountedLast(nil), tracing.DeadLetterLastDelivery, false},
		{"last delivery, store unavailable, counted", storeDown, map[string]string{sourceflow.MetaDeadLetterQueue: "q-dlq",
			sourceflow.MetaLastDelivery: sourceflow.LastDelivery}, tracing.DeadLetterLastDelivery, false},
		{"store unavailable, permanent", sourceflow.Permanent(storeDown), uncountedLast(nil), tracing.DeadLetterPermanent, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, _, rec := recordingTracing(t, tracing.Config{})
			msg := message.NewMessage("uuid-1", nil)
			if !tc.unmarked {
				msg.SetContext(sourceflow.ContextMarkingFailures(msg.Context()))
			}
			for k, v := range tc.md {
				msg.Metadata.Set(k, v)
			}
			_, err := tr.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, tc.err })(msg)
			require.ErrorIs(t, err, tc.err)
			ev, found := deadLetterEvent(spanNamed(t, rec, "process"))
			if tc.wantReason == "" {
				assert.False(t, found, "no dead-letter event")
				return
			}
			require.True(t, found, "a dead-letter event")
			assert.Equal(t, map[string]any{string(tracing.AttrDeadLetterQueue): "q-dlq",
				string(tracing.AttrDeadLetterReason): tc.wantReason}, attrMap(ev.Attributes))
		})
	}
}

// uncountedLast is the metadata of a last delivery whose failure that found
// the store unavailable is delivered again (cqrs's transports within
// cqrs.StoreOutageWait), with more.
func uncountedLast(more map[string]string) map[string]string {
	md := map[string]string{sourceflow.MetaDeadLetterQueue: "q-dlq", sourceflow.MetaLastDelivery: sourceflow.LastDelivery,
		sourceflow.MetaStoreFailureUncounted: "true"}
	for k, v := range more {
		md[k] = v
	}
	return md
}

// A failure of a delivery that became the last after it was handed out
// (sourceflow.ContextWithLastDelivery: ChannelTransport while it closes)
// adds a dead-letter event for the last delivery; one of a delivery that
// did not, none.
func TestMiddlewareMarksDeadLetteringOfADeliveryThatBecameTheLast(t *testing.T) {
	for _, became := range []bool{true, false} {
		tr, _, rec := recordingTracing(t, tracing.Config{})
		msg := message.NewMessage("uuid-1", nil)
		msg.SetContext(sourceflow.ContextWithLastDelivery(msg.Context(), func() bool { return became }))
		msg.Metadata.Set(sourceflow.MetaDeadLetterQueue, "q-dlq")
		msg.Metadata.Set(sourceflow.MetaStoreFailureUncounted, "true") // redelivered only while it did not become the last
		msg.Metadata.Set(sourceflow.MetaStoreUnavailable, "true")

		_, err := tr.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, errors.New("gateway down") })(msg)

		require.Error(t, err)
		ev, found := deadLetterEvent(spanNamed(t, rec, "process"))
		if !became {
			assert.False(t, found, "no dead-letter event")
			continue
		}
		require.True(t, found, "a dead-letter event")
		assert.Equal(t, tracing.DeadLetterLastDelivery, attrMap(ev.Attributes)[string(tracing.AttrDeadLetterReason)])
	}
}

// deadLetterEvent returns s's dead-letter event.
func deadLetterEvent(s sdktrace.ReadOnlySpan) (sdktrace.Event, bool) {
	for _, e := range s.Events() {
		if e.Name == tracing.EventDeadLetter {
			return e, true
		}
	}
	return sdktrace.Event{}, false
}

// A handler run a retry loop below runs again adds an exception event with
// its run number; the returned failure adds its own as before.
func TestMiddlewareRecordsRetriedRuns(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{})
	boom := errors.New("gateway timeout")
	runs := 0

	_, err := tr.Middleware(func(msg *message.Message) ([]*message.Message, error) {
		for runs = 1; runs < 3; runs++ { // what middleware.Retry does between runs
			sourceflow.ObserveRetriedRun(msg.Context(), runs, boom)
		}
		return nil, boom
	})(message.NewMessage("uuid-1", nil))

	require.ErrorIs(t, err, boom)
	var runsSeen []any
	for _, e := range spanNamed(t, rec, "process").Events() {
		require.Equal(t, "exception", e.Name)
		runsSeen = append(runsSeen, attrMap(e.Attributes)[string(tracing.AttrRetriedRun)])
	}
	assert.Equal(t, []any{int64(1), int64(2), nil}, runsSeen, "two retried runs, then the returned failure")
}
