//go:build integration

package integration

import (
	"context"
	"database/sql"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestSQLBusRedriveMovesDeadLettersAcrossATransactionIDOfMoreDigits: on
// PostgreSQL, dead letters written by transactions 9 and 10 (as when the
// database's transaction counter gains a digit between two of them) are
// listed oldest first and all moved back, in order.
func TestSQLBusRedriveMovesDeadLettersAcrossATransactionIDOfMoreDigits(t *testing.T) {
	db := sqlbusDB(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN")
	queue := sqlbusName("rdtxid", "")
	dropSQLBusTables(t, sourceflow.Postgres, db, queue)
	cfg := sqlbusConfig(sourceflow.Postgres, db)
	writeRows(t, sourceflow.Postgres, db, sqlbus.DeadLetterTopic(queue), message.NewMessage("seed", []byte(`{}`))) // creates the table
	dead := quoteIdent(sourceflow.Postgres, "watermill_"+sqlbus.DeadLetterTopic(queue))
	_, err := db.Exec("DELETE FROM " + dead)
	require.NoError(t, err)
	for _, l := range [][2]string{{"9", "dead-9"}, {"10", "dead-10"}} {
		_, err := db.Exec(`INSERT INTO `+dead+` ("transaction_id", "uuid", "payload", "metadata") VALUES ($1::xid8, $2, $3, $4)`,
			l[0], l[1], []byte(`{}`), `{"sf_failure":"card declined"}`)
		require.NoError(t, err)
	}

	listed, _, err := sqlbus.DeadLetters(context.Background(), cfg, queue, sqlbus.DeadLetterQuery{Max: 10})
	require.NoError(t, err)
	var ids []string
	for _, l := range listed {
		ids = append(ids, l.Message.UUID)
	}
	assert.Equal(t, []string{"dead-9", "dead-10"}, ids, "listed oldest first")
	n, err := sqlbus.Redrive(context.Background(), cfg, queue)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "every dead letter moved")
	assert.Equal(t, []string{"dead-9", "dead-10"}, topicUUIDs(t, sourceflow.Postgres, db, sqlbus.Topic(queue)), "moved back in order")
}

// topicUUIDs returns the message ids of topic's table in offset order.
func topicUUIDs(t *testing.T, d sourceflow.Dialect, db *sql.DB, topic string) []string {
	t.Helper()
	q := `SELECT "uuid" FROM ` + quoteIdent(d, "watermill_"+topic) + ` ORDER BY "offset"`
	if d == sourceflow.MySQL {
		q = "SELECT `uuid` FROM " + quoteIdent(d, "watermill_"+topic) + " ORDER BY `offset`"
	}
	rows, err := db.Query(q)
	require.NoError(t, err)
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	return ids
}
