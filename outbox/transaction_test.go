package outbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	idemsql "github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

const waitFor = 20 * time.Second

var errRollback = errors.New("business rule refused the change")

// A command sent in a transaction with a user row is forwarded once the
// transaction commits, whether the transaction was begun by the store
// (WithinTx) or by the caller (ContextWithTx); a rolled-back one never is.
func TestSendInTransactionIsForwardedAfterCommitOnly(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obx")
		d.dropOutbox(t, db, topic)
		h := newHarness(t, d, db, topic, nil)
		ctx := context.Background()

		var rolled cqrs.Envelope
		err := h.store.WithinTx(ctx, func(ctx context.Context) error {
			require.NoError(t, h.insertUser(ctx, idemsql.TxFromContext(ctx), "u-rolled"))
			var err error
			rolled, err = h.orders.Send(ctx, "o-rolled", PlaceOrder{OrderID: "o-rolled"})
			require.NoError(t, err)
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
		assert.Zero(t, d.outboxRows(t, db, topic), "a rolled-back send leaves no outbox row")

		var committed cqrs.Envelope
		require.NoError(t, h.store.WithinTx(ctx, func(ctx context.Context) error {
			require.NoError(t, h.insertUser(ctx, idemsql.TxFromContext(ctx), "u-committed"))
			var err error
			committed, err = h.orders.Send(ctx, "o-committed", PlaceOrder{OrderID: "o-committed"})
			return err
		}))
		byCaller := sendInCallersTx(t, h, "o-caller")

		require.Eventually(t, func() bool {
			return h.handled.count(committed.MessageID) == 1 && h.handled.count(byCaller.MessageID) == 1
		}, waitFor, 10*time.Millisecond, "committed commands are forwarded and handled")
		assert.Zero(t, h.handled.count(rolled.MessageID), "the rolled-back command is never handled")
		assert.Zero(t, h.deliveries.count(rolled.MessageID), "the rolled-back command is never delivered")
		assert.True(t, h.hasUser(t, "u-committed"))
		assert.True(t, h.hasUser(t, "u-caller"))
		assert.False(t, h.hasUser(t, "u-rolled"))
	})
}

// sendInCallersTx inserts a user and sends a command in a transaction the
// caller begins and hands over with ContextWithTx. Before the commit the
// command is in the outbox only inside that transaction.
func sendInCallersTx(t *testing.T, h *harness, orderID string) cqrs.Envelope {
	t.Helper()
	ctx := context.Background()
	tx, err := h.db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	txCtx := idemsql.ContextWithTx(ctx, tx)
	require.NoError(t, h.insertUser(txCtx, tx, "u-caller"))
	env, err := h.orders.Send(txCtx, orderID, PlaceOrder{OrderID: orderID})
	require.NoError(t, err)
	var inTx int
	require.NoError(t, tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+h.d.quote("watermill_"+h.topic)).Scan(&inTx))
	assert.Equal(t, h.d.outboxRows(t, h.db, h.topic)+1, inTx, "only the transaction sees the command's outbox row")
	require.NoError(t, tx.Commit())
	return env
}
