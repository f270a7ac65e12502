package idempotency_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// The MemoryStore refuses a key part longer than MaxKeyLength, as the
// other stores refuse one over their limits: MaxEntries bounds the number
// of records, and this their size.
func TestMemoryStoreRefusesAKeyPartOverMaxKeyLength(t *testing.T) {
	s := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	ctx := context.Background()
	longest := strings.Repeat("x", idempotency.MaxKeyLength)
	res, err := s.Claim(ctx, idempotency.Key{Consumer: longest, MessageID: longest}, "", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, idempotency.Acquired, res.Status)

	huge := strings.Repeat("x", 1<<20)
	for _, k := range []idempotency.Key{
		{Consumer: "c", MessageID: longest + "x"},
		{Consumer: longest + "x", MessageID: "m"},
		{Consumer: "c", MessageID: huge},
	} {
		_, err := s.Claim(ctx, k, "", time.Minute)
		require.ErrorIs(t, err, idempotency.ErrInvalidKey)
		assert.Less(t, len(err.Error()), 400, "the part is shown bounded")
		require.ErrorIs(t, s.Complete(ctx, k, "t", time.Hour), idempotency.ErrInvalidKey)
		require.ErrorIs(t, s.Extend(ctx, k, "t", time.Minute), idempotency.ErrInvalidKey)
		require.ErrorIs(t, s.Release(ctx, k, "t"), idempotency.ErrInvalidKey)
	}
	_, err = s.Claim(ctx, idempotency.Key{Consumer: "c", MessageID: huge}, "", time.Minute)
	assert.EqualError(t, err, "idempotency: invalid key: the message id is 1048576 bytes, over 191: "+
		strings.Repeat("x", 256)+"…(1048576 bytes)")
	assert.Equal(t, 1, s.Stats().Entries)
}
