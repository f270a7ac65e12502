package idempotencytest

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// bareStore is an idempotency.Store with none of the optional methods.
type bareStore struct{ idempotency.Store }

func TestOptionalReturnsTheMethodsInterface(t *testing.T) {
	s, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
	require.NoError(t, err)
	c := optional[io.Closer](t, s, "Close")
	assert.Same(t, s, c)
	assert.Same(t, s, optional[idempotency.Looker](t, s, "Lookup"))
	require.NoError(t, c.Close())
}

func TestOptionalSkipsAStoreWithoutTheMethod(t *testing.T) {
	var inner *testing.T
	reached := false
	t.Run("without Lookup", func(t *testing.T) {
		inner = t
		optional[idempotency.Looker](t, bareStore{}, "Lookup")
		reached = true
	})
	assert.True(t, inner.Skipped(), "a store without Lookup skips the test")
	assert.False(t, reached, "the test stops at the skip")
}
