package middleware_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware"
)

func TestStack_InsertPlacesNextToTheNamedEntry(t *testing.T) {
	var s middleware.Stack
	var r recorder
	require.NoError(t, s.Use(middleware.ConsumeTracing, "otel", r.around("otel")))
	require.NoError(t, s.Use(middleware.ConsumeTracing, "logs", r.around("logs")))
	require.NoError(t, s.Insert("otel", middleware.Before, "correlation", r.around("correlation")))
	require.NoError(t, s.Insert("otel", middleware.After, "baggage", r.around("baggage")))
	require.NoError(t, s.Decorate(middleware.ProduceTracing, "otel", r.aroundPublish("p-otel")))
	require.NoError(t, s.InsertDecorator("otel", middleware.Before, "correlation", r.aroundPublish("p-correlation")))

	assert.Contains(t, s.String(), "tracing(correlation, otel, baggage, logs)")
	assert.Contains(t, s.String(), "produce: tracing(correlation, otel) → transport")
	_, err := s.WrapHandler(func(*message.Message) ([]*message.Message, error) { return nil, nil })(message.NewMessage(watermill.NewUUID(), nil))
	require.NoError(t, err)
	assert.Equal(t, []string{"correlation-before", "otel-before", "baggage-before", "logs-before",
		"logs-after", "baggage-after", "otel-after", "correlation-after"}, r.list())
}

func TestStack_InsertAtOneAnchorKeepsEachEntryNextToIt(t *testing.T) {
	var s middleware.Stack
	var r recorder
	require.NoError(t, s.Use(middleware.ConsumeTracing, "otel", r.around("otel")))
	for _, name := range []string{"b1", "b2"} {
		require.NoError(t, s.Insert("otel", middleware.Before, name, r.around(name)))
	}
	for _, name := range []string{"a1", "a2"} {
		require.NoError(t, s.Insert("otel", middleware.After, name, r.around(name)))
	}
	require.NoError(t, s.Insert("a1", middleware.After, "a3", r.around("a3")))

	assert.Contains(t, s.String(), "tracing(b1, b2, otel, a2, a1, a3)")
	_, err := s.WrapHandler(func(*message.Message) ([]*message.Message, error) { return nil, nil })(message.NewMessage(watermill.NewUUID(), nil))
	require.NoError(t, err)
	assert.Equal(t, []string{"b1-before", "b2-before", "otel-before", "a2-before", "a1-before", "a3-before"}, r.list()[:6])
}

func TestStack_InsertRejectsBadInput(t *testing.T) {
	tests := []struct {
		name, anchor, entry string
		place               middleware.Place
		m                   message.HandlerMiddleware
		wantErr             error
	}{
		{"unknown anchor", "nobody", "x", middleware.Before, passThrough, middleware.ErrUnknownName},
		{"anchor in two phases", "otel", "x", middleware.Before, passThrough, middleware.ErrAmbiguousName},
		{"duplicate name in the anchor's phase", "retry", "taken", middleware.After, passThrough, middleware.ErrDuplicateName},
		{"empty name", "retry", "", middleware.After, passThrough, middleware.ErrEmptyName},
		{"nil middleware", "retry", "x", middleware.After, nil, middleware.ErrNilMiddleware},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s middleware.Stack
			require.NoError(t, s.Use(middleware.ConsumeTracing, "otel", passThrough))
			require.NoError(t, s.Use(middleware.ConsumeMetrics, "otel", passThrough))
			require.NoError(t, s.Use(middleware.ConsumeRetry, "retry", passThrough))
			require.NoError(t, s.Use(middleware.ConsumeRetry, "taken", passThrough))
			before := s.String()
			require.ErrorIs(t, s.Insert(tt.anchor, tt.place, tt.entry, tt.m), tt.wantErr)
			assert.Equal(t, before, s.String(), "a rejected insert leaves the Stack unchanged")
		})
	}
	var s middleware.Stack
	require.NoError(t, s.Use(middleware.ConsumeRetry, "retry", passThrough))
	assert.Error(t, s.Insert("retry", 0, "x", passThrough), "a place must be Before or After")
}

func TestStack_AddRegistersBothSidesAllOrNothing(t *testing.T) {
	var s middleware.Stack
	require.NoError(t, s.Add(
		middleware.Step{Name: "recover", Consume: middleware.ConsumeRecover, Middleware: passThrough},
		middleware.Step{Name: "otel", Consume: middleware.ConsumeTracing, Middleware: passThrough,
			Produce: middleware.ProduceTracing, Decorator: passThroughPub},
	))
	assert.Equal(t, "consume: recover(recover) → tracing(otel) → handler; produce: tracing(otel) → transport", s.String())
	before := s.String()
	err := s.Add(
		middleware.Step{Name: "fine", Consume: middleware.ConsumeRetry, Middleware: passThrough},
		middleware.Step{Name: "otel", Produce: middleware.ProduceTracing, Decorator: passThroughPub},
		middleware.Step{Name: "sideless"},
		middleware.Step{Name: "phaseless", Middleware: passThrough, Produce: middleware.ProduceMetrics, Decorator: passThroughPub},
	)
	require.ErrorIs(t, err, middleware.ErrDuplicateName)
	require.ErrorIs(t, err, middleware.ErrUnknownPhase, "every problem is reported")
	assert.Equal(t, before, s.String(), "nothing of a failed Add is kept")
}
