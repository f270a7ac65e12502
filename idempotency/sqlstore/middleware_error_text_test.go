package sqlstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// takenOver is a store whose completions find the claim taken over.
type takenOver struct{ *sqlstore.Store }

func (s takenOver) Complete(ctx context.Context, key idempotency.Key, _ string, ttl time.Duration) error {
	return s.Store.Complete(ctx, key, "another delivery's token", ttl)
}

// The middleware's error of a failed store operation names the operation
// and the key once, though this store's error names them too, and
// errors.Is still reaches idempotency's sentinel (a closed store's is
// idempotency.ErrClosed).
func TestMiddlewareErrorOfThisStoreNamesTheOperationAndKeyOnce(t *testing.T) {
	failing := func(s *sqlstore.Store) message.HandlerFunc {
		return func(*message.Message) ([]*message.Message, error) {
			require.NoError(t, s.Close())
			return nil, errors.New("handler failed")
		}
	}
	for name, tc := range map[string]struct {
		run      func(t *testing.T, s *sqlstore.Store) error
		sentinel error
		want     string
	}{
		"claim": {func(t *testing.T, s *sqlstore.Store) error {
			require.NoError(t, s.Close())
			return handle(t, s, func(*message.Message) ([]*message.Message, error) { return nil, nil })
		}, idempotency.ErrClosed, "idempotency: sqlstore: claim c/0::m-1: store closed"},
		"complete": {func(t *testing.T, s *sqlstore.Store) error {
			return handle(t, takenOver{s}, func(*message.Message) ([]*message.Message, error) { return nil, nil })
		}, idempotency.ErrLeaseLost, "idempotency: sqlstore: complete c/0::m-1: lease lost"},
		"release": {func(t *testing.T, s *sqlstore.Store) error {
			return handle(t, s, failing(s))
		}, idempotency.ErrClosed, "idempotency: sqlstore: release c/0::m-1: store closed"},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := sqlstore.Open(context.Background(), sqlstore.Config{
				Dialect: sourceflow.SQLite, DSN: "file:" + filepath.Join(t.TempDir(), "idem.db"), Table: "idem",
			})
			require.NoError(t, err)
			t.Cleanup(func() { _ = s.Close() })

			err = tc.run(t, s)

			require.ErrorIs(t, err, tc.sentinel)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, 1, strings.Count(err.Error(), name+" c/0::m-1"), "%q", err)
		})
	}
}

// handle runs h under the idempotency middleware on store, for consumer c
// and message m-1.
func handle(t *testing.T, store idempotency.Store, h message.HandlerFunc) error {
	t.Helper()
	m, err := idempotency.NewMiddleware(store, idempotency.MiddlewareConfig{Consumer: "c"})
	require.NoError(t, err)
	msg := message.NewMessage(watermill.NewUUID(), []byte("p"))
	msg.Metadata.Set(sourceflow.MetaMessageID, "m-1")
	_, err = m.Middleware(h)(msg)
	return err
}
