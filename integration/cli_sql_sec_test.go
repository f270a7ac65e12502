//go:build integration

package integration

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestSecCLISQLRedrive_RefusesAnOutboxWhoseDeadLetterTableIsADestinations:
// the dead-letter table of outbox T is the messages table of the sqlbus
// destination T_dead_letters. purge --outbox T refuses it when it has
// consumer groups (refuseConsumedTable); redrive --outbox T --yes must
// refuse it too, and not move the destination's live messages into the
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
