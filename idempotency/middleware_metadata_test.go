package idempotency_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

// A message built as a literal, or read back from a row whose metadata is
// JSON null, has no metadata map. Its key is its UUID, and its duplicate is
// acknowledged and marked like any other, not a panic in the middleware.
func TestMiddlewareAcknowledgesTheDuplicateOfAMessageWithoutMetadata(t *testing.T) {
	rec := newRecorder()
	h := newMiddleware(t, newMemoryStore(t, idempotency.MemoryStoreConfig{}), idempotency.MiddlewareConfig{Consumer: "c"}).Middleware(rec.handle)

	_, err := h(&message.Message{UUID: "uuid-1"})
	require.NoError(t, err)
	again := &message.Message{UUID: "uuid-1"}
	assert.NotPanics(t, func() { _, err = h(again) })
	require.NoError(t, err)
	assert.Equal(t, 1, rec.count("uuid-1"), "the handler ran once")
	assert.Equal(t, "true", again.Metadata.Get(sourceflow.MetaDuplicate))
}
