package outbox_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// heldBacklog is how many rows the cost tests hold for one destination.
const heldBacklog = 3000

// Holding one more row behind a destination's held rows reads a few of
// them, not all: a queue down for an hour holds many thousand rows, and
// the forwarder holds each new one for it in the poll that every other
// destination waits for.
func TestHoldingARowReadsNotEveryHeldRowOfItsDestination(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		cfg, tx := heldBacklogTx(t, d)
		before := d.rowsRead(t, tx, cfg.Topic)
		require.NoError(t, outbox.HoldRow(ctx, tx, cfg, "stuck", message.NewMessage("one-more", []byte("{}"))))
		read := d.rowsRead(t, tx, cfg.Topic) - before
		assert.Less(t, read, int64(heldBacklog/10), "rows read to hold one row behind %d", heldBacklog)
	})
}

// A poll looks for the held rows of its rows' destinations without
// reading every held row: one destination's backlog does not slow down
// the poll every destination waits for.
func TestAPollReadsNotEveryHeldRow(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		cfg, tx := heldBacklogTx(t, d)
		before := d.rowsRead(t, tx, cfg.Topic)
		holds := outbox.NewPollHolds(cfg, tx)
		for _, dest := range []string{"stuck", "ok", "stuck", "ok"} {
			held, err := holds(ctx, dest)
			require.NoError(t, err)
			assert.Equal(t, dest == "stuck", held, dest)
		}
		read := d.rowsRead(t, tx, cfg.Topic) - before
		assert.Less(t, read, int64(heldBacklog/10), "rows read to look at %d held rows", heldBacklog)
	})
}

// A pass of the retry looks for the destinations with held rows without
// reading every held row: it looks every second, and a queue down for an
// hour holds many thousand rows.
func TestAPassReadsNotEveryHeldRow(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		cfg, tx := heldBacklogTx(t, d)
		d.holdMany(t, cfg.DB, cfg.Topic, "other", 100)
		before := d.rowsRead(t, tx, cfg.Topic)
		destinations, err := outbox.HeldDestinations(ctx, tx, cfg)
		require.NoError(t, err)
		read := d.rowsRead(t, tx, cfg.Topic) - before
		assert.ElementsMatch(t, []string{"stuck", "other"}, destinations)
		assert.Less(t, read, int64(heldBacklog/10), "rows read to find the destinations of %d held rows", heldBacklog)
	})
}

// heldBacklogTx binds an outbox whose destination "stuck" has
// heldBacklog held rows and returns its Config and a transaction on its
// database, rolled back after the test.
func heldBacklogTx(t *testing.T, d dialect) (outbox.Config, *sql.Tx) {
	t.Helper()
	db := d.open(t)
	inner := newStuckTransport()
	inner.down.Store(true)
	cfg, _ := heldOutbox(t, d, db, inner, 1, "stuck")
	d.holdMany(t, db, cfg.Topic, "stuck", heldBacklog-1)
	tx, err := db.BeginTx(context.Background(), nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback() })
	return cfg, tx
}

// holdMany writes n held rows for destination into topic's held table,
// a hundred per statement, each forwarding a message "row".
func (d dialect) holdMany(t *testing.T, db *sql.DB, topic, destination string, n int) {
	t.Helper()
	envelope := `{"destination_topic":"` + destination + `","uuid":"row","payload":"e30=","metadata":{}}`
	values := strings.Repeat(", ('"+destination+"', 'row', '"+envelope+"', '{}')", 100)[2:]
	for range n / 100 {
		_, err := db.Exec("INSERT INTO " + d.quote("sourceflow_outbox_held_"+topic) + " (destination, uuid, payload, metadata) VALUES " + values)
		require.NoError(t, err)
	}
}

// rowsRead returns how many rows tx's session has read from topic's held
// table (PostgreSQL) or from any table (MySQL) so far.
func (d dialect) rowsRead(t *testing.T, tx *sql.Tx, topic string) int64 {
	t.Helper()
	var n int64
	if d.dialect == sourceflow.MySQL {
		rows, err := tx.Query("SHOW SESSION STATUS LIKE 'Handler_read%'")
		require.NoError(t, err)
		defer func() { _ = rows.Close() }()
		for rows.Next() {
			var name string
			var v int64
			require.NoError(t, rows.Scan(&name, &v))
			n += v
		}
		require.NoError(t, rows.Err())
		return n
	}
	require.NoError(t, tx.QueryRow("SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables WHERE relname = $1",
		"sourceflow_outbox_held_"+topic).Scan(&n))
	return n
}
