//go:build integration

package integration

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestCLISQLPrune_AFailedPruneIsNotReportedAsPruned: prune reports each
// destination it pruned, and a destination whose prune failed only in the
// error, exit 3: its offsets table here lacks watermill-sql's columns. The
// destination pruned before it keeps its line.
func TestCLISQLPrune_AFailedPruneIsNotReportedAsPruned(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		good, broken := sqlbusName("prune-good", ""), sqlbusName("prune-broken", "")
		dropSQLBusTables(t, d, db, good, broken)
		for _, table := range []string{"watermill_" + sqlbus.Topic(broken), "watermill_offsets_" + sqlbus.Topic(broken)} {
			_, err := db.Exec("CREATE TABLE " + quoteIdent(d, table) + " (x INT)")
			require.NoError(t, err)
		}

		out, errOut, code := runCLI(t, "sql", "prune", "--destination", good, "--destination", broken, "--dsn", sqlbusDSN(t, d))
		assert.Equal(t, cli.ExitAWS, code, errOut)
		assert.Contains(t, errOut, "sql prune "+broken)
		assert.Equal(t, "Pruned destination "+good+": 0 rows deleted.\n", out)
	})
}
