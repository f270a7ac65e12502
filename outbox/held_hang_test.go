package outbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// A relay that hangs on one destination holds up that destination only
// (package doc, "A failing destination holds only its own rows"): the
// held rows of another destination are relayed meanwhile.
func TestAHangingRelayHoldsUpOnlyItsDestination(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		inner := newStuckTransport()
		inner.down.Store(true)
		cfg, _ := heldOutbox(t, d, d.open(t), inner, 2, "a", "b")
		inner.down.Store(false)
		release := make(chan struct{})
		var once sync.Once
		hang := func() { once.Do(func() { <-release }) } // the first relay hangs, whichever destination it is
		inner.onPublish.Store(&hang)
		ctx, cancel := context.WithCancel(context.Background())
		passed := make(chan struct{})
		go func() { defer close(passed); outbox.NewHeldPass(cfg, nil)(ctx) }()
		t.Cleanup(func() { cancel(); close(release); <-passed })

		assert.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.NotEmpty(c, inner.published("a"), "a")
			assert.NotEmpty(c, inner.published("b"), "b")
		}, 3*time.Second, 20*time.Millisecond, "the destination whose relay does not hang is relayed meanwhile")
		require.True(t, len(inner.published("a"))+len(inner.published("b")) >= 1, "one relay started")
	})
}

// While a forwarding instance's relay of one destination hangs, its
// retry goes on relaying the others' held rows, those held after the
// relay began included.
func TestAHangingRelayHoldsUpNoLaterPassOfTheInstance(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		inner := newStuckTransport()
		inner.down.Store(true)
		cfg, ids := heldOutbox(t, d, db, inner, 2, "a", "b")
		inner.down.Store(false)
		hanging := hangingTransport{stuckTransport: inner, hang: []string{"a"}, release: make(chan struct{})}
		cfg.Transport = hanging
		box, err := outbox.New(cfg)
		require.NoError(t, err)
		require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: "obr"}))
		t.Cleanup(func() { close(hanging.release); assert.NoError(t, box.Close()) })
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.Equal(c, ids[1:], inner.received("b"))
		}, waitFor, 10*time.Millisecond, "b's held row is relayed while a's relay hangs")

		tx, err := db.Begin()
		require.NoError(t, err)
		later := []byte(`{"destination_topic":"b","uuid":"b-later","payload":"e30=","metadata":{}}`)
		require.NoError(t, outbox.HoldRow(context.Background(), tx, cfg, "b", message.NewMessage("later", later)))
		require.NoError(t, tx.Commit())
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.Equal(c, []string{ids[1], "b-later"}, inner.received("b"))
		}, waitFor, 10*time.Millisecond, "a row held for b after its relay ended is relayed by a later pass")
		assert.Empty(t, inner.received("a"), "a's relay still hangs")
	})
}
