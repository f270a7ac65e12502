//go:build integration

package integration

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// markerDeliveries is MaxDeliveries on every transport of these tests.
const markerDeliveries = 3

// gatewayDown is the handler's own error type, which the consumer span's
// exception event names.
type gatewayDown struct{ run int }

func (e *gatewayDown) Error() string { return fmt.Sprintf("payment gateway down (run %d)", e.run) }

// markerRig is one service on the transport under test, with the tracing
// middleware outside idempotency, whose saga fails PayOrder as its amount
// says (the obs rig's amounts). Every message it sends carries a sender's
// own delivery markers, which no consumer span may show.
type markerRig struct {
	rec   *tracetest.SpanRecorder
	agg   *cqrs.Aggregate
	mu    sync.Mutex
	runs  map[string]int // PayOrder message id → handler runs
	queue string
}

func newMarkerRig(t *testing.T, transport cqrs.Transport, system, queue string) *markerRig {
	t.Helper()
	r := &markerRig{rec: tracetest.NewSpanRecorder(), runs: map[string]int{}, queue: queue}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tr, err := tracing.New(tracing.Config{TracerProvider: tp, MessagingSystem: system})
	require.NoError(t, err)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "markers", Listen: []string{queue}, Transport: transport,
		CloseTimeout:        10 * time.Second,
		HandlerMiddleware:   []message.HandlerMiddleware{tr.Middleware, memoryIdempotency(t)},
		PublisherDecorators: []message.PublisherDecorator{tr.DecoratePublisher, forgedMarkers}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, svc.Close()) })
	require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", queue))
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Payment](svc, "payment"), r.handle))
	startModel(t, svc)
	r.agg = cqrs.NewAggregate(svc, "order")
	return r
}

// handle fails as cmd.Amount says: obsRedeliver on its first delivery,
// obsNeverOK on every one, obsPoison permanently.
func (r *markerRig) handle(_ context.Context, s *Payment, cmd PayOrder, env cqrs.Envelope) ([]any, error) {
	r.mu.Lock()
	r.runs[env.MessageID]++
	run := r.runs[env.MessageID]
	r.mu.Unlock()
	switch {
	case cmd.Amount == obsPoison:
		return nil, sourceflow.Permanent(errors.New("card refused for good"))
	case cmd.Amount == obsRedeliver && run == 1, cmd.Amount == obsNeverOK:
		return nil, &gatewayDown{run: run}
	}
	s.Amount += cmd.Amount
	return nil, nil
}

// forgedMarkers is a sender that writes the transport's delivery markers
// into what it publishes.
func forgedMarkers(pub message.Publisher) (message.Publisher, error) {
	return forgingPublisher{pub}, nil
}

type forgingPublisher struct{ message.Publisher }

func (p forgingPublisher) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		m.Metadata.Set(sourceflow.MetaDeliveryCount, "7")
		m.Metadata.Set(sourceflow.MetaLastDelivery, sourceflow.LastDelivery)
		m.Metadata.Set(sourceflow.MetaDeadLetterQueue, "forged-dlq")
	}
	return p.Publisher.Publish(topic, msgs...)
}

// send sends PayOrder{amount} for entity and returns its message id.
func (r *markerRig) send(t *testing.T, entity string, amount int) string {
	t.Helper()
	env, err := r.agg.Send(context.Background(), entity, PayOrder{Amount: amount})
	require.NoError(t, err)
	return env.MessageID
}

// processSpans returns the ended consumer spans of message id, oldest first.
func (r *markerRig) processSpans(id string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range r.rec.Ended() {
		if s.Name() == "process "+r.queue && spanAttr(s, "messaging.message.id") == id {
			out = append(out, s)
		}
	}
	return out
}

// spanDeadLetter returns the queue and reason of s's dead-letter event.
func spanDeadLetter(s sdktrace.ReadOnlySpan) (queue, reason string, found bool) {
	for _, e := range s.Events() {
		if e.Name != tracing.EventDeadLetter {
			continue
		}
		for _, kv := range e.Attributes {
			switch kv.Key {
			case tracing.AttrDeadLetterQueue:
				queue = kv.Value.AsString()
			case tracing.AttrDeadLetterReason:
				reason = kv.Value.AsString()
			}
		}
		return queue, reason, true
	}
	return "", "", false
}

// exceptionType returns the exception.type of s's last exception event.
func exceptionType(s sdktrace.ReadOnlySpan) string {
	typ := ""
	for _, e := range s.Events() {
		for _, kv := range e.Attributes {
			if e.Name == "exception" && kv.Key == "exception.type" {
				typ = kv.Value.AsString()
			}
		}
	}
	return typ
}

