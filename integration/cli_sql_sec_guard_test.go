//go:build integration

package integration

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// TestSecCLISQLOutbox_RefusesADestinationsTableWithoutGroupsOnEachDialect:
// on PostgreSQL and MariaDB, dead-letters, redrive, purge and depth --outbox T,
// with --yes or not, refuse (exit 1) the dead-letter table of T when it is
// the messages table of the sqlbus destination T_dead_letters, which no
// consumer group reads yet, and keep its message.
func TestSecCLISQLOutbox_RefusesADestinationsTableWithoutGroupsOnEachDialect(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		topic := strings.ReplaceAll(uniqueName("clisqlsecg", ""), "-", "_")
		r := newCLISQLRig(t, d, db)
		r.queue = topic + "_dead_letters"
		dropSQLBusTables(t, d, db, r.queue)
		r.send("p-1") // no worker: no consumer group

		for _, args := range [][]string{{"dead-letters", "--outbox", topic}, {"dead-letters", "--outbox", topic, "--summary"},
			{"redrive", "--outbox", topic}, {"redrive", "--outbox", topic, "--yes"},
			{"purge", "--outbox", topic}, {"purge", "--outbox", topic, "--yes"}, {"depth", "--outbox", topic}} {
			out, errOut, code := r.sql(args...)
			assert.Equal(t, cli.ExitDrift, code, "%v\nstdout: %s\nstderr: %s", args, out, errOut)
			assert.Contains(t, errOut, "has a binary payload column", args)
		}
		var n int
		require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM "+quoteIdent(d, "watermill_"+r.queue)).Scan(&n))
		assert.Equal(t, 1, n, "the destination's message is kept")
	})
}

// TestSecCLISQLOutbox_WorksOnAnOutboxOnEachDialect: the guard refuses no
// outbox: on PostgreSQL and MariaDB (where the outbox's JSON payload column
// is a LONGTEXT) dead-letters, redrive, purge and depth --outbox of a bound outbox
// exit 0.
func TestSecCLISQLOutbox_WorksOnAnOutboxOnEachDialect(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		topic := strings.ReplaceAll(uniqueName("clisqlsecob", ""), "-", "_")
		outboxTablesOf(t, d, db, topic)
		dsn := sqlbusDSN(t, d)

		for _, args := range [][]string{{"dead-letters", "--outbox", topic}, {"redrive", "--outbox", topic, "--yes"},
			{"purge", "--outbox", topic}, {"purge", "--outbox", topic, "--yes"}, {"depth", "--outbox", topic}} {
			out, errOut, code := runCLI(t, append(append([]string{"sql"}, args...), "--dsn", dsn)...)
			assert.Equal(t, cli.ExitOK, code, "%v\nstdout: %s\nstderr: %s", args, out, errOut)
		}
	})
}
