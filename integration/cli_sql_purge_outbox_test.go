//go:build integration

package integration

import (
	"database/sql"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestCLISQLPurge_AnOutboxsDeadLettersByTheTypeInsideTheEnvelope: an
// outbox's dead letter holds the forwarder envelope: purge --type and
// dead-letters --summary read the type of the message inside it, and
// purge deletes only the dead letters of that type.
func TestCLISQLPurge_AnOutboxsDeadLettersByTheTypeInsideTheEnvelope(t *testing.T) {
	db := sqlbusDB(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN")
	t.Setenv("SOURCEFLOW_SQL_DSN", sqlbusDSN(t, sourceflow.Postgres))
	topic := strings.ReplaceAll(uniqueName("clisqlpurge", ""), "-", "_")
	dropOutboxTables(t, db, topic)
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	bindOutbox(t, db, topic, channel, false) // creates the tables only
	for i, typ := range []string{"model.PayOrder", "orders.RefundOrder", "model.PayOrder"} {
		env := fmt.Sprintf(`{"destination_topic":"clisql-orders","uuid":"env-%d","payload":%q,"metadata":{"sf_id":"m-%d","sf_type":%q}}`,
			i, base64.StdEncoding.EncodeToString([]byte(`{}`)), i, typ)
		_, err := db.Exec(`INSERT INTO "watermill_`+topic+`_dead_letters" (uuid, payload, metadata, transaction_id) `+
			`VALUES ($1, $2, '{"sf_failure":"destination refused"}', pg_current_xact_id())`, fmt.Sprintf("env-%d", i), env)
		require.NoError(t, err)
	}

	out, errOut, code := runCLI(t, "sql", "dead-letters", "--outbox", topic, "--summary")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, `(?m)^model\.PayOrder +2\norders\.RefundOrder +1$`, out)
	assert.Regexp(t, `(?m)^destination refused +3$`, out)

	out, errOut, code = runCLI(t, "sql", "purge", "--outbox", topic, "--type", "orders.RefundOrder", "--yes")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Equal(t, "Deleted 1 dead letter of type orders.RefundOrder of outbox "+topic+".\n", out)
	out, errOut, code = runCLI(t, "sql", "dead-letters", "--outbox", topic)
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "2 dead letters of outbox "+topic)
	assert.Len(t, regexp.MustCompile(`(?m)^m-\d +model\.PayOrder `).FindAllString(out, -1), 2, out)
}

// TestCLISQLPurge_RefusesAnOutboxWhoseDeadLetterTableIsADestinations: the
// dead-letter table of outbox T is the messages table of the sqlbus
// destination T_dead_letters; purge --outbox T finds its binary payload column
// and deletes none of that destination's messages.
func TestCLISQLPurge_RefusesAnOutboxWhoseDeadLetterTableIsADestinations(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		topic := strings.ReplaceAll(uniqueName("clisqlguard", ""), "-", "_")
		r := newCLISQLRig(t, d, db)
		r.queue = topic + "_dead_letters"
		dropSQLBusTables(t, d, db, r.queue)
		r.startWorker()
		r.send("p-1")
		r.waitDepth(0, 1, "the command is handled")

		for _, args := range [][]string{{"purge", "--outbox", topic}, {"purge", "--outbox", topic, "--yes"}} {
			out, errOut, code := r.sql(args...)
			assert.Equal(t, cli.ExitDrift, code, out)
			assert.Contains(t, errOut, "has a binary payload column")
			assert.NotContains(t, out, "Deleted")
		}
		var n int
		q := `SELECT COUNT(*) FROM "watermill_` + r.queue + `"`
		if d == sourceflow.MySQL {
			q = "SELECT COUNT(*) FROM `watermill_" + r.queue + "`"
		}
		require.NoError(t, db.QueryRow(q).Scan(&n))
		assert.Equal(t, 1, n, "the destination's message is kept")
	})
}

// TestCLISQLPurge_TypeQuestionMarkSelectsNoCutEnvelope: an outbox dead
// letter whose envelope is longer than what purge reads of it has no known
// type (counted as "?"): --type "?" does not select it, so purge --type
// never deletes a message whose type it could not read.
func TestCLISQLPurge_TypeQuestionMarkSelectsNoCutEnvelope(t *testing.T) {
	db := sqlbusDB(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN")
	t.Setenv("SOURCEFLOW_SQL_DSN", sqlbusDSN(t, sourceflow.Postgres))
	topic := strings.ReplaceAll(uniqueName("clisqlcut", ""), "-", "_")
	dropOutboxTables(t, db, topic)
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	bindOutbox(t, db, topic, channel, false) // creates the tables only
	big := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("x", 100<<10)))
	env := `{"destination_topic":"clisql-orders","uuid":"env-big","payload":"` + big + `","metadata":{"sf_id":"m-big","sf_type":"model.PayOrder"}}`
	_, err = db.Exec(`INSERT INTO "watermill_`+topic+`_dead_letters" (uuid, payload, metadata, transaction_id) `+
		`VALUES ('env-big', $1, '{"sf_failure":"destination refused"}', pg_current_xact_id())`, env)
	require.NoError(t, err)

	out, errOut, code := runCLI(t, "sql", "dead-letters", "--outbox", topic, "--summary")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Regexp(t, `(?m)^\? +1$`, out, "the cut envelope's type is unknown")

	out, errOut, code = runCLI(t, "sql", "purge", "--outbox", topic, "--type", "?", "--yes")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Equal(t, "Deleted 0 dead letters of type ? of outbox "+topic+".\n", out)
	out, errOut, code = runCLI(t, "sql", "dead-letters", "--outbox", topic, "--summary")
	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "1 dead letter of outbox "+topic)
}
