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
)

// TestSQLBusServicesNamedOutsideLatin1EachGetEveryEvent subscribes two
// services whose names hold characters outside Latin-1 (and differ only in
// them) to one destination: each is a consumer group of its own, on a
// MySQL server whose default character set is latin1 (MariaDB's) too.
func TestSQLBusServicesNamedOutsideLatin1EachGetEveryEvent(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		const orders = 6
		payQ, events := sqlbusName("uni-pay", ""), sqlbusName("uni-paid", "")
		dropSQLBusTables(t, d, db, payQ, events)
		runs := &ledger{}
		flow := paidFlow{t: t, cfg: sqlbusConfig(d, db), payQ: payQ, events: events, runs: runs}
		base := uniqueName("ledger", "")
		first, second := base+"-東京", base+"-大阪"
		payments, sender := flow.payments(uniqueName("uni-payments", "")), flow.service(uniqueName("uni-sender", ""))
		startModel(t, payments, sender, flow.subscriber(first), flow.subscriber(second))

		for i := range orders {
			_, err := cqrs.NewAggregate(sender, "order").Send(context.Background(), fmt.Sprintf("order-%d", i), PayOrder{Amount: i})
			require.NoError(t, err)
		}
		if !assert.Eventually(t, func() bool {
			return len(runs.messageIDs(first, hSummary)) == orders && len(runs.messageIDs(second, hSummary)) == orders
		}, 30*time.Second, 10*time.Millisecond, "%s and %s each handle every event", first, second) {
			t.Logf("%s handled %d events, %s %d", first, len(runs.messageIDs(first, hSummary)), second, len(runs.messageIDs(second, hSummary)))
		}
	})
}
