package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/idempotency"
	idemsql "github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// newTwoDBApp returns a txApp whose commands and saga states are in one
// database and whose view models are in another, with the transactional
// idempotency middleware on the views' database: a command's handling
// holds that database's transaction while its saga stores in the other.
func newTwoDBApp(t *testing.T, d dialect) (*txApp, *sqlstore.Store, *idempotency.Middleware) {
	t.Helper()
	ctx := context.Background()
	app := &txApp{store: d.open(t, sqlstore.Config{})}
	views := d.open(t, sqlstore.Config{})
	table := uniquePrefix() + "idem"
	idem, err := idemsql.New(ctx, views.DB(), idemsql.Config{Dialect: d.dialect, Table: table})
	require.NoError(t, err)
	t.Cleanup(func() {
		assert.NoError(t, idem.Close())
		for _, tbl := range []string{table, table + "_version"} {
			_, err := views.DB().Exec("DROP TABLE IF EXISTS " + tbl)
			assert.NoError(t, err)
		}
	})
	mw, err := idempotency.NewMiddleware(idem, idempotency.MiddlewareConfig{Transactional: true})
	require.NoError(t, err)
	app.tr, err = cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, app.tr.Close()) })
	app.svc, err = cqrs.NewService(cqrs.ServiceConfig{
		Name: "orders", Transport: app.tr, Listen: []string{"orders", "order-events"},
		CommandStore: app.store.Commands(), EntityStore: app.store.Entities(), ViewStore: views.Views(),
		HandlerMiddleware: []message.HandlerMiddleware{mw.Middleware},
	})
	require.NoError(t, err)
	app.wire(t, nil)
	require.NoError(t, app.svc.Start(ctx))
	t.Cleanup(func() { assert.NoError(t, app.svc.Close()) })
	return app, views, mw
}

// With the saga states and the view models in two databases, a replay
// stores them in two transactions, one after the other: were it to hold
// the saga states' database while it waits for the views', a live handling
// holding the views' database (its idempotency transaction) while its saga
// waits for the other would keep both waiting, on SQLite until the 30 s
// busy timeout.
func TestReplayRacingLiveSendsWithStoresOnTwoDatabasesNeverWaitsForThem(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		app, _, mw := newTwoDBApp(t, d)
		ctx := context.Background()
		const sends, entities = 200, 5
		agg := cqrs.NewAggregate(app.svc, "order")
		sent := make(chan error, 1)
		go func() {
			for i := range sends {
				if _, err := agg.Send(ctx, fmt.Sprintf("o%d", i%entities), txCreate{Amount: 1}); err != nil {
					sent <- err
					return
				}
			}
			sent <- nil
		}()
		begin := time.Now()
		for replays := 0; replays < 3 || mw.Stats().Completed < 2*sends; replays++ {
			// A replay that waited out a database lock fails (SQLITE_BUSY, a
			// deadlock); one that lost every try to live saves gives up with
			// ErrConflict, as documented, and the next one stores again.
			_, err := app.svc.Replay(ctx, "o0")
			if !errors.Is(err, cqrs.ErrConflict) {
				require.NoError(t, err, "replay %d", replays)
			}
			require.Less(t, time.Since(begin), 5*time.Minute, "the traffic was not handled: %+v", mw.Stats())
		}
		require.NoError(t, <-sent)

		_, err := app.svc.Replay(ctx, "o0")
		require.NoError(t, err)
		order, _, err := app.saga.Load(ctx, "o0")
		require.NoError(t, err)
		summary, _, err := app.summary.Get(ctx, "o0")
		require.NoError(t, err)
		assert.Equal(t, txOrder{Amount: sends / entities, Commands: sends / entities}, order)
		assert.Equal(t, txSummary{Amount: sends / entities, Events: sends / entities}, summary)
		assert.Zero(t, app.tr.DeadLetterCount())
	})
}
