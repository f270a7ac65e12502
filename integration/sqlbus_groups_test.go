//go:build integration

package integration

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestSQLBusARetiredServicesGroupIsListedAndRemoved: a service that stopped
// consuming a destination for good keeps its consumer group, whose backlog
// grows and holds back the pruning. ConsumerGroups shows it beside the
// running service's; once RemoveConsumerGroup deleted it, Prune deletes
// what the running service handled.
func TestSQLBusARetiredServicesGroupIsListedAndRemoved(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		payQ, events := sqlbusName("grpq", ""), sqlbusName("grp", "")
		dropSQLBusTables(t, d, db, payQ, events)
		cfg := sqlbusConfig(d, db)
		cfg.PruneInterval = -1 // only the calls below prune
		ctx, runs := context.Background(), &ledger{}
		flow := paidFlow{t: t, cfg: cfg, payQ: payQ, events: events, runs: runs}
		payments := flow.payments("grp-payments")
		sender, retired, running := flow.service("grp-sender"), flow.subscriber("grp-retired"), flow.subscriber("grp-running")
		startModel(t, payments, sender, retired, running)
		require.NoError(t, retired.Close(), "the retired service stops for good before any event")

		const published = 4
		for i := range published {
			_, err := cqrs.NewAggregate(sender, "order").Send(ctx, fmt.Sprintf("order-%d", i), PayOrder{Amount: i})
			require.NoError(t, err)
		}
		require.Eventually(t, func() bool { return len(runs.messageIDs("grp-running", hSummary)) == published }, 30*time.Second, 10*time.Millisecond,
			"the running service handles every event")
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			groups, err := sqlbus.ConsumerGroups(ctx, cfg, events)
			require.NoError(c, err)
			rows := int64(sqlbusRows(c, d, db, events)) // a saga delivered twice may raise an event twice
			assert.Equal(c, []sqlbus.ConsumerGroup{{Service: "grp-retired", Ahead: rows}, {Service: "grp-running"}}, groups)
		}, 30*time.Second, 10*time.Millisecond, "both groups are listed, the retired one with every event ahead")
		n, err := sqlbus.Prune(ctx, cfg, events)
		require.NoError(t, err)
		assert.Zero(t, n, "the retired group holds the pruning back")

		removed, err := sqlbus.RemoveConsumerGroup(ctx, cfg, events, "grp-retired")
		require.NoError(t, err)
		assert.True(t, removed)
		groups, err := sqlbus.ConsumerGroups(ctx, cfg, events)
		require.NoError(t, err)
		assert.Equal(t, []sqlbus.ConsumerGroup{{Service: "grp-running"}}, groups)
		rows := sqlbusRows(t, d, db, events)
		n, err = sqlbus.Prune(ctx, cfg, events)
		require.NoError(t, err)
		assert.Equal(t, int64(rows-1), n, "what the running service handled is pruned, but the last row")
		assert.Equal(t, 1, sqlbusRows(t, d, db, events))

		removed, err = sqlbus.RemoveConsumerGroup(ctx, cfg, events, "grp-retired")
		require.NoError(t, err)
		assert.False(t, removed, "a group removed already is not there")
		none, err := sqlbus.ConsumerGroups(ctx, cfg, sqlbusName("grpnone", ""))
		require.NoError(t, err)
		assert.Empty(t, none, "a destination never subscribed to has no group")
	})
}
