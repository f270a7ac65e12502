package tracing_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"

	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// RootConsumerSpans is for senders the service does not trust; its doc says
// that, with the no-op provider, the producer's context is not carried on
// to the handler. A sender's baggage is part of that context.
func TestMiddlewareRootConsumerSpansCarryNoSenderBaggageWithoutTracing(t *testing.T) {
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	tr, err := tracing.New(tracing.Config{RootConsumerSpans: true, Propagator: prop})
	require.NoError(t, err)
	member, err := baggage.NewMember("tenant", "someone-else")
	require.NoError(t, err)
	bag, err := baggage.New(member)
	require.NoError(t, err)
	msg := message.NewMessage("uuid-1", nil)
	prop.Inject(baggage.ContextWithBaggage(context.Background(), bag), tracing.MetadataCarrier(msg.Metadata))
	require.NotEmpty(t, msg.Metadata, "the sender's baggage is on the message")
	var handled baggage.Baggage

	_, err = tr.Middleware(func(m *message.Message) ([]*message.Message, error) {
		handled = baggage.FromContext(m.Context())
		return nil, nil
	})(msg)
	require.NoError(t, err)
	assert.Zero(t, handled.Len(), "the handler got the sender's baggage: %s", handled.String())
}
