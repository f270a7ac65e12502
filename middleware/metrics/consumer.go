package metrics

import (
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/sourceflow-go/sourceflow"
)

// Middleware is the consume-side message.HandlerMiddleware. Per message it
// adds one to NameMessageReceived on entry and, when the inner pipeline
// returns, one to NameMessageProcessed and a NameMessageProcessingDuration
// sample (seconds), with attributes sourceflow.type,
// messaging.destination.name (the router's subscribed topic) and
// sourceflow.outcome: OutcomeError when the pipeline returned an error (plus
// error.type "permanent" or "transient"), OutcomeDuplicate when
// Config.IsDuplicate says so, else OutcomeSuccess.
//
// Place it after tracing and before idempotency, so duplicates are counted.
func (m *Metrics) Middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		typ := messageType(msg)
		dest := AttrDestination.String(message.SubscribeTopicFromCtx(msg.Context()))
		ctx := msg.Context()
		m.consume.received.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(typ, dest)))

		start := time.Now()
		produced, err := h(msg)
		elapsed := time.Since(start).Seconds()

		opt := metric.WithAttributeSet(m.outcomeSet(msg, err, typ, dest))
		m.consume.processed.Add(ctx, 1, opt)
		m.consume.duration.Record(ctx, elapsed, opt)
		return produced, err
	}
}

func (m *Metrics) outcomeSet(msg *message.Message, err error, typ, dest attribute.KeyValue) attribute.Set {
	switch {
	case err != nil:
		return attribute.NewSet(typ, dest, AttrOutcome.String(OutcomeError), errorType(err))
	case m.isDuplicate(msg):
		return attribute.NewSet(typ, dest, AttrOutcome.String(OutcomeDuplicate))
	}
	return attribute.NewSet(typ, dest, AttrOutcome.String(OutcomeSuccess))
}

func errorType(err error) attribute.KeyValue {
	if sourceflow.IsPermanent(err) {
		return AttrErrorType.String("permanent")
	}
	return AttrErrorType.String("transient")
}

// messageType is the sourceflow.type attribute of msg.
func messageType(msg *message.Message) attribute.KeyValue {
	if t := msg.Metadata.Get(sourceflow.MetaType); t != "" {
		return AttrType.String(t)
	}
	return AttrType.String(unknownType)
}
