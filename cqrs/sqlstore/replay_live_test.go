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

// newReplayApp returns a txApp set up as the README sets up a SQL
// database: a Store and its own stores, the transactional idempotency
// middleware on the views' database and an asynchronous ChannelTransport.
// The view models are in views, or the app's own database when views is
// nil; wrap, when given, wraps the view store. It returns the middleware
// too, whose Stats tell when the traffic has been handled.
func newReplayApp(t *testing.T, d dialect, views *sqlstore.Store, wrap func(cqrs.ViewStore) cqrs.ViewStore) (*txApp, *idempotency.Middleware) {
	t.Helper()
	ctx := context.Background()
	app := &txApp{store: d.open(t, sqlstore.Config{})}
	if views == nil {
		views = app.store
	}
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
	viewStore := views.Views()
	if wrap != nil {
		viewStore = wrap(viewStore)
	}
	app.svc, err = cqrs.NewService(cqrs.ServiceConfig{
		Name: "orders", Transport: app.tr, Listen: []string{"orders", "order-events"},
		CommandStore: app.store.Commands(), EntityStore: app.store.Entities(), ViewStore: viewStore,
		HandlerMiddleware: []message.HandlerMiddleware{mw.Middleware},
	})
	require.NoError(t, err)
	app.wire(t, nil)
	require.NoError(t, app.svc.Start(ctx))
	t.Cleanup(func() { assert.NoError(t, app.svc.Close()) })
	return app, mw
}

// replayWhileSending sends 200 commands to five entities while replaying
// o0 until they are handled, then replays o0 once more, and checks that
// every replay either stored or gave up on live saves (ErrConflict, as
// documented; the next one stores again), never failed otherwise (a replay
// that waited out a database lock fails: SQLITE_BUSY, a deadlock), that
// each entity's saga and view agree with its commands, and that nothing
// was dead-lettered.
func replayWhileSending(t *testing.T, app *txApp, mw *idempotency.Middleware) {
	t.Helper()
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
		_, err := app.svc.Replay(ctx, "o0")
		if !errors.Is(err, cqrs.ErrConflict) {
			require.NoError(t, err, "replay %d", replays)
		}
		require.Less(t, time.Since(begin), 5*time.Minute, "the traffic was not handled: %+v", mw.Stats())
	}
	require.NoError(t, <-sent)

	_, err := app.svc.Replay(ctx, "o0")
	require.NoError(t, err)
	for i := range entities {
		id := fmt.Sprintf("o%d", i)
		order, _, err := app.saga.Load(ctx, id)
		require.NoError(t, err)
		summary, _, err := app.summary.Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, txOrder{Amount: sends / entities, Commands: sends / entities}, order, id)
		assert.Equal(t, txSummary{Amount: sends / entities, Events: sends / entities}, summary, id)
	}
	assert.Zero(t, app.tr.DeadLetterCount())
}

// A replay racing live sends to its entity, with transactional idempotency,
// never waits out a database lock: on SQLite a live handling holds the
// database's write lock from the start of its transaction and then waits
// for the entity's lock, so a replay storing under the entity's lock would
// wait for the database until the 30 s busy timeout and fail with
// SQLITE_BUSY. On every database a live save between the replay's load and
// save makes the replay store again rather than fail. Once the traffic is
// handled, a replay leaves the saga and the view of the entity consistent,
// and nothing was dead-lettered.
func TestReplayRacingLiveSendsNeitherWaitsForTheDatabaseNorFails(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		app, mw := newReplayApp(t, d, nil, nil)
		replayWhileSending(t, app, mw)
	})
}

// A replay whose view model cannot be stored stores nothing: the saga
// state and the view model share the database, so they commit together or
// not at all, and the entity keeps the documents it had.
func TestAReplayThatFailsToStoreAViewLeavesTheSagaAsItWas(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		f := &faults{published: map[string]int{}}
		app, _ := newReplayApp(t, d, nil, func(v cqrs.ViewStore) cqrs.ViewStore { return faultyDocs{DocumentStore: v, f: f} })
		ctx := context.Background()
		agg := cqrs.NewAggregate(app.svc, "order")
		for range 2 {
			_, err := agg.Send(ctx, "e-1", txCreate{Amount: 5})
			require.NoError(t, err)
		}
		// An event is published before the saga's transaction commits, so
		// the view can show both events while the second command's saga
		// state is still uncommitted: wait for both stores to show both.
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			o, _, err := app.saga.Load(ctx, "e-1")
			assert.NoError(c, err)
			assert.Equal(c, txOrder{Amount: 10, Commands: 2}, o, "the saga applied both commands")
			s, _, err := app.summary.Get(ctx, "e-1")
			assert.NoError(c, err)
			assert.Equal(c, txSummary{Amount: 10, Events: 2}, s, "the view projected both events")
		}, 20*time.Second, 5*time.Millisecond)
		sagaBefore, err := app.store.Entities().Load(ctx, "order", "e-1")
		require.NoError(t, err)
		viewBefore, err := app.store.Views().Load(ctx, "summary", "e-1")
		require.NoError(t, err)

		f.mu.Lock()
		f.point, f.kind = "save", "summary"
		f.mu.Unlock()
		_, err = app.svc.Replay(ctx, "e-1")

		require.ErrorIs(t, err, errFault)
		assert.Contains(t, err.Error(), `cqrs: store replayed view summary "e-1"`)
		sagaAfter, err := app.store.Entities().Load(ctx, "order", "e-1")
		require.NoError(t, err)
		viewAfter, err := app.store.Views().Load(ctx, "summary", "e-1")
		require.NoError(t, err)
		assert.Equal(t, sagaBefore, sagaAfter, "the saga state was not stored")
		assert.Equal(t, viewBefore, viewAfter)
	})
}
