package outbox_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// An outbox in front of sqlbus holds a message sqlbus cannot store (an id
// longer than its uuid column): the forwarder dead-letters it, with the
// reason naming it, instead of retrying it for ever, and the command
// written after it is delivered.
func TestOutboxInFrontOfSQLBusDeadLettersAMessageSQLBusCannotStore(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obx")
		d.dropOutbox(t, db, topic)
		dropSQLBusDestination(t, d, db, ordersDest)
		inner, err := sqlbus.NewTransport(sqlbus.Config{DB: db, Dialect: d.dialect, PollInterval: 20 * time.Millisecond})
		require.NoError(t, err)
		var box *outbox.Transport
		h := newHarness(t, d, db, topic, inner, func(b *outbox.Transport) { box = b })
		ctx := context.Background()

		pub, err := box.Publisher(ordersDest)
		require.NoError(t, err)
		long := message.NewMessage(strings.Repeat("m", 40), []byte(`{"order_id":"o-long"}`))
		require.NoError(t, h.store.WithinTx(ctx, func(ctx context.Context) error {
			long.SetContext(ctx)
			return pub.Publish(ordersDest, long)
		}))
		var next cqrs.Envelope
		require.NoError(t, h.store.WithinTx(ctx, func(ctx context.Context) error {
			next, err = h.orders.Send(ctx, "o-next", PlaceOrder{OrderID: "o-next"})
			return err
		}))

		require.Eventually(t, func() bool { return h.handled.count(next.MessageID) == 1 }, waitFor, 10*time.Millisecond,
			"the command behind the message sqlbus cannot store is delivered")
		letters := waitDeadLetters(t, outbox.Config{DB: db, Dialect: d.dialect, Topic: topic}, 1)
		assert.Contains(t, letters[0].Reason, long.UUID)
		assert.Contains(t, letters[0].Reason, "longer than the 36 the uuid column holds")
		assert.Contains(t, string(letters[0].Message.Payload), long.UUID, "the dead letter is the row as written")
	})
}

// dropSQLBusDestination drops, after the test, the sqlbus tables of
// destination: its messages and offsets, and those of its dead letters.
func dropSQLBusDestination(t *testing.T, d dialect, db *sql.DB, destination string) {
	t.Cleanup(func() {
		for _, topic := range []string{sqlbus.Topic(destination), sqlbus.DeadLetterTopic(destination)} {
			for _, table := range []string{"watermill_" + topic, "watermill_offsets_" + topic} {
				_, err := db.Exec("DROP TABLE IF EXISTS " + d.quote(table))
				assert.NoError(t, err)
			}
		}
	})
}
