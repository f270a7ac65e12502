package outbox_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// On MySQL messages published in one call whose outbox rows each fit in
// the server's max_allowed_packet, but not together, are all written into
// the outbox, in the caller's transaction, as a call for each would write
// them: the call neither fails at random (error 1153 or a bare "bad
// connection") nor is refused.
func TestOutboxWritesMessagesThatFitOneByOneButNotTogether(t *testing.T) {
	d, db, topic := freshMySQLOutbox(t, "obb")
	var packet int
	require.NoError(t, db.QueryRow("SELECT @@max_allowed_packet").Scan(&packet))
	ctx := context.Background()
	box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Transport: &recordingTransport{}, Topic: topic})
	require.NoError(t, err)
	require.NoError(t, box.Bind(ctx, sourceflow.Binding{Service: "obb"}))
	t.Cleanup(func() { _ = box.Close() })
	pub, err := box.Publisher("orders")
	require.NoError(t, err)

	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	inTx := sqldb.ContextWithTx(ctx, db, tx)
	// Rows (the payload base64) a little over half the limit each, small
	// enough for the driver to send inline rather than as long data.
	payload := (packet/2 + 256<<10) * 3 / 4
	var ids []string
	var msgs []*message.Message
	for _, c := range "ab" {
		m := message.NewMessage(watermill.NewUUID(), []byte(strings.Repeat(string(c), payload)))
		m.SetContext(inTx)
		msgs = append(msgs, m)
		ids = append(ids, m.UUID)
	}
	require.NoError(t, pub.Publish("orders", msgs...), "each row fits in max_allowed_packet")
	require.NoError(t, tx.Commit())

	var n int
	require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM "+d.quote("watermill_"+topic)).Scan(&n))
	assert.Equal(t, len(ids), n, "both written into the outbox")
}
