//go:build integration

package cli_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// sql redrive --reset-hops moves a dead letter back without its message's
// hop count, so that its handler's sends are not refused again at the hop
// limit; without the flag the count stays.
func TestSQL_RedriveResetHopsTakesTheHopCountOut(t *testing.T) {
	dsn := os.Getenv("SOURCEFLOW_POSTGRES_DSN")
	require.NotEmpty(t, dsn, "SOURCEFLOW_POSTGRES_DSN is not set; run `make test` (it starts PostgreSQL)")
	t.Setenv("SOURCEFLOW_SQL_DSN", dsn)
	db, err := sqldb.Open(context.Background(), sqldb.Config{Dialect: sourceflow.Postgres, DSN: dsn})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	for _, flags := range [][]string{nil, {"--reset-hops"}} {
		topic := "outbox_hops_" + strings.ToLower(rand.Text()[:10])
		deadLetterOfHopLimit(t, db, topic)

		out, errOut, code := newFakeAWS().run(t, append([]string{"sql", "redrive", "--outbox", topic, "--yes"}, flags...)...)
		require.Equal(t, cli.ExitOK, code, errOut)
		assert.Contains(t, out, "Moved 1 dead letter back into outbox "+topic+".")
		var payload []byte
		require.NoError(t, db.QueryRow(`SELECT payload FROM "watermill_`+topic+`"`).Scan(&payload))
		var envelope struct {
			Metadata map[string]string `json:"metadata"`
		}
		require.NoError(t, json.Unmarshal(payload, &envelope))
		_, kept := envelope.Metadata[sourceflow.MetaHops]
		assert.Equal(t, flags == nil, kept, "the hop count is kept unless --reset-hops: %v", flags)
		assert.Equal(t, "orders.Placed", envelope.Metadata[sourceflow.MetaType])
	}
}

// deadLetterOfHopLimit creates the tables of the outbox topic, dropped
// after the test, and writes in them a dead letter whose message reached
// the hop limit.
func deadLetterOfHopLimit(t *testing.T, db *sql.DB, topic string) {
	t.Helper()
	createOutboxTables(t, db, sourceflow.Postgres, topic)
	_, err := db.Exec(`INSERT INTO "watermill_`+topic+`_dead_letters" (uuid, payload, metadata, transaction_id) VALUES ($1, $2, $3, pg_current_xact_id())`,
		"row-1", `{"destination_topic":"orders","uuid":"m-1","payload":"e30=","metadata":{"sf_hops":"64","sf_type":"orders.Placed"}}`,
		`{"sf_failure":"cqrs: hop limit exceeded"}`)
	require.NoError(t, err)
}
