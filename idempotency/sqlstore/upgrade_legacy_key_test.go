package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// TestTransactionalModeRecordOfPreviousRelease: in transactional mode, a
// typed message the previous release completed under its id alone is a
// duplicate: the handler does not run, and the completion of its claim
// commits, so the next delivery finds it under its own key.
func TestTransactionalModeRecordOfPreviousRelease(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			ctx := context.Background()
			s := openStore(t, d.dialect, d.env, sqlstore.Config{})
			l := newLedger(t, s, d.dialect)
			legacy := idempotency.Key{Consumer: "ledger", MessageID: "m-1"}
			res, err := s.Claim(ctx, legacy, "", time.Minute)
			require.NoError(t, err)
			require.NoError(t, s.Complete(ctx, legacy, res.Token, time.Hour))
			m, err := idempotency.NewMiddleware(s, idempotency.MiddlewareConfig{Consumer: "ledger", Transactional: true,
				LegacyKeysUntil: time.Now().Add(time.Hour)})
			require.NoError(t, err)
			h := m.Middleware(l.handle)
			for range 2 {
				_, err = h(txMessageOfType("m-1", "ledger.Entry"))
				require.NoError(t, err)
			}
			assert.Zero(t, l.runs, "the message the previous release completed was handled again")
			assert.Equal(t, uint64(2), m.Stats().Duplicates)
			typed, err := m.KeyOf(txMessageOfType("m-1", "ledger.Entry"))
			require.NoError(t, err)
			done, err := s.Lookup(ctx, typed, "")
			require.NoError(t, err)
			assert.True(t, done, "the claim's completion committed")
		})
	}
}

func txMessageOfType(id, typ string) *message.Message {
	msg := txMessage(id)
	msg.Metadata.Set(sourceflow.MetaType, typ)
	return msg
}
