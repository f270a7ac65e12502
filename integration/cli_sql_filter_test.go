//go:build integration

package integration

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestCLISQL_FilterListsAndRemovesAnEventType: sql filter lists the event
// types a service's consumer group takes from a destination (those its
// Start added), and --remove takes one out only with --yes, exiting 1 for
// a type the filter does not hold.
func TestCLISQL_FilterListsAndRemovesAnEventType(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		topic := sqlbusName("clifilter", "events")
		dropSQLBusTables(t, d, db, topic)
		cfg := sqlbusConfig(d, db)
		filterBilling(t, cfg, topic, false)
		require.NoError(t, sqlbus.WidenEventFilter(context.Background(), cfg, topic, "billing", "filter.Retired"))
		dsn := sqlbusDSN(t, d)
		filter := func(args ...string) (string, string, int) {
			return runCLI(t, append([]string{"sql", "filter", "--destination", topic, "--service", "billing", "--dsn", dsn}, args...)...)
		}

		out, errOut, code := filter()
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "filter.Placed")
		assert.Contains(t, out, "2 event types in the filter of service billing")

		out, errOut, code = filter("--remove", "filter.Retired")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "Would remove event type filter.Retired")
		out, errOut, code = filter("--remove", "filter.Retired", "--yes")
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "Removed event type filter.Retired")
		types, err := sqlbus.EventFilter(context.Background(), cfg, topic, "billing")
		require.NoError(t, err)
		assert.Equal(t, []string{"filter.Placed"}, types)

		_, errOut, code = filter("--remove", "filter.Retired", "--yes")
		assert.Equal(t, cli.ExitDrift, code, errOut)
		assert.Contains(t, errOut, "holds no event type filter.Retired")
	})
}
