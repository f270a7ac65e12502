//go:build integration

package integration

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// A handler may publish to the destination it consumes: the subscription
// reading the table while the handler runs does not hold back the insert
// (on MySQL a serializable read would lock the table's end until the
// batch commits, which waits for the handler: a deadlock).
func TestSQLBusHandlerPublishesToTheTopicItConsumes(t *testing.T) {
	eachSQLBusDialect(t, func(t *testing.T, d sourceflow.Dialect, db *sql.DB) {
		queue := sqlbusName("loop", "")
		dropSQLBusTables(t, d, db, queue)
		tr, err := sqlbus.NewTransport(sqlbusConfig(d, db))
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, tr.Close()) })
		require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "looper",
			Listeners: []sourceflow.Listener{{Destination: queue, Kind: sourceflow.KindCommand}}}))
		pub, err := tr.Publisher(queue)
		require.NoError(t, err)
		sub, err := tr.Subscriber(queue)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(func() { cancel(); require.NoError(t, sub.Close()) })
		msgs, err := sub.Subscribe(ctx, queue)
		require.NoError(t, err)

		const hops = 5
		require.NoError(t, pub.Publish(queue, message.NewMessage(watermill.NewUUID(), []byte("0"))))
		for hop := 0; hop < hops; hop++ {
			var m *message.Message
			select {
			case m = <-msgs:
			case <-time.After(20 * time.Second):
				t.Fatalf("hop %d: no message within 20s: the publish from the handler is held back", hop)
			}
			require.Equal(t, []byte{byte('0' + hop)}, []byte(m.Payload))
			next := message.NewMessage(watermill.NewUUID(), []byte{byte('1' + hop)})
			done := make(chan error, 1)
			go func() { done <- pub.Publish(queue, next) }()
			select {
			case err := <-done:
				require.NoError(t, err, "hop %d: publish from the handler", hop)
			case <-time.After(20 * time.Second):
				t.Fatalf("hop %d: the publish from the handler waits for the subscription's batch", hop)
			}
			m.Ack()
		}
	})
}
