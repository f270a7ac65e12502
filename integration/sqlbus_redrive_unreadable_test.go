//go:build integration

package integration

import (
	"context"
	"database/sql"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestSQLBusRedriveLeavesAnUnreadableDeadLetterAndMovesTheOthers: a dead
// letter whose metadata column cannot be read (a row written by hand) does
// not stop Redrive: the other dead letters are moved and handled, and it
// stays, listed with why, for an operator to repair or delete; the error
// names it.
func TestSQLBusRedriveLeavesAnUnreadableDeadLetterAndMovesTheOthers(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		queue := sqlbusName("rdbad", "")
		dropSQLBusTables(t, d, db, queue)
		cfg := sqlbusConfig(d, db)
		runs := &ledger{}
		var refusing atomic.Bool
		refusing.Store(true)
		svc := payWorker(t, cfg, "rdbad-worker", queue, runs, &refusing)
		startModel(t, svc)

		ctx, agg := context.Background(), cqrs.NewAggregate(svc, "payment")
		var sent []string
		for _, entity := range []string{"p-1", "p-2"} {
			env, err := agg.Send(ctx, entity, PayOrder{Amount: 1})
			require.NoError(t, err)
			sent = append(sent, env.MessageID)
		}
		var dead []cqrs.DeadLetter
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			var err error
			dead, _, err = sqlbus.DeadLetters(ctx, cfg, queue, sqlbus.DeadLetterQuery{Max: 1000})
			require.NoError(c, err)
			assert.Len(c, distinctIDs(dead), len(sent))
		}, 30*time.Second, 10*time.Millisecond, "both commands are dead-lettered")
		q := `INSERT INTO "watermill_` + sqlbus.DeadLetterTopic(queue) + `" ("uuid", "payload", "metadata", "transaction_id") VALUES ($1, $2, $3, pg_current_xact_id())`
		if d == sourceflow.MySQL {
			q = "INSERT INTO `watermill_" + sqlbus.DeadLetterTopic(queue) + "` (`uuid`, `payload`, `metadata`) VALUES (?, ?, ?)"
		}
		_, err := db.ExecContext(ctx, q, "hand-written", []byte(`{}`), `{"n": 1}`)
		require.NoError(t, err)

		refusing.Store(false)
		n, err := sqlbus.Redrive(ctx, cfg, queue)
		require.Error(t, err)
		assert.ErrorContains(t, err, "hand-written")
		assert.ErrorContains(t, err, "metadata column")
		assert.Equal(t, len(dead), n, "every readable dead letter is moved")
		require.Eventually(t, func() bool { return len(runs.messageIDs(svc.Name(), hPay)) == len(sent) }, 30*time.Second, 10*time.Millisecond,
			"the redriven commands are handled")
		assert.ElementsMatch(t, sent, runs.messageIDs(svc.Name(), hPay))
		left, _, err := sqlbus.DeadLetters(ctx, cfg, queue, sqlbus.DeadLetterQuery{Max: 1000})
		require.NoError(t, err)
		require.Len(t, left, 1, "the unreadable dead letter stays")
		assert.Equal(t, "hand-written", left[0].Message.UUID)
		assert.Contains(t, left[0].Reason, "metadata column is not a JSON object of strings")
	})
}
