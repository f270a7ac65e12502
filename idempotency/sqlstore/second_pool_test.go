package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	cqrssql "github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// viewWriter is a handler that stores one view model per message through
// views, the way a cqrs service's handler does.
func viewWriter(views cqrs.ViewStore) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		id := msg.Metadata.Get(sourceflow.MetaMessageID)
		return nil, views.Save(msg.Context(), "total", id, []byte(`{}`), 0)
	}
}

// TestStoresOnASecondPoolOfTheDatabaseAreRefused opens the cqrs stores on a
// second *sql.DB with the idempotency store's DSN. In the middleware's
// transactional mode the handler's write is refused, permanently and naming
// what to do, instead of committing apart from the claim; the claim is not
// completed, so the message is neither lost nor acknowledged, and once the
// stores share the idempotency store's *sql.DB its redelivery is handled.
func TestStoresOnASecondPoolOfTheDatabaseAreRefused(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			dsn := dsnFor(t, d.dialect, d.env)
			idem := openStore(t, d.dialect, d.env, sqlstore.Config{DSN: dsn})
			cfg := cqrssql.Config{Dialect: d.dialect, DSN: dsn, TablePrefix: uniqueTable() + "_"}
			second, err := cqrssql.Open(context.Background(), cfg)
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, second.Close()) })
			m, err := idempotency.NewMiddleware(idem, idempotency.MiddlewareConfig{Consumer: "views", Transactional: true,
				TxRetry: sourceflow.RetryPolicy{MaxRetries: -1}})
			require.NoError(t, err)

			_, err = m.Middleware(viewWriter(second.Views()))(txMessage("a"))
			require.ErrorIs(t, err, cqrssql.ErrSecondPool)
			assert.True(t, sourceflow.IsPermanent(err), "no retry helps: %v", err)
			assert.ErrorContains(t, err, "open every store on one *sql.DB")
			_, err = second.Views().Load(context.Background(), "total", "a")
			require.ErrorIs(t, err, cqrs.ErrNotFound, "nothing was written beside the claim's transaction")
			done, err := idem.Lookup(context.Background(), idempotency.Key{Consumer: "views", MessageID: "a"}, "")
			require.NoError(t, err)
			assert.False(t, done, "the message is not recorded as handled")

			cfg.DSN = ""
			shared, err := cqrssql.New(context.Background(), idem.DB(), cfg)
			require.NoError(t, err)
			_, err = m.Middleware(viewWriter(shared.Views()))(txMessage("a"))
			require.NoError(t, err, "the redelivery is handled once the stores share the pool")
			_, err = shared.Views().Load(context.Background(), "total", "a")
			require.NoError(t, err)
		})
	}
}

// TestStoreOnASecondPoolRefusesTheOthersTransaction is the other way
// round: the idempotency store on a second pool of the cqrs store's
// database refuses the cqrs store's transaction, in its methods and in
// WithinTx, rather than begin its own beside it.
func TestStoreOnASecondPoolRefusesTheOthersTransaction(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			dsn := dsnFor(t, d.dialect, d.env)
			idem := openStore(t, d.dialect, d.env, sqlstore.Config{DSN: dsn})
			st, err := cqrssql.Open(context.Background(), cqrssql.Config{Dialect: d.dialect,
				DSN: dsn, TablePrefix: uniqueTable() + "_"})
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, st.Close()) })
			k := idempotency.Key{Consumer: "c", MessageID: "m"}
			var claimErr, txErr error
			err = st.WithinTx(context.Background(), func(ctx context.Context) error {
				_, claimErr = idem.Claim(ctx, k, "", time.Minute)
				txErr = idem.WithinTx(ctx, func(context.Context) error { return nil })
				return errors.Join(claimErr, txErr)
			})
			require.ErrorIs(t, err, sqlstore.ErrSecondPool)
			require.ErrorIs(t, claimErr, sqlstore.ErrSecondPool)
			require.ErrorIs(t, txErr, sqlstore.ErrSecondPool)
			assert.True(t, sourceflow.IsPermanent(txErr))
			res, err := idem.Claim(context.Background(), k, "", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, idempotency.Acquired, res.Status, "the refused claim wrote nothing")
		})
	}
}
