//go:build integration

package integration

import (
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// TestCLISQLRedrive_DryRunCountsALargeOutboxDeadLetterOfTheType: sql
// redrive --outbox T --type X without --yes counts the dead letters of
// type X that --yes then moves, a forwarder envelope larger than the part
// of it a listing reads included.
func TestCLISQLRedrive_DryRunCountsALargeOutboxDeadLetterOfTheType(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		topic := strings.ReplaceAll(uniqueName("clisqlredrivebig", ""), "-", "_")
		outboxTablesOf(t, d, db, topic)
		big := base64.StdEncoding.EncodeToString([]byte(`{"note":"` + strings.Repeat("x", 80<<10) + `"}`))
		env := fmt.Sprintf(`{"destination_topic":"clisql-orders","uuid":"env-big","payload":%q,"metadata":{"sf_id":"m-big","sf_type":"model.PayOrder"}}`, big)
		q := `INSERT INTO "watermill_` + topic + `_dead_letters" (uuid, payload, metadata, transaction_id) ` +
			`VALUES ($1, $2, '{"sf_failure":"destination refused"}', pg_current_xact_id())`
		if d == sourceflow.MySQL {
			q = "INSERT INTO `watermill_" + topic + "_dead_letters` (`uuid`, `payload`, `metadata`) VALUES (?, ?, '{\"sf_failure\":\"destination refused\"}')"
		}
		_, err := db.Exec(q, "env-big", env)
		require.NoError(t, err)
		dsn := sqlbusDSN(t, d)

		out, errOut, code := runCLI(t, "sql", "redrive", "--outbox", topic, "--type", "model.PayOrder", "--dsn", dsn)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "1 dead letter of type model.PayOrder of outbox "+topic, "the dry run counts what --yes moves")
		assert.Contains(t, out, "would be moved back, 0 left.")

		out, errOut, code = runCLI(t, "sql", "redrive", "--outbox", topic, "--type", "model.PayOrder", "--yes", "--dsn", dsn)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "Moved 1 dead letter of type model.PayOrder")
	})
}
