//go:build integration

package integration

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestSQLBusPrunesWhatEveryConsumerGroupAcknowledged: subscriptions delete
// the rows every consumer group of their destination acknowledged. A
// subscribing service that is down (its group behind) holds the pruning of
// the events back, so it receives every event once it is up again; then
// the table is pruned down to the last row.
func TestSQLBusPrunesWhatEveryConsumerGroupAcknowledged(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		const orders = 5
		payQ, paid := sqlbusName("prq", ""), sqlbusName("prp", "")
		dropSQLBusTables(t, d, db, payQ, paid)
		cfg := sqlbusConfig(d, db)
		cfg.PruneInterval = 10 * time.Millisecond
		runs := &ledger{}
		flow := paidFlow{t: t, cfg: cfg, payQ: payQ, events: paid, runs: runs}
		payments := flow.payments(svcPayment)
		sender, fast, slow := flow.service(svcOrders), flow.subscriber("fast"), flow.subscriber("slow")
		startModel(t, payments, sender, fast, slow)
		require.NoError(t, slow.Close(), "the slow service goes down before any event, its group at the start")

		for i := range orders {
			_, err := cqrs.NewAggregate(sender, "order").Send(context.Background(), fmt.Sprintf("order-%d", i), PayOrder{Amount: i})
			require.NoError(t, err)
		}
		require.Eventually(t, func() bool { return len(runs.messageIDs("fast", hSummary)) == orders }, 30*time.Second, 10*time.Millisecond,
			"the fast subscriber handles every event")
		require.EventuallyWithT(t, func(c *assert.CollectT) { assert.Equal(c, 1, sqlbusRows(c, d, db, payQ)) }, 30*time.Second, 10*time.Millisecond,
			"the commands, acknowledged by their one group, are pruned down to the last")
		n, err := sqlbus.Prune(context.Background(), cfg, paid)
		require.NoError(t, err)
		assert.Zero(t, n, "no event is pruned while the slow group has not acknowledged it")
		assert.GreaterOrEqual(t, sqlbusRows(t, d, db, paid), orders, "every event stays for the slow group (a redelivered saga may publish one twice)")

		again := flow.subscriber("slow")
		startModel(t, again)
		require.Eventually(t, func() bool { return len(runs.messageIDs("slow", hSummary)) == orders }, 30*time.Second, 10*time.Millisecond,
			"the slow subscriber, up again, handles every event")
		require.EventuallyWithT(t, func(c *assert.CollectT) { assert.Equal(c, 1, sqlbusRows(c, d, db, paid)) }, 30*time.Second, 10*time.Millisecond,
			"once both groups acknowledged them, the events are pruned down to the last")
	})
}

// A destination that was published to but that no service ever subscribed
// to has no consumer group, so Prune deletes nothing and keeps every row for
// the group that will read it; it reports no error, so an operator can prune
// every destination alike.
func TestSQLBusPruneOfADestinationNoServiceSubscribedToKeepsEveryRow(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		dest := sqlbusName("prn", "")
		dropSQLBusTables(t, d, db, dest)
		cfg := sqlbusConfig(d, db)
		publishRaw(t, cfg, dest, message.NewMessage("m-1", []byte("{}")), message.NewMessage("m-2", []byte("{}")))

		n, err := sqlbus.Prune(context.Background(), cfg, dest)
		require.NoError(t, err)
		assert.Zero(t, n)
		assert.Equal(t, 2, sqlbusRows(t, d, db, dest), "every row stays for the group that will read it")
	})
}

// sqlbusRows counts the rows of destination's table.
func sqlbusRows(t testingT, d sourceflow.Dialect, db *sql.DB, destination string) int {
	t.Helper()
	q := `SELECT COUNT(*) FROM "watermill_` + sqlbus.Topic(destination) + `"`
	if d == sourceflow.MySQL {
		q = "SELECT COUNT(*) FROM `watermill_" + sqlbus.Topic(destination) + "`"
	}
	var n int
	require.NoError(t, db.QueryRow(q).Scan(&n))
	return n
}
