package outbox_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// createEarlierReleaseOutbox creates the outbox table of topic and its
// dead-letter table as a release before TIMESTAMPTZ did: with
// watermill-sql's own schema, whose created_at is, on PostgreSQL, a
// TIMESTAMP without time zone. dropOutbox drops them.
func createEarlierReleaseOutbox(t *testing.T, d dialect, db *sql.DB, topic string) {
	t.Helper()
	var schema wsql.SchemaAdapter = wsql.DefaultPostgreSQLSchema{}
	if d.dialect == sourceflow.MySQL {
		schema = wsql.DefaultMySQLSchema{}
	}
	for _, tp := range []string{topic, topic + "_dead_letters"} {
		queries, err := schema.SchemaInitializingQueries(wsql.SchemaInitializingQueriesParams{Topic: tp})
		require.NoError(t, err)
		require.NoError(t, sqldb.ExecSchema(context.Background(), db, schema, queries))
	}
}

// zonelessWarnings returns the tables named by the warnings logger got
// (at Info: a capture logger has no Warn method) of a created_at without
// time zone, each checked to name the statement that converts it.
func zonelessWarnings(t *testing.T, logger *watermill.CaptureLoggerAdapter) []string {
	t.Helper()
	var tables []string
	for _, m := range logger.Captured()[watermill.InfoLogLevel] {
		if !strings.Contains(m.Msg, "without time zone") {
			continue
		}
		table, _ := m.Fields["table"].(string)
		assert.True(t, strings.HasPrefix(m.Msg, "outbox: table "+table+" was created by an earlier release"), m.Msg)
		assert.Contains(t, m.Msg, `ALTER TABLE "`+table+`" ALTER COLUMN "created_at" TYPE timestamptz`, m.Msg)
		tables = append(tables, table)
	}
	return tables
}

// An outbox bound on PostgreSQL to tables an earlier release created
// (created_at a TIMESTAMP without time zone) logs one warning per table,
// its rows' and its dead letters', naming the ALTER that converts it,
// alters neither, and forwards what is committed. Tables the outbox
// creates draw no warning, nor does MySQL (MariaDB here).
func TestOutboxWarnsOfATableOfAnEarlierReleaseWithAZonelessCreatedAt(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		for _, earlier := range []bool{true, false} {
			t.Run(map[bool]string{true: "earlier release", false: "created by the outbox"}[earlier], func(t *testing.T) {
				db := d.open(t)
				topic := uniqueName("outbox_zl")
				d.dropOutbox(t, db, topic)
				if earlier {
					createEarlierReleaseOutbox(t, d, db, topic)
				}
				logger := watermill.NewCaptureLogger()
				got := &receipts{first: map[string]int{}}
				box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Topic: topic, Logger: logger,
					Transport: &hiccupInner{failEvery: 1 << 62, got: got}})
				require.NoError(t, err)
				require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: "billing"}))
				t.Cleanup(func() { assert.NoError(t, box.Close()) })
				commitOne(t, d, db, box, "m-1")
				require.Eventually(t, func() bool { _, ok := got.at("m-1"); return ok }, waitFor, 10*time.Millisecond, "forwarded")

				var want []string
				if earlier && d.dialect == sourceflow.Postgres {
					want = []string{"watermill_" + topic, "watermill_" + topic + "_dead_letters"}
				}
				assert.Equal(t, want, zonelessWarnings(t, logger))
				zoneless, err := sqldb.ZonelessTables(context.Background(), db, d.dialect, "watermill_"+topic, "watermill_"+topic+"_dead_letters")
				require.NoError(t, err)
				assert.Equal(t, want, zoneless, "not altered")
			})
		}
	})
}
