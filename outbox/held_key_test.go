package outbox_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// On MySQL a held table an earlier build created, without
// destination_key, gains it at Bind (once, however many instances bind),
// for the rows held before as for those held after: a pass finds the
// destinations of both.
func TestAHeldTableOfAnEarlierBuildGainsItsDestinationKeyOnMySQL(t *testing.T) {
	d := dialects[1]
	require.Equal(t, sourceflow.MySQL, d.dialect)
	ctx := context.Background()
	db := d.open(t)
	topic := uniqueName("obk")
	d.dropOutbox(t, db, topic)
	createEarlierHeldTable(t, d, db, topic)
	d.holdMany(t, db, topic, "before", 100)
	cfg := outbox.Config{DB: db, Dialect: d.dialect, Transport: newStuckTransport(), Topic: topic, DisableForwarder: true}
	for range 2 {
		box, err := outbox.New(cfg)
		require.NoError(t, err)
		require.NoError(t, box.Bind(ctx, sourceflow.Binding{Service: "obk"}))
		require.NoError(t, box.Close())
	}

	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	require.NoError(t, outbox.HoldRow(ctx, tx, cfg, "after", message.NewMessage("after", []byte("{}"))))
	destinations, err := outbox.HeldDestinations(ctx, tx, cfg)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"before", "after"}, destinations)
}

// On MySQL the destination_key Bind adds to a held table of an earlier
// build is a virtual column, whose addition copies no row, and its index
// is built in place without a lock that blocks holds: the statements say
// ALGORITHM=INPLACE, LOCK=NONE, which the database refuses rather than
// copy the table.
func TestTheDestinationKeyOfAnEarlierBuildsHeldTableIsAddedOnlineOnMySQL(t *testing.T) {
	d := dialects[1]
	require.Equal(t, sourceflow.MySQL, d.dialect)
	db := d.open(t)
	topic := uniqueName("obo")
	d.dropOutbox(t, db, topic)
	createEarlierHeldTable(t, d, db, topic)
	cfg := outbox.Config{DB: db, Dialect: d.dialect, Transport: newStuckTransport(), Topic: topic, DisableForwarder: true}
	box, err := outbox.New(cfg)
	require.NoError(t, err)
	require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: "obo"}))
	require.NoError(t, box.Close())

	var extra string
	require.NoError(t, db.QueryRow("SELECT extra FROM information_schema.columns WHERE table_schema = DATABASE() "+
		"AND table_name = ? AND column_name = 'destination_key'", "sourceflow_outbox_held_"+topic).Scan(&extra))
	assert.Equal(t, "VIRTUAL GENERATED", extra)
	var indexed int
	require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() "+
		"AND table_name = ? AND index_name = 'destination_key_seq'", "sourceflow_outbox_held_"+topic).Scan(&indexed))
	assert.Equal(t, 2, indexed, "the index of (destination_key, seq)")
}

// createEarlierHeldTable creates topic's held table as a build before
// destination_key did.
func createEarlierHeldTable(t *testing.T, d dialect, db *sql.DB, topic string) {
	t.Helper()
	_, err := db.Exec("CREATE TABLE " + d.quote("sourceflow_outbox_held_"+topic) + ` (
		seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
		destination VARCHAR(1024) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
		uuid VARCHAR(255) NOT NULL,
		payload LONGBLOB NOT NULL,
		metadata LONGTEXT NOT NULL,
		held_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
		unknown_since TIMESTAMP(6) NULL DEFAULT NULL,
		KEY destination_seq (destination(191), seq))`)
	require.NoError(t, err)
}
