//go:build integration

package integration

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// TestSecCLISQLRedrive_RefusesAnOutboxWhoseDeadLetterTableIsADestinations:
// the dead-letter table of outbox T is the messages table of the sqlbus
// destination T_dead_letters. purge --outbox T refuses it; redrive
// --outbox T --yes must refuse it too, and not move the destination's live messages into the
// outbox (which would forward them, and take them from the destination).
func TestSecCLISQLRedrive_RefusesAnOutboxWhoseDeadLetterTableIsADestinations(t *testing.T) {
	db := sqlbusDB(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN")
	topic := strings.ReplaceAll(uniqueName("clisqlsec", ""), "-", "_")
	r := newCLISQLRig(t, sourceflow.Postgres, db)
	r.queue = topic + "_dead_letters"
	dropSQLBusTables(t, sourceflow.Postgres, db, r.queue)
	dropOutboxTables(t, db, topic)
	r.startWorker()
	r.send("p-1")
	r.waitDepth(0, 1, "the command is handled")
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	bindOutbox(t, db, topic, channel, false) // the outbox T's table, watermill_T

	out, errOut, code := r.sql("redrive", "--outbox", topic, "--yes")
	assert.Equal(t, cli.ExitDrift, code, "stdout: %s\nstderr: %s", out, errOut)
	assert.NotContains(t, out, "Moved 1")
	var n int
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM "watermill_`+r.queue+`"`).Scan(&n))
	assert.Equal(t, 1, n, "the destination's message is kept")
}

// TestSecCLISQLPurge_RefusesAnOutboxWhoseDeadLetterTableIsAnUnconsumedDestinations:
// purge --outbox T tells the sqlbus destination T_dead_letters from T's
// dead letters only by its consumer groups. A destination that has none
// yet (its consumers not yet deployed, or their groups removed with sql
// groups --remove) still holds live messages that its consumers would
// read: purge --outbox T --yes must not delete them.
func TestSecCLISQLPurge_RefusesAnOutboxWhoseDeadLetterTableIsAnUnconsumedDestinations(t *testing.T) {
	db := sqlbusDB(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN")
	topic := strings.ReplaceAll(uniqueName("clisqlsec", ""), "-", "_")
	r := newCLISQLRig(t, sourceflow.Postgres, db)
	r.queue = topic + "_dead_letters"
	dropSQLBusTables(t, sourceflow.Postgres, db, r.queue)
	r.send("p-1") // no worker: no consumer group yet

	out, errOut, code := r.sql("purge", "--outbox", topic, "--yes")
	assert.NotEqual(t, cli.ExitOK, code, "stdout: %s\nstderr: %s", out, errOut)
	var n int
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM "watermill_`+r.queue+`"`).Scan(&n))
	assert.Equal(t, 1, n, "the destination's message is kept")
}

// TestSecCLISQLRedrive_NeedsOnlyThePrivilegesItsHelpLists: sql --help says
// redrive needs SELECT, INSERT and DELETE, and CREATE only the first time
// it writes into a destination that has no table yet. A role with exactly
// those privileges on a destination whose tables exist (no CREATE on the
// schema, PostgreSQL 15's default for public) must move its dead letters.
func TestSecCLISQLRedrive_NeedsOnlyThePrivilegesItsHelpLists(t *testing.T) {
	db := sqlbusDB(t, sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN")
	r := newCLISQLRig(t, sourceflow.Postgres, db)
	r.startWorker()
	r.send("p-1")
	r.waitDepth(0, 1, "the command is dead-lettered")
	role := strings.ReplaceAll(uniqueName("secops", ""), "-", "_")
	for _, q := range []string{
		`CREATE ROLE ` + role + ` LOGIN PASSWORD 'opsPw'`,
		`REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
		`GRANT SELECT, INSERT, DELETE ON "watermill_` + sqlbus.Topic(r.queue) + `", "watermill_` + sqlbus.DeadLetterTopic(r.queue) + `" TO ` + role,
		`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ` + role,
	} {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}
	t.Cleanup(func() {
		_, err := db.Exec(`DROP OWNED BY ` + role)
		assert.NoError(t, err)
		_, err = db.Exec(`DROP ROLE ` + role)
		assert.NoError(t, err)
	})
	u, err := url.Parse(r.dsn)
	require.NoError(t, err)
	u.User = url.UserPassword(role, "opsPw")
	r.dsn = u.String()

	r.refusing.Store(false)
	out, errOut, code := r.sql("redrive", "--destination", r.queue, "--yes")
	assert.Equal(t, cli.ExitOK, code, "stdout: %s\nstderr: %s", out, errOut)
	assert.Contains(t, out, "Moved 1 dead letter")
}
