package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

type fakePublisher struct {
	err   error
	calls int
}

func (p *fakePublisher) Publish(string, ...*message.Message) error { p.calls++; return p.err }
func (p *fakePublisher) Close() error                              { return nil }

// TestPublisherDecoratorRecordsPerKind is long because of its case table.
func TestPublisherDecoratorRecordsPerKind(t *testing.T) {
	boom := errors.New("throttled")
	tests := map[string]struct {
		kind                sourceflow.Kind
		err                 error
		counter, other, dur string
		untouched           []string
	}{
		"command sent": {
			kind: sourceflow.KindCommand, counter: metrics.NameCommandDispatched,
			other: metrics.NameCommandDispatchError, dur: metrics.NameCommandDispatchDuration,
			untouched: []string{metrics.NameEventPublished, metrics.NameEventPublishError, metrics.NameEventPublishDuration},
		},
		"command failed": {
			kind: sourceflow.KindCommand, err: boom, counter: metrics.NameCommandDispatchError,
			other: metrics.NameCommandDispatched, dur: metrics.NameCommandDispatchDuration,
			untouched: []string{metrics.NameEventPublished, metrics.NameEventPublishError},
		},
		"event published": {
			kind: sourceflow.KindEvent, counter: metrics.NameEventPublished,
			other: metrics.NameEventPublishError, dur: metrics.NameEventPublishDuration,
			untouched: []string{metrics.NameCommandDispatched, metrics.NameCommandDispatchError, metrics.NameCommandDispatchDuration},
		},
		"event failed": {
			kind: sourceflow.KindEvent, err: boom, counter: metrics.NameEventPublishError,
			other: metrics.NameEventPublished, dur: metrics.NameEventPublishDuration,
			untouched: []string{metrics.NameCommandDispatched, metrics.NameCommandDispatchError},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m, reader := recordingMetrics(t, metrics.Config{})
			inner := &fakePublisher{err: tc.err}
			pub, err := m.DecoratePublisherAs(tc.kind)(inner)
			require.NoError(t, err)

			msgs := []*message.Message{typed("orders.A"), typed("orders.A"), typed("orders.B")}
			err = pub.Publish("orders", msgs...)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, 1, inner.calls, "one inner call per Publish")

			got := collect(t, reader)
			typeA := attrs("sourceflow.type", "orders.A", "messaging.destination.name", "orders")
			typeB := attrs("sourceflow.type", "orders.B", "messaging.destination.name", "orders")
			n, _ := got.sum(tc.counter, typeA)
			assert.Equal(t, int64(2), n)
			n, _ = got.sum(tc.counter, typeB)
			assert.Equal(t, int64(1), n)
			assert.Zero(t, got.points(tc.other))
			count, _ := got.histogramCount(tc.dur, typeA)
			assert.Equal(t, uint64(2), count, "one duration sample per message")
			for _, name := range tc.untouched {
				assert.Zero(t, got.points(name), name)
			}
		})
	}
}

func TestPublisherDecoratorUnknownTypeAttribute(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	pub, err := m.DecoratePublisherAs(sourceflow.KindEvent)(&fakePublisher{})
	require.NoError(t, err)

	require.NoError(t, pub.Publish("audit", message.NewMessage("u-1", nil)))

	n, ok := collect(t, reader).sum(metrics.NameEventPublished,
		attrs("sourceflow.type", "unknown", "messaging.destination.name", "audit"))
	require.True(t, ok)
	assert.Equal(t, int64(1), n)
}

func TestPublisherDecoratorRejectsBadInput(t *testing.T) {
	m, err := metrics.New(metrics.Config{})
	require.NoError(t, err)

	pub, err := m.DecoratePublisherAs(sourceflow.Kind(99))(&fakePublisher{})
	require.ErrorIs(t, err, metrics.ErrUnknownKind)
	assert.Nil(t, pub)

	pub, err = m.DecoratePublisherAs(sourceflow.KindCommand)(nil)
	require.ErrorIs(t, err, metrics.ErrNilPublisher)
	assert.Nil(t, pub)
}

func typed(typ string) *message.Message {
	msg := message.NewMessage("u-"+typ, nil)
	msg.Metadata.Set(sourceflow.MetaType, typ)
	return msg
}

// TestManyTypesAreAllCounted crosses the bound of the attribute-set cache:
// types beyond it are still counted, under the one type OtherType, so a
// producer sending junk types cannot grow the series without bound.
func TestManyTypesAreAllCounted(t *testing.T) {
	const bound = 128 // types with series of their own on one destination
	const types = bound + 50
	m, reader := recordingMetrics(t, metrics.Config{})
	pub, err := m.DecoratePublisherAs(sourceflow.KindCommand)(&fakePublisher{})
	require.NoError(t, err)

	for i := range types {
		require.NoError(t, pub.Publish("orders", typed(fmt.Sprintf("orders.T%d", i))))
	}
	require.NoError(t, pub.Publish("orders", typed(fmt.Sprintf("orders.T%d", bound+10))))

	got := collect(t, reader)
	assert.Equal(t, bound+1, got.points(metrics.NameCommandDispatched), "bound series of their own and one for the rest")
	n, _ := got.sum(metrics.NameCommandDispatched,
		attrs("sourceflow.type", metrics.OtherType, "messaging.destination.name", "orders"))
	assert.Equal(t, int64(50+1), n, "every type past the bound is counted as other")
	n, _ = got.sum(metrics.NameCommandDispatched,
		attrs("sourceflow.type", "orders.T5", "messaging.destination.name", "orders"))
	assert.Equal(t, int64(1), n, "a type within the bound keeps its own series")

	require.NoError(t, pub.Publish("payments", typed("payments.Paid")))
	got = collect(t, reader)
	n, _ = got.sum(metrics.NameCommandDispatched,
		attrs("sourceflow.type", "payments.Paid", "messaging.destination.name", "payments"))
	assert.Equal(t, int64(1), n, "junk on one destination leaves another's types alone")
}

func TestPublisherDecoratorTakesTheKindFromTheMessageContext(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	pub, err := m.DecoratePublisher(&fakePublisher{})
	require.NoError(t, err)

	cmd := typed("orders.CreateOrder")
	cmd.SetContext(sourceflow.ContextWithKind(context.Background(), sourceflow.KindCommand))
	evt := typed("orders.OrderCreated")
	evt.SetContext(sourceflow.ContextWithKind(context.Background(), sourceflow.KindEvent))
	require.NoError(t, pub.Publish("mixed", cmd, evt, typed("orders.Unmarked")))

	c := collect(t, reader)
	n, ok := c.sum(metrics.NameCommandDispatched, attrs("sourceflow.type", "orders.CreateOrder", "messaging.destination.name", "mixed"))
	require.True(t, ok)
	assert.Equal(t, int64(1), n)
	n, ok = c.sum(metrics.NameEventPublished, attrs("sourceflow.type", "orders.OrderCreated", "messaging.destination.name", "mixed"))
	require.True(t, ok)
	assert.Equal(t, int64(1), n)
	n, ok = c.sum(metrics.NameEventPublished, attrs("sourceflow.type", "orders.Unmarked", "messaging.destination.name", "mixed"))
	require.True(t, ok, "a message without a kind falls back to the decorator's kind (events for 0)")
	assert.Equal(t, int64(1), n)
	_, ok = c.sum(metrics.NameCommandDispatched, attrs("sourceflow.type", "orders.OrderCreated", "messaging.destination.name", "mixed"))
	assert.False(t, ok)
}
