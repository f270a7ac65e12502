//go:build integration

package integration

import (
	"context"
	"database/sql"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestSQLBusRedriveSendsDeadLettersBackOnceTheirCauseIsFixed: commands a
// saga refused are dead-lettered; once the saga accepts them, two Redrive
// calls running together move each dead letter back once, with its message
// id and without its reason, and the saga handles them.
func TestSQLBusRedriveSendsDeadLettersBackOnceTheirCauseIsFixed(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		queue := sqlbusName("redrive", "")
		dropSQLBusTables(t, d, db, queue)
		cfg := sqlbusConfig(d, db)
		cfg.PruneInterval = -1 // the table keeps every row, to be read below
		runs := &ledger{}
		var refusing atomic.Bool
		refusing.Store(true)
		svc := payWorker(t, cfg, "redrive-worker", queue, runs, &refusing)
		startModel(t, svc)

		ctx, agg := context.Background(), cqrs.NewAggregate(svc, "payment")
		refused := map[string]bool{}
		for _, entity := range []string{"declined-1", "ok", "declined-2"} {
			env, err := agg.Send(ctx, entity, PayOrder{Amount: 1})
			require.NoError(t, err)
			if entity != "ok" {
				refused[env.MessageID] = true
			}
		}
		var dead []cqrs.DeadLetter
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			var err error
			dead, _, err = sqlbus.DeadLetters(ctx, cfg, queue, sqlbus.DeadLetterQuery{Max: 1000})
			require.NoError(c, err)
			assert.Len(c, distinctIDs(dead), len(refused))
			assert.Len(c, runs.messageIDs(svc.Name(), hPay), 1)
		}, 30*time.Second, 10*time.Millisecond, "the refused commands are dead-lettered, the other handled")

		refusing.Store(false)
		dead, _, err := sqlbus.DeadLetters(ctx, cfg, queue, sqlbus.DeadLetterQuery{Max: 1000})
		require.NoError(t, err)
		var moved atomic.Int64
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				n, err := sqlbus.Redrive(ctx, cfg, queue)
				assert.NoError(t, err)
				moved.Add(int64(n))
			})
		}
		wg.Wait()
		assert.Equal(t, int64(len(dead)), moved.Load(), "each dead letter is moved once, whichever call moved it")
		left, _, err := sqlbus.DeadLetters(ctx, cfg, queue, sqlbus.DeadLetterQuery{Max: 1000})
		require.NoError(t, err)
		assert.Empty(t, left)
		require.Eventually(t, func() bool { return len(runs.messageIDs(svc.Name(), hPay)) == 1+len(refused) }, 30*time.Second, 10*time.Millisecond,
			"the redriven commands are handled")
		back := 0
		for _, meta := range sqlbusMetadata(t, d, db, queue) {
			if refused[meta[sourceflow.MetaMessageID]] {
				back++
				assert.Empty(t, meta[sourceflow.MetaFailure], "a redriven command goes back without its reason")
				assert.Empty(t, meta[sourceflow.MetaLastError], "a redriven command goes back without its last error")
				assert.Equal(t, "model.PayOrder", meta[sourceflow.MetaType], "and with its envelope")
			}
		}
		assert.Equal(t, len(refused)+len(dead), back, "every dead letter is back in the destination's table, behind the command as first sent")
		for id := range refused {
			assert.Contains(t, runs.messageIDs(svc.Name(), hPay), id, "redriven with its message id")
		}
	})
}

// sqlbusMetadata returns the metadata of the rows of destination's table.
func sqlbusMetadata(t *testing.T, d sourceflow.Dialect, db *sql.DB, destination string) []map[string]string {
	t.Helper()
	q := `SELECT metadata FROM "watermill_` + sqlbus.Topic(destination) + `"`
	if d == sourceflow.MySQL {
		q = "SELECT metadata FROM `watermill_" + sqlbus.Topic(destination) + "`"
	}
	rows, err := db.Query(q)
	require.NoError(t, err)
	defer rows.Close()
	var out []map[string]string
	for rows.Next() {
		var raw []byte
		require.NoError(t, rows.Scan(&raw))
		meta := map[string]string{}
		require.NoError(t, json.Unmarshal(raw, &meta))
		out = append(out, meta)
	}
	require.NoError(t, rows.Err())
	return out
}

// distinctIDs returns the message ids of dead, once each.
func distinctIDs(dead []cqrs.DeadLetter) map[string]bool {
	ids := map[string]bool{}
	for _, dl := range dead {
		ids[dl.Message.Metadata.Get(sourceflow.MetaMessageID)] = true
	}
	return ids
}
