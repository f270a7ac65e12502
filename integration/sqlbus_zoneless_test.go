//go:build integration

package integration

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// createEarlierReleaseTables creates the messages tables of destination
// and of its dead letters as a release before TIMESTAMPTZ did: with
// watermill-sql's own schema, whose created_at is, on PostgreSQL, a
// TIMESTAMP without time zone. dropSQLBusTables drops them.
func createEarlierReleaseTables(t *testing.T, d sourceflow.Dialect, db *sql.DB, destination string) {
	t.Helper()
	var schema wsql.SchemaAdapter = wsql.DefaultPostgreSQLSchema{GeneratePayloadType: func(string) string { return "BYTEA" }}
	if d == sourceflow.MySQL {
		schema = wsql.DefaultMySQLSchema{GeneratePayloadType: func(string) string { return "LONGBLOB" }}
	}
	for _, topic := range []string{sqlbus.Topic(destination), sqlbus.DeadLetterTopic(destination)} {
		queries, err := schema.SchemaInitializingQueries(wsql.SchemaInitializingQueriesParams{Topic: topic})
		require.NoError(t, err)
		require.NoError(t, sqldb.ExecSchema(context.Background(), db, schema, queries))
	}
}

// zonelessWarnings returns the tables named by the warnings logger got
// (at Info: a capture logger has no Warn method) of a created_at without
// time zone, in order, each checked to name its table, what it affects and
// the statement that converts it.
func zonelessWarnings(t *testing.T, logger *watermill.CaptureLoggerAdapter) []string {
	t.Helper()
	var tables []string
	for _, m := range logger.Captured()[watermill.InfoLogLevel] {
		if !strings.Contains(m.Msg, "without time zone") {
			continue
		}
		table, _ := m.Fields["table"].(string)
		assert.True(t, strings.HasPrefix(m.Msg, "sqlbus: table "+table+" was created by an earlier release"), m.Msg)
		assert.Contains(t, m.Msg, "OLDEST AHEAD", m.Msg)
		assert.Contains(t, m.Msg, `ALTER TABLE "`+table+`" ALTER COLUMN "created_at" TYPE timestamptz`, m.Msg)
		tables = append(tables, table)
	}
	return tables
}

// TestSQLBus_WarnsOfATableOfAnEarlierReleaseWithAZonelessCreatedAt: on
// PostgreSQL a service subscribing to a destination whose tables an
// earlier release created (created_at a TIMESTAMP without time zone) logs
// one warning per table, its messages' and its dead letters', naming the
// ALTER that converts it; a service publishing to it logs one for the
// table it writes. Neither alters the tables, and the messages flow. On
// MySQL (MariaDB here), whose TIMESTAMP holds the instant, no warning.
func TestSQLBus_WarnsOfATableOfAnEarlierReleaseWithAZonelessCreatedAt(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		createEarlierReleaseTables(t, d, db, r.queue)
		workerLog, senderLog := watermill.NewCaptureLogger(), watermill.NewCaptureLogger()
		r.cfg.Logger = workerLog
		r.startWorker()
		r.cfg.Logger = senderLog
		r.send("ok", "ok")
		r.waitDepth(0, 0, "the worker handled the commands")
		assert.Len(t, distinctSet(r.runs.messageIDs("clisql-worker", hPay)), 2, "handled each command")

		topic, dead := "watermill_"+sqlbus.Topic(r.queue), "watermill_"+sqlbus.DeadLetterTopic(r.queue)
		if d == sourceflow.MySQL {
			assert.Empty(t, zonelessWarnings(t, workerLog))
			assert.Empty(t, zonelessWarnings(t, senderLog))
			return
		}
		assert.Equal(t, []string{topic, dead}, zonelessWarnings(t, workerLog), "once per table, at the subscription")
		assert.Equal(t, []string{topic}, zonelessWarnings(t, senderLog), "once, at the first publish")
		zoneless, err := sqldb.ZonelessTables(context.Background(), db, d, topic, dead)
		require.NoError(t, err)
		assert.Equal(t, []string{topic, dead}, zoneless, "not altered")
	})
}

// TestSQLBus_WarnsOfNoTableItCreated: the tables sqlbus creates hold the
// instant, so neither the subscribing service nor the publishing one warns.
func TestSQLBus_WarnsOfNoTableItCreated(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		r := newCLISQLRig(t, d, db)
		workerLog, senderLog := watermill.NewCaptureLogger(), watermill.NewCaptureLogger()
		r.cfg.Logger = workerLog
		r.startWorker()
		r.cfg.Logger = senderLog
		r.send("ok", "declined")
		r.waitDepth(0, 1, "the worker handled one command and dead-lettered the other")
		assert.Empty(t, zonelessWarnings(t, workerLog))
		assert.Empty(t, zonelessWarnings(t, senderLog))
	})
}
