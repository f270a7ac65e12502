package outbox_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// Redrive on MySQL, when the outbox's write lock cannot be taken (its row
// in the lock table was deleted by hand), fails naming this package once
// and leaves the dead letter where it was.
func TestRedriveLockErrorNamesThePackageOnce(t *testing.T) {
	d, db, topic := freshMySQLOutbox(t, "obx")
	ctx := context.Background()
	box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Transport: &recordingTransport{}, Topic: topic, DisableForwarder: true})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, box.Close()) })
	require.NoError(t, box.Bind(ctx, sourceflow.Binding{Service: "orders"}))
	d.insertRow(t, db, topic+"_dead_letters", "dead-1", `{"destination_topic":"orders","uuid":"m-1","payload":""}`, `{"sf_failure":"refused"}`)
	_, err = db.ExecContext(ctx, "DELETE FROM `sourceflow_outbox_locks` WHERE `topic` = ?", topic)
	require.NoError(t, err)

	cfg := outbox.Config{DB: db, Dialect: d.dialect, Topic: topic}
	n, err := outbox.Redrive(ctx, cfg)
	require.ErrorIs(t, err, sql.ErrNoRows)
	assert.Zero(t, n)
	assert.Contains(t, err.Error(), "take the write lock of \""+topic+"\": the outbox has no row in `sourceflow_outbox_locks`")
	sqldbtest.NamesPackageOnce(t, "outbox", err)
	letters, _, err := outbox.DeadLetters(ctx, cfg, outbox.DeadLetterQuery{Max: 1000})
	require.NoError(t, err)
	assert.Len(t, letters, 1)
}

// A write into the outbox on MySQL, when the outbox's write lock cannot be
// taken (its row was deleted), fails saying why, naming this package once.
func TestWriteLockErrorNamesThePackageOnce(t *testing.T) {
	d, db, topic := freshMySQLOutbox(t, "obx")
	ctx := context.Background()
	h := newHarness(t, d, db, topic, nil)
	_, err := db.ExecContext(ctx, "DELETE FROM `sourceflow_outbox_locks` WHERE `topic` = ?", topic)
	require.NoError(t, err)

	err = h.store.WithinTx(ctx, func(ctx context.Context) error {
		_, err := h.orders.Send(ctx, "o-1", PlaceOrder{OrderID: "o-1"})
		return err
	})
	require.ErrorIs(t, err, sql.ErrNoRows)
	assert.Contains(t, err.Error(), ": outbox: take the write lock of \""+topic+"\": the outbox has no row in `sourceflow_outbox_locks`")
	assert.NotContains(t, err.Error(), "outbox: outbox: ")
	assert.Zero(t, d.outboxRows(t, db, topic))
}