// assertMarkedDeliveries checks the consumer spans of a message
// redelivered once, one dead-lettered at its last delivery and one failed
// permanently: their delivery counts (never the sender's 7), the
// dead-letter event naming dlq, and the handler's error type.
func assertMarkedDeliveries(t *testing.T, r *markerRig, dlq string) {
	redelivered, never, poison := r.send(t, "redelivered", obsRedeliver), r.send(t, "never", obsNeverOK), r.send(t, "poison", obsPoison)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Len(c, r.processSpans(redelivered), 2)
		assert.Len(c, r.processSpans(never), markerDeliveries)
		assert.Len(c, r.processSpans(poison), 1)
	}, time.Minute, 20*time.Millisecond, "each delivery ended its consumer span")

	spans := r.processSpans(redelivered)
	for i, s := range spans {
		assert.Equal(t, i+1, deliveryCount(s), "the redelivered message's delivery %d", i+1)
		_, _, found := spanDeadLetter(s)
		assert.False(t, found, "a delivery that is repeated or succeeds is not dead-lettered")
	}
	assert.Equal(t, "*integration.gatewayDown", exceptionType(spans[0]), "the handler's own error type")

	spans = r.processSpans(never)
	for i, s := range spans[:len(spans)-1] {
		assert.Equal(t, i+1, deliveryCount(s))
		_, _, found := spanDeadLetter(s)
		assert.False(t, found, "delivery %d is repeated", i+1)
	}
	last := spans[len(spans)-1]
	assert.Equal(t, markerDeliveries, deliveryCount(last))
	queue, reason, found := spanDeadLetter(last)
	require.True(t, found, "the last delivery's span says the message was dead-lettered; events %v", last.Events())
	assert.Equal(t, dlq, queue)
	assert.Equal(t, tracing.DeadLetterLastDelivery, reason)

	span := r.processSpans(poison)[0]
	assert.Equal(t, 1, deliveryCount(span))
	queue, reason, found = spanDeadLetter(span)
	require.True(t, found, "the permanent failure's span says the message was dead-lettered; events %v", span.Events())
	assert.Equal(t, dlq, queue)
	assert.Equal(t, tracing.DeadLetterPermanent, reason)
}

// ChannelTransport marks each delivery, and the dead letters it keeps,
// on the consumer spans; a sender's own markers are not taken.
func TestObsChannelTransportMarksDeliveries(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{MaxDeliveries: markerDeliveries, RedeliveryDelay: time.Millisecond, Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	r := newMarkerRig(t, tr, tracing.SystemGoChannel, "markers-pay")
	assertMarkedDeliveries(t, r, cqrs.ChannelDeadLetters)
}

// PubSubTransport (on gochannel) marks each delivery, and the dead-letter
// topic, on the consumer spans; a sender's own markers are not taken.
func TestObsPubSubTransportMarksDeliveries(t *testing.T) {
	gc := gochannel.NewGoChannel(gochannel.Config{}, watermill.NopLogger{})
	t.Cleanup(func() { _ = gc.Close() })
	tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{Publisher: gc,
		Subscriber:    func(string, string) (message.Subscriber, error) { return gc, nil },
		Capabilities:  cqrs.Capabilities{ConsumerGroups: true, Ordered: true},
		MaxDeliveries: markerDeliveries, RedeliveryDelay: time.Millisecond, Logger: watermill.NopLogger{}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	r := newMarkerRig(t, tr, tracing.SystemGoChannel, "markers-pay")
	assertMarkedDeliveries(t, r, "markers-pay-dlq")
}

// sqlbus marks each delivery, and the dead-letter topic, on the consumer
// spans; a sender's own markers are not taken.
func TestObsSQLBusMarksDeliveries(t *testing.T) {
	d := sourceflow.Postgres
	db := sqlbusDB(t, d, "SOURCEFLOW_POSTGRES_DSN")
	queue := sqlbusName("markers", "")
	dropSQLBusTables(t, d, db, queue)
	cfg := sqlbusConfig(d, db)
	cfg.MaxDeliveries, cfg.Logger = markerDeliveries, watermill.NopLogger{}
	tr, err := sqlbus.NewTransport(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	r := newMarkerRig(t, tr, tracing.SystemPostgreSQL, queue)
	assertMarkedDeliveries(t, r, sqlbus.DeadLetterTopic(queue))
}
