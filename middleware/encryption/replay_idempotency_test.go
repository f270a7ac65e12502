package encryption_test

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// At the library's defaults, a captured encrypted message replayed at any
// time the Decrypter still accepts it is a duplicate: the idempotency
// record outlives the Decrypter's window, and once the record is gone the
// Decrypter refuses the message as too old. The handler runs once.
func TestAReplayIsNeverHandledTwiceAtTheDefaults(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{},
		encryption.DecrypterConfig{Destination: func(*message.Message) string { return testDest }})
	store, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{Clock: f.clock})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, store.Close()) })
	idem, err := idempotency.NewMiddleware(store, idempotency.MiddlewareConfig{Consumer: "orders-handler", Clock: f.clock})
	require.NoError(t, err)
	runs := 0
	h := idem.Middleware(f.dec.Middleware(func(*message.Message) ([]*message.Message, error) {
		runs++
		return nil, nil
	}))
	captured := seal(t, f, `{"amount":7}`)
	_, err = h(captured.Copy())
	require.NoError(t, err)
	start := f.clock.Now()

	for _, c := range []struct {
		at      time.Duration
		expired bool
	}{
		{at: 5 * 24 * time.Hour},
		{at: encryption.DefaultMaxAge},
		{at: idempotency.DefaultTTL + time.Minute, expired: true},
	} {
		f.clock.Set(start.Add(c.at))
		store.Sweep()
		replay := captured.Copy()
		_, err = h(replay)
		if c.expired {
			require.ErrorIs(t, err, encryption.ErrExpired, "replay at +%s, its record gone", c.at)
			assert.True(t, sourceflow.IsPermanent(err))
		} else {
			require.NoError(t, err, "replay at +%s", c.at)
			assert.Equal(t, "true", replay.Metadata.Get(sourceflow.MetaDuplicate), "replay at +%s is a duplicate", c.at)
		}
		require.Equal(t, 1, runs, "replay at +%s handled again", c.at)
	}
}

// The defaults cannot drift apart: the idempotency middleware keeps its
// records at least as long as the Decrypter accepts a message at its
// defaults, dated ahead by the allowed clock skew.
func TestTheDefaultIdempotencyTTLCoversTheDefaultReplayWindow(t *testing.T) {
	assert.Equal(t, sourceflow.MaxDeliveryAge, encryption.DefaultMaxAge)
	assert.GreaterOrEqual(t, idempotency.DefaultTTL, encryption.DefaultMaxAge+encryption.DefaultMaxClockSkew)
}
