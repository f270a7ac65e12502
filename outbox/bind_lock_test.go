package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// bindBound bounds the Bind of an instance starting while another one
// writes: on MySQL a Bind that inserted the outbox's lock row again waited
// for the writer's transaction, which holds that row until it ends.
const bindBound = 10 * time.Second

// An instance starting while another instance's transaction has written
// into the outbox (and on MySQL holds the outbox's write lock until it
// ends) binds without waiting for that transaction.
func TestBindDoesNotWaitForAnotherInstancesOpenWrite(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("oblock")
		d.dropOutbox(t, db, topic)
		newBox := func() *outbox.Transport {
			box, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Topic: topic,
				Transport: &hiccupInner{failEvery: 1 << 62, got: &receipts{first: map[string]int{}}}})
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, box.Close()) })
			return box
		}
		running := newBox()
		require.NoError(t, running.Bind(context.Background(), sourceflow.Binding{}))
		pub, err := running.Publisher("dest")
		require.NoError(t, err)
		tx, err := db.BeginTx(context.Background(), nil)
		require.NoError(t, err)
		defer func() { assert.NoError(t, tx.Rollback()) }()
		m := message.NewMessage("written-meanwhile", []byte("{}"))
		m.SetContext(sqldb.ContextWithTx(context.Background(), db, tx))
		require.NoError(t, pub.Publish("dest", m))

		ctx, cancel := context.WithTimeout(context.Background(), bindBound)
		defer cancel()
		assert.NoError(t, newBox().Bind(ctx, sourceflow.Binding{}), "the new instance binds while the write is open")
	})
}
