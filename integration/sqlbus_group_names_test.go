//go:build integration

package integration

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestSQLBusServicesWhoseNamesDifferOnlyInCaseEachGetEveryEvent subscribes
// two services whose names differ only in case ("ledger-…" and
// "Ledger-…") to one destination: they are two consumer groups, so each
// must handle every event, on MySQL too, whose default collations compare
// strings without regard to case.
func TestSQLBusServicesWhoseNamesDifferOnlyInCaseEachGetEveryEvent(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		const orders = 6
		payQ, events := sqlbusName("case-pay", ""), sqlbusName("case-paid", "")
		dropSQLBusTables(t, d, db, payQ, events)
		runs := &ledger{}
		flow := paidFlow{t: t, cfg: sqlbusConfig(d, db), payQ: payQ, events: events, runs: runs}
		lower := uniqueName("ledger", "")
		upper := strings.ToUpper(lower[:1]) + lower[1:]
		payments, sender := flow.payments(uniqueName("case-payments", "")), flow.service(uniqueName("case-sender", ""))
		first, second := flow.subscriber(lower), flow.subscriber(upper)
		startModel(t, payments, sender, first, second)

		for i := range orders {
			_, err := cqrs.NewAggregate(sender, "order").Send(context.Background(), fmt.Sprintf("order-%d", i), PayOrder{Amount: i})
			require.NoError(t, err)
		}
		if !assert.Eventually(t, func() bool {
			return len(runs.messageIDs(lower, hSummary)) == orders && len(runs.messageIDs(upper, hSummary)) == orders
		}, 30*time.Second, 10*time.Millisecond, "%s and %s each handle every event", lower, upper) {
			t.Logf("%s handled %d events, %s %d", lower, len(runs.messageIDs(lower, hSummary)), upper, len(runs.messageIDs(upper, hSummary)))
		}
	})
}
