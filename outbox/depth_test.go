package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// Depths counts the rows the forwarders have yet to forward and the dead
// letters: rows written before any forwarder ran are all ahead; once the
// forwarder ran, none is, and the row it could not deliver is a dead
// letter.
func TestDepthsCountTheRowsNotYetForwardedAndTheDeadLetters(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obd")
		d.dropOutbox(t, db, topic)
		cfg := outbox.Config{DB: db, Dialect: d.dialect, Topic: topic}
		depths := func(t require.TestingT) (ahead, dead int64) {
			got, err := outbox.Depths(context.Background(), cfg)
			require.NoError(t, err)
			require.Len(t, got, 2)
			assert.Equal(t, sourceflow.QueueDepth{Queue: topic, Visible: got[0].Visible}, got[0])
			assert.Equal(t, sourceflow.QueueDepth{Queue: topic + "_dead_letters", DLQ: true, Visible: got[1].Visible}, got[1])
			return got[0].Visible, got[1].Visible
		}
		ahead, dead := depths(t)
		assert.Zero(t, ahead+dead, "an outbox nothing was written to has no depth")

		store, _ := newStore(t, d, db)
		pending := sendOrders(t, store, newWriter(t, d, store, topic), "o", 4)
		d.insertRow(t, db, topic, "bad-payload", `"plain text"`, `{}`)
		ahead, dead = depths(t)
		assert.Equal(t, int64(len(pending)+1), ahead, "before any forwarder ran every row is ahead")
		assert.Zero(t, dead)

		h := newHarness(t, d, db, topic, nil, func(b *outbox.Transport) { outbox.SetPruneInterval(b, -1) })
		waitHandled(t, h, pending)
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			ahead, dead := depths(c)
			assert.Zero(c, ahead)
			assert.Equal(c, int64(1), dead)
		}, waitFor, 10*time.Millisecond, "every row forwarded or dead-lettered")
	})
}
