//go:build integration

package integration

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestSQLBusDepthsCountWhatAServiceHasYetToHandle: sqlbus.Depths reports,
// per destination, the messages a service's consumer group has yet to
// handle and the destination's dead letters. Commands sent before the
// worker ever subscribed are all ahead of it; once it handled two and
// dead-lettered the third, none is, while a group that never subscribed
// still has every one ahead.
func TestSQLBusDepthsCountWhatAServiceHasYetToHandle(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		queue := sqlbusName("depth", "")
		dropSQLBusTables(t, d, db, queue)
		cfg := sqlbusConfig(d, db)
		cfg.PruneInterval = -1 // every row stays, so the counts below are exact
		ctx := context.Background()
		depths := func(t require.TestingT, service string) (ahead, dead int64) {
			got, err := sqlbus.Depths(ctx, cfg, service, queue)
			require.NoError(t, err)
			require.Len(t, got, 2)
			assert.Equal(t, sourceflow.QueueDepth{Queue: queue, Visible: got[0].Visible}, got[0])
			assert.Equal(t, sourceflow.QueueDepth{Queue: queue, DLQ: true, Visible: got[1].Visible}, got[1])
			return got[0].Visible, got[1].Visible
		}
		ahead, dead := depths(t, "depth-worker")
		assert.Zero(t, ahead+dead, "a destination nothing was sent to yet has no table and no depth")

		service := func(name string, listen ...string) *cqrs.Service {
			svc := sqlbusService(t, cfg, cqrs.ServiceConfig{Name: name, Listen: listen,
				HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(t)}})
			require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", queue))
			return svc
		}
		sender := service("depth-sender")
		startModel(t, sender)
		agg := cqrs.NewAggregate(sender, "payment")
		for _, entity := range []string{"ok-1", "declined", "ok-2"} {
			_, err := agg.Send(ctx, entity, PayOrder{Amount: 1})
			require.NoError(t, err)
		}
		ahead, dead = depths(t, "depth-worker")
		assert.Equal(t, int64(3), ahead, "a group that has not subscribed yet has every message ahead")
		assert.Zero(t, dead)

		worker := service("depth-worker", queue)
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[Payment](worker, "payment"), func(_ context.Context, p *Payment, c PayOrder, env cqrs.Envelope) ([]any, error) {
			if env.EntityID == "declined" {
				return nil, sourceflow.Permanent(errors.New("card declined"))
			}
			p.Amount += c.Amount
			return nil, nil
		}))
		startModel(t, worker)
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			ahead, dead := depths(c, "depth-worker")
			assert.Zero(c, ahead)
			assert.Equal(c, int64(1), dead)
		}, 30*time.Second, 10*time.Millisecond, "the worker handled two commands and dead-lettered the third")
		ahead, dead = depths(t, "never-subscribed")
		assert.Equal(t, int64(3), ahead, "another group's position is not this one's")
		assert.Equal(t, int64(1), dead, "the dead letters are the destination's, whichever group reads")
	})
}

// TestSQLBusDepthsReportADestinationItCannotReadAndTheOthers: a destination
// whose table cannot be read (here, not a messages table at all) is left
// out with its error, and the depths of the others are still returned.
func TestSQLBusDepthsReportADestinationItCannotReadAndTheOthers(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		good, bad := sqlbusName("depthok", ""), sqlbusName("depthbad", "")
		dropSQLBusTables(t, d, db, good, bad)
		cfg := sqlbusConfig(d, db)
		publishRaw(t, cfg, good, message.NewMessage("m-1", []byte("{}")))
		_, err := db.Exec("CREATE TABLE " + quoteIdent(d, "watermill_"+sqlbus.Topic(bad)) + " (note INT)")
		require.NoError(t, err)
		got, err := sqlbus.Depths(context.Background(), cfg, "svc", bad, good)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `sqlbus: depth of "`+bad+`"`)
		assert.Equal(t, []sourceflow.QueueDepth{
			{Queue: good, Visible: 1},
			{Queue: good, DLQ: true},
		}, got)
	})
}
