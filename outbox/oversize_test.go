package outbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	idemsql "github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// On MySQL a command whose outbox row (its payload base64 in the envelope)
// is larger than the server's max_allowed_packet fails its transaction, for
// good, with ErrInvalidMessage naming the limit, never the server's bare
// "bad connection": the user row written with it is rolled back, nothing
// reaches the outbox or a handler, and the commands committed before and
// after it are forwarded and handled once. (PostgreSQL holds rows up to
// 1 GB, beyond any message a service sends.)
func TestOversizeCommandFailsItsTransactionAndOthersFlow(t *testing.T) {
	d, db, topic := freshMySQLOutbox(t, "obx")
	var packet int
	require.NoError(t, db.QueryRow("SELECT @@max_allowed_packet").Scan(&packet))
	h := newHarness(t, d, db, topic, nil)
	ctx := context.Background()
	send := func(user, entity, orderID string) (cqrs.Envelope, error) {
		var env cqrs.Envelope
		err := h.store.WithinTx(ctx, func(ctx context.Context) error {
			if err := h.insertUser(ctx, idemsql.TxFromContext(ctx), user); err != nil {
				return err
			}
			var err error
			env, err = h.orders.Send(ctx, entity, PlaceOrder{OrderID: orderID})
			return err
		})
		return env, err
	}

	before, err := send("u-before", "o-before", "o-before")
	require.NoError(t, err)
	// Within the limit as a command, over it as base64 in the envelope.
	_, err = send("u-big", "o-big", strings.Repeat("n", packet*7/8))
	require.ErrorIs(t, err, outbox.ErrInvalidMessage, "a row over max_allowed_packet cannot be written")
	assert.True(t, sourceflow.IsPermanent(err), "no retry can write it")
	assert.Contains(t, err.Error(), "max_allowed_packet")
	assert.Less(t, len(err.Error()), 1000, "the error does not repeat the payload")
	t.Logf("oversize send: %v", err)
	assert.False(t, h.hasUser(t, "u-big"), "the transaction of the oversize command is rolled back")
	after, err := send("u-after", "o-after", "o-after")
	require.NoError(t, err, "the outbox takes commands after the refused one")

	require.Eventually(t, func() bool { return h.handled.count(before.MessageID) == 1 && h.handled.count(after.MessageID) == 1 },
		waitFor, 10*time.Millisecond, "the commands before and after the oversize one are forwarded and handled once")
	assert.Equal(t, 2, h.handled.total(), "the oversize command reached no handler")
	assert.True(t, h.hasUser(t, "u-before"))
	assert.True(t, h.hasUser(t, "u-after"))
	letters, _, err := outbox.DeadLetters(ctx, outbox.Config{DB: db, Dialect: d.dialect, Topic: topic}, outbox.DeadLetterQuery{Max: 1000})
	require.NoError(t, err)
	assert.Empty(t, letters, "a refused transaction leaves nothing to dead-letter")
}
