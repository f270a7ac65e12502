package idempotency_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// ctxStore fails a Complete made with a cancelled context, as a SQL store
// does; cancelDuring, when set, is called inside the first Complete, as a
// shutdown arriving during the call.
type ctxStore struct {
	idempotency.Store
	cancelDuring func()
	calls        int
}

func (s *ctxStore) Complete(ctx context.Context, key idempotency.Key, token string, ttl time.Duration) error {
	s.calls++
	if s.cancelDuring != nil {
		s.cancelDuring()
		s.cancelDuring = nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.Store.Complete(ctx, key, token, ttl)
}

func TestMiddlewareRecordsTheCompletionWhenTheContextEnds(t *testing.T) {
	for name, during := range map[string]bool{"before the call": false, "during the call": true} {
		t.Run(name, func(t *testing.T) {
			mem := newMemoryStore(t, idempotency.MemoryStoreConfig{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			store := &ctxStore{Store: mem}
			if during {
				store.cancelDuring = cancel
			}
			m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c"})
			msg := sfMessage("a", "p")
			msg.SetContext(ctx)
			_, err := m.Middleware(func(*message.Message) ([]*message.Message, error) {
				if !during {
					cancel() // shutdown as the handler finishes
				}
				return nil, nil
			})(msg)
			require.NoError(t, err)
			assert.Equal(t, uint64(1), m.Stats().Completed)
			assert.Zero(t, m.Stats().StoreErrors)
			res, err := mem.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "0::a"}, "", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, idempotency.Completed, res.Status, "the completion was recorded")
		})
	}
}
