package idempotency_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// cardDeclined is a handler's own error type.
type cardDeclined struct{ card string }

func (e *cardDeclined) Error() string { return "card declined: " + e.card }

// A handler's failure whose claim is released cleanly comes back as the
// handler's own error, not wrapped in a join of one, so what records it
// (a span's exception.type) names the handler's error type.
func TestMiddlewareReturnsTheHandlersOwnError(t *testing.T) {
	m := newMiddleware(t, newMemoryStore(t, idempotency.MemoryStoreConfig{}), idempotency.MiddlewareConfig{Consumer: "payments"})
	declined := &cardDeclined{card: "4242"}
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, declined })

	_, err := h(sfMessage("a", "p"))

	require.ErrorIs(t, err, declined)
	assert.Same(t, declined, err, "the handler's error, as it returned it")
	assert.Equal(t, uint64(1), m.Stats().Released)
}
