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

// TestSQLBusServicesWhoseNamesDifferEachGetEveryEvent subscribes two
// services to one destination whose names differ only in case ("ledger-…"
// and "Ledger-…"), or only in characters outside Latin-1: they are two
// consumer groups, so each must handle every event, on MySQL too, whose
// default collations compare strings without regard to case and whose
// MariaDB default character set, latin1, cannot hold every name.
func TestSQLBusServicesWhoseNamesDifferEachGetEveryEvent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		names func(base string) (string, string)
	}{
		{"case", func(base string) (string, string) { return base, strings.ToUpper(base[:1]) + base[1:] }},
		{"outside latin1", func(base string) (string, string) { return base + "-東京", base + "-大阪" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
				const orders = 6
				payQ, events := sqlbusName("names-pay", ""), sqlbusName("names-paid", "")
				dropSQLBusTables(t, d, db, payQ, events)
				runs := &ledger{}
				flow := paidFlow{t: t, cfg: sqlbusConfig(d, db), payQ: payQ, events: events, runs: runs}
				first, second := tc.names(uniqueName("ledger", ""))
				payments, sender := flow.payments(uniqueName("names-payments", "")), flow.service(uniqueName("names-sender", ""))
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
		})
	}
}
